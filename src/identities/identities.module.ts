import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { CatalogModule } from '../catalog/catalog.module.js';
import { IdentitiesController } from './identities.controller.js';
import { IdentitiesRepository } from './identities.repository.js';
import { IdentitiesService } from './identities.service.js';
import { IdentityEntity } from './identity.entity.js';
import { LimitOverridesConstraint } from './limit-overrides.constraint.js';

@Module({
  imports: [TypeOrmModule.forFeature([IdentityEntity]), CatalogModule],
  controllers: [IdentitiesController],
  providers: [IdentitiesRepository, IdentitiesService, LimitOverridesConstraint],
  exports: [IdentitiesService],
})
export class IdentitiesModule {}
