import { apiLimitHeaders, apiLimitRefusal } from '../api-limits/rate-limit-http.js';
import { ApiError } from '../common/errors/api-error.js';
import { type GuardLimitState } from './guard.dto.js';
import { type GuardOutcome } from './guard.service.js';
import { limitReachedMessage } from './limit-reached-message.js';
import { SmartLimitsErrorLabel } from './smart-limits.errors.js';
import { INVITATION_RULES } from '../invitations/invitation-rules.js';

const unix = (iso: string | null, fallbackMs: number) => String(Math.ceil((iso ? Date.parse(iso) : fallbackMs) / 1000));

/**
 * The IETF RateLimit fields list every policy that applied (the /v1/actions API limit and the
 * tightest Smart Limit); the X-RateLimit trio describes the limit that decided (SPEC §6).
 */
export function guardHeaders(outcome: GuardOutcome, tightest: GuardLimitState | null): Record<string, string> {
  const smart = limitHeaders(tightest);
  if (!outcome.api) return smart;
  const { take, limits, nowMs } = outcome.api;
  const extra = tightest
    ? [
        {
          policy: `"smart-limits/${tightest.slug}";q=${tightest.max_limit};w=${tightest.window_seconds}`,
          remaining: `"smart-limits/${tightest.slug}";r=${tightest.remaining};t=${Math.max(0, Number(smart['X-RateLimit-Reset']) - Math.ceil(nowMs / 1000))}`,
        },
      ]
    : [];
  const api = apiLimitHeaders('/v1/actions', limits, take, nowMs, extra);
  return { ...api, ...smart };
}

/** Headers describing the tightest Smart Limit of an allowed decision. */
export function limitHeaders(tightest: GuardLimitState | null): Record<string, string> {
  if (!tightest) return {};
  return {
    'X-RateLimit-Limit': String(tightest.max_limit),
    'X-RateLimit-Remaining': String(tightest.remaining),
    'X-RateLimit-Reset': unix(tightest.remaining > 0 ? tightest.reset_at : tightest.available_at, Date.now()),
    'X-RateLimit-Type': `smart-limits/${tightest.slug}`,
  };
}

/** Turns a refusal into the 429 of SPEC §4 (Retry-After in whole seconds, rounded up, never 0). */
export function refusalError(outcome: Exclude<GuardOutcome, { kind: 'allowed' }>, identityId: string, action: string): ApiError {
  if (outcome.kind === 'api_limited') {
    const a = outcome.api!;
    return apiLimitRefusal('/v1/actions', a.limits, a.take, a.nowMs);
  }
  if (outcome.kind === 'already_invited') {
    // No Retry-After: no waiting changes it.
    return new ApiError(
      409,
      SmartLimitsErrorLabel.ALREADY_INVITED,
      `This identity's invitation to ${outcome.target} is ${outcome.invitationStatus === 'pending' ? 'still pending' : 'accepted already'}`,
      { identity_id: identityId, action, target: outcome.target, status: outcome.invitationStatus },
    );
  }
  if (outcome.kind === 'reinvite_too_soon') {
    const availableMs = outcome.availableAt?.getTime() ?? null;
    const headers: Record<string, string> = {};
    if (availableMs !== null) headers['Retry-After'] = String(Math.max(1, Math.ceil((availableMs - outcome.nowMs) / 1000)));
    return new ApiError(
      429,
      SmartLimitsErrorLabel.REINVITE_TOO_SOON,
      `The invitation to ${outcome.target} was withdrawn less than ${INVITATION_RULES.reinviteAfterDays} days ago`,
      {
        identity_id: identityId,
        action,
        target: outcome.target,
        reinvite_after_days: INVITATION_RULES.reinviteAfterDays,
        available_at: availableMs === null ? null : new Date(availableMs).toISOString(),
        limits: outcome.states,
        ...headers,
      },
      headers,
    );
  }
  if (outcome.kind === 'limit_reached' && outcome.rule !== 'window') {
    // Pending cap or acceptance rate: no time frees them, only reports (available_at null, no Retry-After).
    const l = outcome.limit;
    const message =
      outcome.rule === 'pending_invitations'
        ? `${outcome.invitation?.pending_invitations ?? INVITATION_RULES.pendingRefuse} invitations are pending (refused from ${INVITATION_RULES.pendingRefuse}): withdraw the oldest or reconcile`
        : `The acceptance rate is below ${INVITATION_RULES.refuseRate * 100} %: invitations are refused until it recovers or a person clears it`;
    return new ApiError(429, SmartLimitsErrorLabel.LIMIT_REACHED, message, {
      identity_id: identityId,
      action,
      limit: l.slug,
      rule: outcome.rule,
      available_at: null,
      ...outcome.invitation,
      limits: outcome.states,
    });
  }
  if (outcome.kind === 'limit_reached') {
    const l = outcome.limit;
    const availableMs = outcome.availableAt?.getTime() ?? null;
    // Never fits (threshold below the cost, or 0): wait at least the window before asking again.
    const retryAfter = availableMs === null ? l.windowSeconds : Math.max(1, Math.ceil((availableMs - outcome.nowMs) / 1000));
    const headers: Record<string, string> = {
      'Retry-After': String(retryAfter),
      'X-RateLimit-Limit': String(l.max),
      'X-RateLimit-Remaining': '0',
      'X-RateLimit-Reset': String(Math.ceil((availableMs ?? outcome.nowMs + l.windowMs) / 1000)),
      'X-RateLimit-Type': `smart-limits/${l.slug}`,
    };
    return new ApiError(
      429,
      SmartLimitsErrorLabel.LIMIT_REACHED,
      limitReachedMessage(l),
      {
        identity_id: identityId,
        action,
        limit: l.slug,
        rule: 'window',
        max_limit: l.max,
        window_seconds: l.windowSeconds,
        warmup_factor: l.warmupFactor,
        available_at: availableMs === null ? null : new Date(availableMs).toISOString(),
        limits: outcome.states,
        ...headers,
      },
      headers,
    );
  }
  const c = outcome.cooldown;
  // The mirror carries the cooldown's exact end; now + PTTL is only as exact as the TTL's rounding.
  const endsAt = typeof c.ends_at === 'string' ? c.ends_at : outcome.endsAt ? outcome.endsAt.toISOString() : (c.ends_at ?? null);
  const headers: Record<string, string> = {};
  if (outcome.endsAt) headers['Retry-After'] = String(Math.max(1, Math.ceil((outcome.endsAt.getTime() - outcome.nowMs) / 1000)));
  return new ApiError(
    429,
    SmartLimitsErrorLabel.COOLDOWN,
    endsAt
      ? `Identity is cooling down (${c.reason ?? 'cooldown'}) until ${endsAt}`
      : `Identity is cooling down (${c.reason ?? 'cooldown'}) until a person clears it`,
    {
      identity_id: identityId,
      action,
      cooldown_id: c.id ?? null,
      reason: c.reason ?? null,
      level: c.level ?? null,
      scope: outcome.limit ? 'limits' : (c.scope ?? 'identity'),
      limit: outcome.limit,
      started_at: c.started_at ?? null,
      ends_at: endsAt,
      ...headers,
    },
    headers,
  );
}
