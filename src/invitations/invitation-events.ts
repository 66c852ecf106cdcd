import { type OutboxEvent } from './invitations.repository.js';
import { type AcceptanceView, INVITATION_RULES } from './invitation-rules.js';

export interface IdentityNames {
  workspaceId: string;
  identityId: string;
  externalId: string;
  label: string | null;
}

/** invitations.pending_high: pending invitations reached 500 (once per crossing; again only after falling below). */
export function pendingHigh(i: IdentityNames, pending: number, now: Date): OutboxEvent {
  return {
    workspaceId: i.workspaceId,
    identityId: i.identityId,
    type: 'invitations.pending_high',
    payload: {
      identity_id: i.identityId,
      external_id: i.externalId,
      label: i.label,
      pending_invitations: pending,
      warning_at: INVITATION_RULES.pendingWarning,
      refused_at: INVITATION_RULES.pendingRefuse,
    },
    createdAt: now,
  };
}

/** identity.low_acceptance: the acceptance rate fell below 30 % (thresholds halved) or below 15 % (refused). */
export function lowAcceptance(i: IdentityNames, a: AcceptanceView, refusing: boolean, now: Date): OutboxEvent {
  return {
    workspaceId: i.workspaceId,
    identityId: i.identityId,
    type: 'identity.low_acceptance',
    payload: {
      identity_id: i.identityId,
      external_id: i.externalId,
      label: i.label,
      acceptance_rate: a.rate,
      sample_size: a.sample,
      accepted: a.accepted,
      threshold_factor: a.factor,
      refusing,
    },
    createdAt: now,
  };
}
