import { Global, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AdminAuthGuard } from './admin-auth.guard.js';
import { WorkspaceAuthGuard } from './workspace-auth.guard.js';
import { AdminOrWorkspaceAuthGuard } from './admin-or-workspace-auth.guard.js';
import { ApiKeyEntity } from './api-key.entity.js';
import { ApiKeysService } from './api-keys.service.js';
import { WorkspaceEntity } from './workspace.entity.js';
import { WhoamiController } from './whoami.controller.js';
import { WorkspacesAdminController } from './workspaces-admin.controller.js';
import { WorkspacesRepository } from './workspaces.repository.js';
import { WorkspacesService } from './workspaces.service.js';

/** Global so every feature's controllers can use WorkspaceAuthGuard without importing this module. */
@Global()
@Module({
  imports: [TypeOrmModule.forFeature([WorkspaceEntity, ApiKeyEntity])],
  controllers: [WorkspacesAdminController, WhoamiController],
  providers: [WorkspacesRepository, WorkspacesService, ApiKeysService, WorkspaceAuthGuard, AdminAuthGuard, AdminOrWorkspaceAuthGuard],
  exports: [WorkspacesService, ApiKeysService, WorkspaceAuthGuard, AdminAuthGuard, AdminOrWorkspaceAuthGuard],
})
export class WorkspacesModule {}
