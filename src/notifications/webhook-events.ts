/** The events a webhook may subscribe to (SPEC §7). */
export const WEBHOOK_EVENT_TYPES = [
  'cooldown.started',
  'cooldown.ended',
  'limit.warning',
  'limit.reached',
  'identity.at_risk',
  'quota.warning',
  'invitations.pending_high',
  'identity.low_acceptance',
] as const;

/** Sent only by POST /v1/webhooks/{id}/test, to that webhook alone; never subscribable. */
export const TEST_EVENT_TYPE = 'webhook.test';

/** The JSON body every webhook receives. */
export interface WebhookEventBody {
  id: string;
  type: string;
  created_at: string;
  workspace_id: string;
  data: Record<string, unknown>;
}
