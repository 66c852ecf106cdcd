import { apiLimitHeaders, apiLimitRefusal } from '../api-limits/rate-limit-http.js';
import { ApiError } from '../common/errors/api-error.js';
import { type GuardLimitState } from './guard.dto.js';
import { type GuardOutcome, type Refusal } from './guard.service.js';
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
  return refusalToError(outcome, identityId, action);
}

const secondsUntil = (ms: number, nowMs: number) => String(Math.max(1, Math.ceil((ms - nowMs) / 1000)));

/**
 * SPEC 4b: `error_label` names the rule that frees last, `details.blocked_by` lists every rule that
 * refuses now, and `available_at` / `Retry-After` are when the action passes all of them at once.
 */
function refusalToError(r: Refusal, identityId: string, action: string): ApiError {
  const availableMs = r.availableAt?.getTime() ?? null;
  const available_at = availableMs === null ? null : new Date(availableMs).toISOString();
  const common = { identity_id: identityId, action, available_at, blocked_by: r.blockedBy };
  const headers: Record<string, string> = {};
  if (availableMs !== null) headers['Retry-After'] = secondsUntil(availableMs, r.nowMs);

  if (r.label === 'LIMIT_REACHED' && (r.primary.rule === 'pending_invitations' || r.primary.rule === 'acceptance_rate')) {
    // Pending cap or acceptance rate: no time frees them, only reports (available_at null, no Retry-After).
    const message =
      r.primary.rule === 'pending_invitations'
        ? `${r.invitation?.pending_invitations ?? INVITATION_RULES.pendingRefuse} invitations are pending (refused from ${INVITATION_RULES.pendingRefuse}): withdraw the oldest or reconcile`
        : `The acceptance rate is below ${INVITATION_RULES.refuseRate * 100} %: invitations are refused until it recovers or a person clears it`;
    return new ApiError(
      429,
      SmartLimitsErrorLabel.LIMIT_REACHED,
      message,
      {
        ...common,
        limit: r.primary.limit,
        rule: r.primary.rule,
        ...r.invitation,
        limits: r.states,
        ...headers,
      },
      headers,
    );
  }
  if (r.label === 'REINVITE_TOO_SOON') {
    return new ApiError(
      429,
      SmartLimitsErrorLabel.REINVITE_TOO_SOON,
      `The invitation to ${r.target ?? 'this person'} was withdrawn less than ${INVITATION_RULES.reinviteAfterDays} days ago`,
      {
        ...common,
        target: r.target ?? null,
        rule: 'reinvite',
        reinvite_after_days: INVITATION_RULES.reinviteAfterDays,
        limits: r.states,
        ...headers,
      },
      headers,
    );
  }
  if (r.label === 'LIMIT_REACHED' && r.limit) {
    const l = r.limit;
    const rule = r.primary.rule === 'burst' ? 'burst' : 'window';
    const windowSeconds = r.primary.window_seconds ?? l.windowSeconds;
    const max = r.windowMax ?? l.max;
    // Never fits (threshold below the cost, or 0): wait at least the window before asking again.
    if (availableMs === null) headers['Retry-After'] = String(windowSeconds);
    Object.assign(headers, {
      'X-RateLimit-Limit': String(max),
      'X-RateLimit-Remaining': '0',
      'X-RateLimit-Reset': String(Math.ceil((availableMs ?? r.nowMs + windowSeconds * 1000) / 1000)),
      'X-RateLimit-Type': `smart-limits/${l.slug}`,
    });
    const message =
      rule === 'burst' ? `${l.slug} is at its burst window for this identity (${max} per ${windowSeconds / 60} min)` : limitReachedMessage(l);
    return new ApiError(
      429,
      SmartLimitsErrorLabel.LIMIT_REACHED,
      message,
      {
        ...common,
        limit: l.slug,
        rule,
        max_limit: max,
        window_seconds: windowSeconds,
        // A burst is never scaled by warm-up.
        warmup_factor: rule === 'burst' ? 1 : l.warmupFactor,
        limits: r.states,
        ...headers,
      },
      headers,
    );
  }
  if (r.label === 'TOO_SOON') {
    const gap = r.primary;
    return new ApiError(
      429,
      SmartLimitsErrorLabel.TOO_SOON,
      `Too soon after the previous ${gap.limit} action of this identity; next at ${available_at}`,
      { ...common, limit: gap.limit, rule: 'gap', last_action_at: gap.last_action_at ?? null, ...headers },
      headers,
    );
  }
  if (r.label === 'IN_FLIGHT') {
    const lease = r.lease;
    return new ApiError(
      429,
      SmartLimitsErrorLabel.IN_FLIGHT,
      `Another outreach action of this identity is in flight (${lease?.actionId ?? 'unknown'}); report its outcome or release it`,
      {
        ...common,
        rule: 'in_flight',
        action_id: lease?.actionId ?? null,
        lease_ends_at: lease?.endsAt ? lease.endsAt.toISOString() : null,
        ...headers,
      },
      headers,
    );
  }
  if (r.label === 'OUTSIDE_WORKING_HOURS') {
    return new ApiError(
      429,
      SmartLimitsErrorLabel.OUTSIDE_WORKING_HOURS,
      `The identity's working hours are closed; they open at ${r.primary.until}`,
      { ...common, rule: 'working_hours', opens_at: r.primary.until, ...headers },
      headers,
    );
  }
  const cd = r.cooldown;
  const c = cd?.mirror ?? {};
  // The mirror carries the cooldown's exact end; now + PTTL is only as exact as the TTL's rounding.
  const endsAt = typeof c.ends_at === 'string' ? c.ends_at : cd?.endsAt ? cd.endsAt.toISOString() : null;
  // Say what is cooling: one limit of the identity (park this action, others still run) or all of it.
  const scope = cd?.limit ? 'limits' : (c.scope ?? 'identity');
  const what = cd?.limit ? `${cd.limit} is cooling down for this identity` : 'This identity is cooling down';
  const until = endsAt ? `until ${endsAt}` : 'until a person clears it';
  return new ApiError(
    429,
    SmartLimitsErrorLabel.COOLDOWN,
    `${what} (${c.reason ?? 'cooldown'}) ${until}`,
    {
      ...common,
      rule: 'cooldown',
      cooldown_id: c.id ?? null,
      reason: c.reason ?? null,
      level: c.level ?? null,
      scope,
      limit: cd?.limit ?? null,
      limits: scope === 'limits' ? (c.limits?.length ? c.limits : [cd?.limit]) : [],
      started_at: c.started_at ?? null,
      ends_at: endsAt,
      ...headers,
    },
    headers,
  );
}
