import { Module } from '@nestjs/common';
import { ApiLimitsModule } from '../api-limits/api-limits.module.js';
import { CatalogModule } from '../catalog/catalog.module.js';
import { CooldownsModule } from '../cooldowns/cooldowns.module.js';
import { IdentitiesModule } from '../identities/identities.module.js';
import { InvitationsModule } from '../invitations/invitations.module.js';
import { JournalModule } from '../journal/journal.module.js';
import { SmartLimitsModule } from '../smart-limits/smart-limits.module.js';
import { DashboardPageController } from './dashboard-page.controller.js';
import { DashboardController } from './dashboard.controller.js';
import { DashboardService } from './dashboard.service.js';
import { IdentityHealthService } from './identity-health.service.js';
import { OverviewSnapshotService } from './overview-snapshot.service.js';

/** Identity health, activity, the workspace overview (snapshot) and the page at /dashboard. */
@Module({
  imports: [CatalogModule, IdentitiesModule, SmartLimitsModule, CooldownsModule, ApiLimitsModule, InvitationsModule, JournalModule],
  controllers: [DashboardController, DashboardPageController],
  providers: [IdentityHealthService, OverviewSnapshotService, DashboardService],
  exports: [OverviewSnapshotService],
})
export class DashboardModule {}
