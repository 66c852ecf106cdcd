import { ApiError } from '../common/errors/api-error.js';
import { type Identity } from '../identities/identity.js';
import { SmartLimitsErrorLabel } from './smart-limits.errors.js';

/**
 * A paused identity is refused at its own guard (409, no Retry-After: a person resumes it, no time
 * will do). Pausing is how an operator stops an account at once, so dry runs are refused too (they
 * answer what a real call would get). A backfill (`occurred_at`, not a dry run) still records: the
 * action has happened, and leaving it out would under-count the windows once the identity resumes.
 */
export function refusePaused(identity: Identity, action: string, req: { occurredAt?: Date; dryRun: boolean }): void {
  if (identity.status !== 'paused') return;
  if (req.occurredAt && !req.dryRun) return;
  const who = identity.label ? `${identity.label} (${identity.externalId})` : identity.externalId;
  throw new ApiError(
    409,
    SmartLimitsErrorLabel.IDENTITY_PAUSED,
    `Identity ${who} is paused: no action is admitted until it is resumed (PATCH /v1/identities/${identity.id} {"status": "active"})`,
    { identity_id: identity.id, external_id: identity.externalId, action, status: identity.status },
  );
}
