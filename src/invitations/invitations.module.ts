import { Module } from '@nestjs/common';
import { IdentitiesModule } from '../identities/identities.module.js';
import { SmartLimitsModule } from '../smart-limits/smart-limits.module.js';
import { AcceptanceRefreshJob } from './acceptance-refresh.job.js';
import { InvitationHistoryRecorder } from './invitation-history.recorder.js';
import { InvitationState } from './invitation-state.js';
import { InvitationsController } from './invitations.controller.js';
import { InvitationsRepository } from './invitations.repository.js';
import { InvitationsService } from './invitations.service.js';

/** Invitation health (SPEC §5b): history, reports, reconcile, pending cap, acceptance rate, the guard's Redis state. */
@Module({
  imports: [IdentitiesModule, SmartLimitsModule],
  controllers: [InvitationsController],
  providers: [InvitationsRepository, InvitationState, InvitationsService, InvitationHistoryRecorder, AcceptanceRefreshJob],
  exports: [InvitationsService],
})
export class InvitationsModule {}
