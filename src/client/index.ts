// The worker client, exported as `smart-limits/client`.
export { SmartLimitsClient } from './client.js';
export type {
  ActionResult,
  ClientOptions,
  GuardOptions,
  GuardResult,
  LimitState,
  NextAllowed,
  Outcome,
  OutcomeResult,
  ScheduledAction,
  ScheduleOptions,
} from './client.js';
export {
  CooldownError,
  GuardRefusalError,
  InFlightError,
  LimitReachedError,
  OutsideWorkingHoursError,
  RateLimitedError,
  SmartLimitsError,
  StoreUnavailableError,
  TooSoonError,
} from './errors.js';
export type { BlockedRule } from './errors.js';
// For webhook receivers: check `SmartLimits-Signature` before trusting a notification.
export { DEFAULT_TOLERANCE_SECONDS, EVENT_ID_HEADER, SIGNATURE_HEADER, signPayload, verifySignature } from '../notifications/signature.js';
export type { VerifyOptions } from '../notifications/signature.js';
