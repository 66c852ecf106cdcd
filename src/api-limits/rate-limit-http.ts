import { ApiError } from '../common/errors/api-error.js';
import { type ApiTake } from './api-limit.include.js';
import { type EndpointGroup } from '../tiers/endpoint-groups.js';
import { type WorkspaceApiLimits } from './workspace-api-limits.js';

const secs = (ms: number) => Math.max(0, Math.ceil(ms / 1000));

/**
 * Headers of SPEC §6 for a request that passed the API limit: the X-RateLimit trio on the
 * per-minute bucket of its group, and the IETF fields (draft-ietf-httpapi-ratelimit-headers-11:
 * `RateLimit-Policy: "name";q=…;w=…` and `RateLimit: "name";r=…;t=…`) for every policy that applied.
 */
export function apiLimitHeaders(
  group: EndpointGroup,
  limits: WorkspaceApiLimits,
  take: ApiTake,
  nowMs: number,
  extraPolicies: { policy: string; remaining: string }[] = [],
): Record<string, string> {
  const g = limits.groups[group];
  const daily = limits.daily_api_limit.value;
  const policies: string[] = [];
  const states: string[] = [];
  if (g.per_minute > 0) {
    policies.push(`"minute";q=${g.per_minute};w=60`);
    states.push(`"minute";r=${Math.max(0, take.minuteRemaining)};t=${secs(take.minuteResetMs)}`);
  }
  if (g.per_second > 0) {
    policies.push(`"second";q=${Math.max(1, Math.ceil(g.per_second))};w=1`);
    states.push(`"second";r=${Math.max(0, take.secondRemaining)};t=${take.secondRemaining > 0 ? 0 : 1}`);
  }
  if (daily) {
    policies.push(`"daily";q=${daily};w=86400`);
    states.push(`"daily";r=${Math.max(0, take.dailyRemaining)};t=${secs(86_400_000 - (nowMs % 86_400_000))}`);
  }
  for (const e of extraPolicies) {
    policies.push(e.policy);
    states.push(e.remaining);
  }
  const h: Record<string, string> = {};
  if (policies.length) {
    h['RateLimit-Policy'] = policies.join(', ');
    h['RateLimit'] = states.join(', ');
  }
  if (g.per_minute > 0) {
    h['X-RateLimit-Limit'] = String(g.per_minute);
    h['X-RateLimit-Remaining'] = String(Math.max(0, take.minuteRemaining));
    h['X-RateLimit-Reset'] = String(Math.ceil((nowMs + take.minuteResetMs) / 1000));
    h['X-RateLimit-Type'] = group;
  }
  return h;
}

/** The 429 of the seed, body exactly in its shape; `X-RateLimit-Type` names the group or `daily`. */
export function apiLimitRefusal(group: EndpointGroup, limits: WorkspaceApiLimits, take: ApiTake, nowMs: number): ApiError {
  const type = take.refusedBy === 'daily' ? 'daily' : group;
  const g = limits.groups[group];
  const limit =
    take.refusedBy === 'daily'
      ? (limits.daily_api_limit.value ?? 0)
      : take.refusedBy === 'second'
        ? Math.max(1, Math.ceil(g.per_second))
        : g.per_minute;
  const retryAfter = Math.max(1, Math.ceil(take.retryAfterMs / 1000));
  const details = {
    'Retry-After': String(retryAfter),
    'X-RateLimit-Limit': String(limit),
    'X-RateLimit-Reset': String(Math.ceil((nowMs + take.retryAfterMs) / 1000)),
    'X-RateLimit-Type': type,
  };
  const body = {
    error: {
      code: 429,
      status: 'Too Many Requests',
      details,
      message: `Rate limit exceeded (${type})`,
    },
  };
  const headers = {
    ...apiLimitHeaders(group, limits, take, nowMs),
    ...details,
    'X-RateLimit-Remaining': '0',
  };
  return new ApiError(429, null, body.error.message, details, headers, body);
}
