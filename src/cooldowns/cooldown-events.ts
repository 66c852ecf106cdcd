import { type OutboxEvent } from '../database/outbox.js';
import { type CooldownRow, type PublicClassification, toCooldownView } from './cooldown.types.js';

/** Webhook `data` of cooldown.started: the cooldown and, for an outcome, what caused it. */
export function cooldownStarted(c: CooldownRow, classification: PublicClassification | null, now: Date, extendsId?: string): OutboxEvent {
  return {
    workspaceId: c.workspaceId,
    identityId: c.identityId,
    type: 'cooldown.started',
    payload: {
      identity_id: c.identityId,
      cooldown: toCooldownView(c, now),
      classification,
      ...(extendsId ? { extends: extendsId } : {}),
    },
    createdAt: now,
  };
}

/** cooldown.ended: once per cooldown, whoever ended it (expiry, a clear, a longer one replacing it). */
export function cooldownEnded(c: CooldownRow, now: Date): OutboxEvent {
  return {
    workspaceId: c.workspaceId,
    identityId: c.identityId,
    type: 'cooldown.ended',
    payload: {
      identity_id: c.identityId,
      cooldown: toCooldownView(c, now),
      ended_by: c.endedBy,
      ...(c.supersededBy ? { superseded_by: c.supersededBy } : {}),
    },
    createdAt: now,
  };
}

/** identity.at_risk: the policy escalated to the whole identity, or cooldowns recur (3 in 7 days). */
export function identityAtRisk(c: CooldownRow, now: Date): OutboxEvent {
  return {
    workspaceId: c.workspaceId,
    identityId: c.identityId,
    type: 'identity.at_risk',
    payload: {
      identity_id: c.identityId,
      cooldown_id: c.id,
      reason: c.reason,
      level: c.level,
      ends_at: c.endsAt ? c.endsAt.toISOString() : null,
    },
    createdAt: now,
  };
}
