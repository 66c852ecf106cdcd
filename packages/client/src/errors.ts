/**
 * Typed errors of the client. Every error the service answers is a `SmartLimitsError` carrying its
 * envelope (SPEC §8: status, `error_label`, message, details); the class is chosen from the
 * `error_label` by `ERROR_CLASS_BY_LABEL` below, then by status, so a new label is one line.
 */

export interface SmartLimitsErrorInit {
  message: string;
  /** HTTP status; 0 when the service was never reached. */
  status: number;
  errorLabel: string | null;
  details?: Record<string, unknown> | undefined;
  /** `Retry-After` of the answer, in seconds (null when absent). */
  retryAfterSeconds?: number | null;
  /** `X-Request-Id` of the answer: quote it when reporting a problem. */
  requestId?: string | null;
  /** `error_id` of a 500: the service logged the error under it. */
  errorId?: string | null;
  cause?: unknown;
}

export class SmartLimitsError extends Error {
  override name = 'SmartLimitsError';
  readonly status: number;
  readonly errorLabel: string | null;
  readonly details: Record<string, unknown> | undefined;
  readonly retryAfterSeconds: number | null;
  readonly requestId: string | null;
  readonly errorId: string | null;

  constructor(init: SmartLimitsErrorInit) {
    super(init.message, init.cause === undefined ? undefined : { cause: init.cause });
    this.status = init.status;
    this.errorLabel = init.errorLabel;
    this.details = init.details;
    this.retryAfterSeconds = init.retryAfterSeconds ?? null;
    this.requestId = init.requestId ?? null;
    this.errorId = init.errorId ?? null;
  }

  /** The service's own back-pressure or unavailability: the client retries it within `maxAttempts`. */
  get retryable(): boolean {
    return false;
  }
}

const text = (v: unknown): string | null => (typeof v === 'string' ? v : null);
const date = (v: unknown): Date | null => (typeof v === 'string' && !Number.isNaN(Date.parse(v)) ? new Date(v) : null);

/** `400 VALIDATION_FAILED`: `fields` maps each refused field to what is wrong with it. */
export class ValidationError extends SmartLimitsError {
  override name = 'ValidationError';
  get fields(): Record<string, string[]> {
    const out: Record<string, string[]> = {};
    for (const [k, v] of Object.entries(this.details ?? {})) {
      if (Array.isArray(v)) out[k] = v.filter((x): x is string => typeof x === 'string');
    }
    return out;
  }
}

/** `401`: the API key is missing, unknown or revoked. */
export class UnauthorizedError extends SmartLimitsError {
  override name = 'UnauthorizedError';
}

/** `403`: the key may not do this (e.g. the admin key on a workspace route). */
export class ForbiddenError extends SmartLimitsError {
  override name = 'ForbiddenError';
}

/** `403 NO_VALID_ACCOUNT_CONFIGURED`: the identity's account type cannot perform the action. */
export class AccountTypeError extends ForbiddenError {
  override name = 'AccountTypeError';
}

/** `404`: no such identity, webhook or action in this workspace. */
export class NotFoundError extends SmartLimitsError {
  override name = 'NotFoundError';
}

/** `409`: e.g. an `external_id` already used in the workspace. */
export class ConflictError extends SmartLimitsError {
  override name = 'ConflictError';
}

/** `409 IDENTITY_PAUSED`: an operator paused this identity; nothing runs through it until it is resumed. */
export class IdentityPausedError extends ConflictError {
  override name = 'IdentityPausedError';
}

/** `409 WEBHOOK_LIMIT`: the workspace has as many webhooks as it may. */
export class WebhookLimitError extends ConflictError {
  override name = 'WebhookLimitError';
}

/** `400 WEBHOOK_URL_REFUSED`: the webhook URL points at a network the service refuses to call. */
export class WebhookUrlRefusedError extends SmartLimitsError {
  override name = 'WebhookUrlRefusedError';
}

/** One rule that refuses now (`details.blocked_by`, SPEC 4b). */
export interface BlockedRule {
  rule: string;
  limit?: string | null;
  window_seconds?: number | null;
  /** When this rule alone passes; null: never by itself. */
  until: string | null;
  last_action_at?: string;
}

const blockedRules = (v: unknown): BlockedRule[] =>
  Array.isArray(v)
    ? v.filter((x): x is BlockedRule => typeof x === 'object' && x !== null && typeof (x as { rule?: unknown }).rule === 'string')
    : [];

/** `429 LIMIT_REACHED`: a Smart Limit (a main window, a burst window or LK_WRITE_ACTIONS) is full. Do not retry before `availableAt` (null: it never fits as configured). */
export class LimitReachedError extends SmartLimitsError {
  override name = 'LimitReachedError';
  /** The earliest time every rule passes at once (null: no time will do). */
  get availableAt(): Date | null {
    return date(this.details?.available_at);
  }
  /** Every rule that refuses now. */
  get blockedBy(): BlockedRule[] {
    return blockedRules(this.details?.blocked_by);
  }
  /** window, burst, pending_invitations or acceptance_rate. */
  get rule(): string | null {
    return text(this.details?.rule);
  }
  /** The limit that is full, e.g. `LK_INVITATIONS_SENT`. */
  get limit(): string | null {
    return text(this.details?.limit);
  }
}

/** `409 ALREADY_INVITED`: the identity's invitation to this person is pending or was accepted. Never retry it. */
export class AlreadyInvitedError extends ConflictError {
  override name = 'AlreadyInvitedError';
  /** pending or accepted. */
  get invitationStatus(): string | null {
    return text(this.details?.status);
  }
  get target(): string | null {
    return text(this.details?.target);
  }
}

/** `429 REINVITE_TOO_SOON`: the person's invitation was withdrawn under 21 days ago; it may be sent at `availableAt`. */
export class ReinviteTooSoonError extends SmartLimitsError {
  override name = 'ReinviteTooSoonError';
  get availableAt(): Date | null {
    return date(this.details?.available_at);
  }
}

/** A pacing refusal (SPEC 4b): `availableAt` is when every rule passes at once; `blockedBy` lists every rule that refuses now. */
export class PacingRefusalError extends SmartLimitsError {
  override name = 'PacingRefusalError';
  get availableAt(): Date | null {
    return date(this.details?.available_at);
  }
  get blockedBy(): BlockedRule[] {
    return blockedRules(this.details?.blocked_by);
  }
}

/** `429 TOO_SOON`: a gap has not passed since the identity's previous action of `limit`. */
export class TooSoonError extends PacingRefusalError {
  override name = 'TooSoonError';
  get limit(): string | null {
    return text(this.details?.limit);
  }
  get lastActionAt(): Date | null {
    return date(this.details?.last_action_at);
  }
}

/** `429 IN_FLIGHT`: another outreach action of the identity is in flight until its outcome is reported, it is released, or its lease ends. */
export class InFlightError extends PacingRefusalError {
  override name = 'InFlightError';
  /** The action in flight. */
  get inFlightActionId(): string | null {
    return text(this.details?.action_id);
  }
  get leaseEndsAt(): Date | null {
    return date(this.details?.lease_ends_at);
  }
}

/** `429 OUTSIDE_WORKING_HOURS`: the identity's working hours are closed; they open at `opensAt` (`availableAt` counts every other rule too). */
export class OutsideWorkingHoursError extends PacingRefusalError {
  override name = 'OutsideWorkingHoursError';
  get opensAt(): Date | null {
    return date(this.details?.opens_at);
  }
}

export type CooldownScope = 'identity' | 'limits';

/**
 * `429 COOLDOWN`: LinkedIn pushed back (or an operator said so) and the service holds this action
 * back. `scope` says what is cooling: the whole `identity` (pause it), or only some `limits` of it
 * (park this action; the identity's other actions still run).
 */
export class CooldownError extends SmartLimitsError {
  override name = 'CooldownError';
  get scope(): CooldownScope {
    return this.details?.scope === 'limits' ? 'limits' : 'identity';
  }
  /** The limits cooling down (empty when the whole identity is). */
  get limits(): string[] {
    const l = this.details?.limits;
    if (Array.isArray(l)) return l.filter((x): x is string => typeof x === 'string');
    const one = text(this.details?.limit);
    return one ? [one] : [];
  }
  /** The cooling limit that refused this action (null when the whole identity is cooling). */
  get limit(): string | null {
    return text(this.details?.limit);
  }
  /** null: it lasts until a person clears it (`POST /v1/identities/{id}/cooldowns/clear`). */
  get endsAt(): Date | null {
    return date(this.details?.ends_at);
  }
  /** e.g. `STATUS_429_STRIKE_1`, `BLOCKED_ANTIBOT`, `CHALLENGE_REQUIRED`. */
  get reason(): string | null {
    return text(this.details?.reason);
  }
}

/** `429` of the workspace's own API limits (or the per-IP limit), after the client's bounded retries. */
export class RateLimitedError extends SmartLimitsError {
  override name = 'RateLimitedError';
  override get retryable(): boolean {
    return true;
  }
}

/** `503`: Redis or PostgreSQL cannot be reached by the service, after the client's bounded retries. */
export class StoreUnavailableError extends SmartLimitsError {
  override name = 'StoreUnavailableError';
  override get retryable(): boolean {
    return true;
  }
}

/**
 * The service could not be reached: connection refused, DNS failure, timeout, connection reset, or a
 * gateway's 502/504 in front of it. `status` is 0 (or the gateway's status); `cause` is the
 * underlying error. Retried like a 503 within `maxAttempts`, except when the request may have been
 * processed and repeating it is not safe (see `requestSent`).
 */
export class ServiceUnreachableError extends SmartLimitsError {
  override name = 'ServiceUnreachableError';
  /** `false`: the request never left (refused, DNS, connect timeout); `'unknown'`: it may have been processed. */
  readonly requestSent: false | 'unknown';
  constructor(init: SmartLimitsErrorInit & { requestSent: false | 'unknown' }) {
    super(init);
    this.requestSent = init.requestSent;
  }
  override get retryable(): boolean {
    return true;
  }
}

/** `500`: a bug in the service; quote `errorId` when reporting it. */
export class ServerError extends SmartLimitsError {
  override name = 'ServerError';
}

type ErrorClass = new (init: SmartLimitsErrorInit) => SmartLimitsError;

/**
 * The class for each `error_label` the service answers. Adding a label is one line here (and a
 * class above when callers should tell it apart).
 */
export const ERROR_CLASS_BY_LABEL: Readonly<Record<string, ErrorClass>> = {
  VALIDATION_FAILED: ValidationError,
  UNAUTHORIZED: UnauthorizedError,
  FORBIDDEN: ForbiddenError,
  NO_VALID_ACCOUNT_CONFIGURED: AccountTypeError,
  NOT_FOUND: NotFoundError,
  CONFLICT: ConflictError,
  IDENTITY_PAUSED: IdentityPausedError,
  ALREADY_INVITED: AlreadyInvitedError,
  REINVITE_TOO_SOON: ReinviteTooSoonError,
  WEBHOOK_LIMIT: WebhookLimitError,
  WEBHOOK_URL_REFUSED: WebhookUrlRefusedError,
  LIMIT_REACHED: LimitReachedError,
  TOO_SOON: TooSoonError,
  IN_FLIGHT: InFlightError,
  OUTSIDE_WORKING_HOURS: OutsideWorkingHoursError,
  COOLDOWN: CooldownError,
  RATE_LIMITED: RateLimitedError,
  ip_rate_limited: RateLimitedError,
  STORE_UNAVAILABLE: StoreUnavailableError,
  INTERNAL_ERROR: ServerError,
};

/**
 * Without a label (or with one this client does not know), the status decides. A 429 is the API
 * limit only when it carries no label: an unknown labelled 429 is a refusal to act on, never one
 * to retry blindly.
 */
const ERROR_CLASS_BY_STATUS: Readonly<Record<number, ErrorClass>> = {
  400: ValidationError,
  401: UnauthorizedError,
  403: ForbiddenError,
  404: NotFoundError,
  409: ConflictError,
  500: ServerError,
  503: StoreUnavailableError,
};

/** The error for an answer of the service (`body` is its parsed JSON, when it was JSON). */
export function errorFromResponse(status: number, body: unknown, headers: { get(name: string): string | null }): SmartLimitsError {
  const envelope = typeof body === 'object' && body !== null ? (body as { error?: unknown }).error : undefined;
  const e = typeof envelope === 'object' && envelope !== null ? (envelope as Record<string, unknown>) : {};
  const label = text(e.error_label);
  const details =
    typeof e.details === 'object' && e.details !== null && !Array.isArray(e.details) ? (e.details as Record<string, unknown>) : undefined;
  const inBody = details?.['Retry-After'];
  const ra = headers.get('retry-after') ?? (typeof inBody === 'string' || typeof inBody === 'number' ? String(inBody) : null);
  const init: SmartLimitsErrorInit = {
    message: text(e.message) ?? `HTTP ${status}`,
    status,
    errorLabel: label,
    details,
    retryAfterSeconds: ra !== null && /^\d+$/.test(ra.trim()) ? Number(ra.trim()) : null,
    requestId: headers.get('x-request-id'),
    errorId: text(e.error_id),
  };
  if (status === 502 || status === 504) {
    return new ServiceUnreachableError({ ...init, message: `${init.message}: a gateway could not reach the service`, requestSent: 'unknown' });
  }
  const byLabel = label !== null ? ERROR_CLASS_BY_LABEL[label] : undefined;
  if (byLabel) return new byLabel(init);
  if (status === 429 && label === null) return new RateLimitedError(init);
  const byStatus = ERROR_CLASS_BY_STATUS[status];
  return byStatus ? new byStatus(init) : new SmartLimitsError(init);
}
