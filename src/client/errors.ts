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

/** A Smart Limit is full: do not retry before `availableAt` (null: it never fits as configured). */
export class LimitReachedError extends SmartLimitsError {
  override name = 'LimitReachedError';
  get availableAt(): Date | null {
    const a = this.details?.available_at;
    return typeof a === 'string' ? new Date(a) : null;
  }
  get limit(): string | null {
    return typeof this.details?.limit === 'string' ? this.details.limit : null;
  }
}

/** The identity (or one of the action's limits) is cooling down after LinkedIn pushed back. */
export class CooldownError extends SmartLimitsError {
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
