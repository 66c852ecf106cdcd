import { Module } from '@nestjs/common';
import { ApiLimitsModule } from '../api-limits/api-limits.module.js';
import { CatalogModule } from '../catalog/catalog.module.js';
import { IdentitiesModule } from '../identities/identities.module.js';
import { InvitationsModule } from '../invitations/invitations.module.js';
import { JournalModule } from '../journal/journal.module.js';
import { AutoGuardService } from './auto-guard.service.js';
import { GuardEvents } from './guard-events.js';
import { GuardController } from './guard.controller.js';
import { GuardService } from './guard.service.js';
import { IdentityRebuild } from './identity-rebuild.service.js';
import { LeaseRebuild } from './lease-rebuild.js';
import { LimitsReadService } from './limits-read.service.js';
import { WindowReader } from './window-reader.service.js';
import { WorkingHoursService } from './working-hours.service.js';

@Module({
  imports: [CatalogModule, IdentitiesModule, ApiLimitsModule, InvitationsModule, JournalModule],
  controllers: [GuardController],
  providers: [WorkingHoursService, GuardService, AutoGuardService, LimitsReadService, WindowReader, GuardEvents, IdentityRebuild, LeaseRebuild],
  exports: [WorkingHoursService, GuardService, WindowReader, GuardEvents, IdentityRebuild],
})
export class SmartLimitsModule {}
