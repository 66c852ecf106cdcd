// The worker client, exported as `smart-limits/client`.
export { SmartLimitsClient } from './client.js';
export type { ActionResult, ClientOptions, GuardOptions, GuardResult, LimitState, Outcome, OutcomeResult } from './client.js';
export { CooldownError, LimitReachedError, RateLimitedError, SmartLimitsError, StoreUnavailableError } from './errors.js';
