// The worker client, exported as `smart-limits/client`.
export { SmartLimitsClient } from './client.js';
export type {
  ActionResult,
  ClientOptions,
  GuardOptions,
  GuardResult,
  InvitationReport,
  InvitationStatus,
  InvitationSummary,
  LimitState,
  Outcome,
  OutcomeResult,
  PendingSync,
} from './client.js';
export {
  AlreadyInvitedError,
  CooldownError,
  LimitReachedError,
  RateLimitedError,
  ReinviteTooSoonError,
  SmartLimitsError,
  StoreUnavailableError,
} from './errors.js';
// For webhook receivers: check `SmartLimits-Signature` before trusting a notification.
export { DEFAULT_TOLERANCE_SECONDS, EVENT_ID_HEADER, SIGNATURE_HEADER, signPayload, verifySignature } from '../notifications/signature.js';
export type { VerifyOptions } from '../notifications/signature.js';
