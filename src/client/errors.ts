/** Typed errors of the worker client; each carries the service's error envelope when there was one. */
export class SmartLimitsError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly errorLabel: string | null,
    readonly details: Record<string, unknown> | undefined,
    readonly retryAfterSeconds: number | null,
  ) {
    super(message);
    this.name = 'SmartLimitsError';
  }
}

/** One rule that refuses now (SPEC 4b `blocked_by`). */
export interface BlockedRule {
  rule: 'cooldown' | 'window' | 'burst' | 'gap' | 'in_flight' | 'working_hours';
  limit?: string | null;
  window_seconds?: number | null;
  /** When this rule alone passes; null: never by itself. */
  until: string | null;
}

/**
 * A refusal of the guard: `availableAt` is the earliest time every rule passes at once (null: no
 * time will do), `blockedBy` every rule that refuses now.
 */
export class GuardRefusalError extends SmartLimitsError {
  get availableAt(): Date | null {
    const a = this.details?.available_at;
    return typeof a === 'string' ? new Date(a) : null;
  }
  get blockedBy(): BlockedRule[] {
    const b = this.details?.blocked_by;
    return Array.isArray(b) ? (b as BlockedRule[]) : [];
  }
}

/** A Smart Limit (a main window, a burst window or LK_WRITE_ACTIONS) is full: do not retry before `availableAt` (null: it never fits as configured). */
export class LimitReachedError extends GuardRefusalError {
  override name = 'LimitReachedError';
  get limit(): string | null {
    return typeof this.details?.limit === 'string' ? this.details.limit : null;
  }
  /** "window" or "burst". */
  get rule(): string | null {
    return typeof this.details?.rule === 'string' ? this.details.rule : null;
  }
}

/** A gap has not passed since the identity's previous action of a limit: try again at `availableAt`. */
export class TooSoonError extends GuardRefusalError {
  override name = 'TooSoonError';
  get limit(): string | null {
    return typeof this.details?.limit === 'string' ? this.details.limit : null;
  }
}

/** Another outreach action of the identity is in flight (until its outcome is reported, it is released, or its lease ends). */
export class InFlightError extends GuardRefusalError {
  override name = 'InFlightError';
  /** The action in flight. */
  get inFlightActionId(): string | null {
    return typeof this.details?.action_id === 'string' ? this.details.action_id : null;
  }
  get leaseEndsAt(): Date | null {
    const e = this.details?.lease_ends_at;
    return typeof e === 'string' ? new Date(e) : null;
  }
}

/** The identity's working hours are closed; they open at `opensAt` (`availableAt` also counts every other rule). */
export class OutsideWorkingHoursError extends GuardRefusalError {
  override name = 'OutsideWorkingHoursError';
  get opensAt(): Date | null {
    const o = this.details?.opens_at;
    return typeof o === 'string' ? new Date(o) : null;
  }
}

/** The identity (or one of the action's limits) is cooling down after LinkedIn pushed back. */
export class CooldownError extends GuardRefusalError {
  override name = 'CooldownError';
  /** null: it waits for a person to clear it. */
  get endsAt(): Date | null {
    const e = this.details?.ends_at;
    return typeof e === 'string' ? new Date(e) : null;
  }
  get reason(): string | null {
    return typeof this.details?.reason === 'string' ? this.details.reason : null;
  }
}

/** The workspace's own API limit (internal 429), after the client's bounded retries. */
export class RateLimitedError extends SmartLimitsError {
  override name = 'RateLimitedError';
}

/** Redis or PostgreSQL unreachable (503), after the client's bounded retries. */
export class StoreUnavailableError extends SmartLimitsError {
  override name = 'StoreUnavailableError';
}

/** 409 ALREADY_INVITED: the identity's invitation to this person is pending or was accepted. Never retry it. */
export class AlreadyInvitedError extends SmartLimitsError {
  override name = 'AlreadyInvitedError';
  /** pending or accepted. */
  get invitationStatus(): string | null {
    return typeof this.details?.status === 'string' ? this.details.status : null;
  }
  get target(): string | null {
    return typeof this.details?.target === 'string' ? this.details.target : null;
  }
}

/** 429 REINVITE_TOO_SOON: the person's invitation was withdrawn under 21 days ago; it may be sent at `availableAt`. */
export class ReinviteTooSoonError extends SmartLimitsError {
  override name = 'ReinviteTooSoonError';
  get availableAt(): Date | null {
    const a = this.details?.available_at;
    return typeof a === 'string' ? new Date(a) : null;
  }
}
