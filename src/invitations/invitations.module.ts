import { Module } from '@nestjs/common';
import { IdentitiesModule } from '../identities/identities.module.js';
import { AcceptanceRefreshJob } from './acceptance-refresh.job.js';
import { InvitationState } from './invitation-state.js';
import { InvitationsController } from './invitations.controller.js';
import { InvitationsRepository } from './invitations.repository.js';
import { InvitationsService } from './invitations.service.js';

/**
 * Invitation health (SPEC §5b): history, reports, reconcile, pending cap, acceptance rate, the
 * guard's Redis state. Below smart-limits: the guard hands it the invitations it recorded (after its
 * answer, off the hot path) and asks it to rebuild a missing Redis state.
 */
@Module({
  imports: [IdentitiesModule],
  controllers: [InvitationsController],
  providers: [InvitationsRepository, InvitationState, InvitationsService, AcceptanceRefreshJob],
  exports: [InvitationsService],
})
export class InvitationsModule {}
