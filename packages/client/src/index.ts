// smart-limits-client: the typed worker client of the Smart Limits service.
export { actionIdFor, SmartLimitsClient } from './client.js';
export type {
  ActionIdentity,
  ActionResult,
  ClientOptions,
  GuardOptions,
  Outcome,
  RunOptions,
  RunResult,
  ScheduledAction,
  ScheduleOptions,
} from './client.js';
export {
  AccountTypeError,
  AlreadyInvitedError,
  ConflictError,
  CooldownError,
  ERROR_CLASS_BY_LABEL,
  errorFromResponse,
  ForbiddenError,
  IdentityPausedError,
  InFlightError,
  LimitReachedError,
  NotFoundError,
  OutsideWorkingHoursError,
  PacingRefusalError,
  RateLimitedError,
  ReinviteTooSoonError,
  ServerError,
  ServiceUnreachableError,
  SmartLimitsError,
  StoreUnavailableError,
  TooSoonError,
  UnauthorizedError,
  ValidationError,
  WebhookLimitError,
  WebhookUrlRefusedError,
} from './errors.js';
export type { BlockedRule, CooldownScope, SmartLimitsErrorInit } from './errors.js';
export type * from './types.js';
export type { components, operations, paths } from './generated/openapi.js';
// For webhook receivers: check `SmartLimits-Signature` before trusting a notification.
export { DEFAULT_TOLERANCE_SECONDS, EVENT_ID_HEADER, SIGNATURE_HEADER, signPayload, verifySignature } from './webhooks.js';
export type { VerifyOptions } from './webhooks.js';
