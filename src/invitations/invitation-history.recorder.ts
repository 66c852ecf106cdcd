import { Injectable, type OnModuleInit } from '@nestjs/common';
import { GuardEvents } from '../smart-limits/guard-events.js';
import { InvitationsService } from './invitations.service.js';

/**
 * Writes the invitations the guard recorded into the history, after its answer and off the hot path
 * (like the limit crossings). The guard's Redis state already counts the invitation as pending and
 * its target as invited; a crash before this insert loses the row, not the protection (the refresh
 * job's pending count and a reconcile repair the history).
 */
@Injectable()
export class InvitationHistoryRecorder implements OnModuleInit {
  constructor(
    private readonly guardEvents: GuardEvents,
    private readonly invitations: InvitationsService,
  ) {}

  onModuleInit(): void {
    this.guardEvents.onInvitations((items) => this.invitations.recordSent(items));
  }
}
