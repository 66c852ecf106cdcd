import { NOW_INCLUDE } from '../redis/now.include.js';
import { luaInclude, type ReplyReader } from '../redis/redis-script.js';

/**
 * `api_take(...)`, the workspace API limit (see api-limit.include.lua). Owned by api-limits; the
 * guard's script includes it to check the /v1/actions limit in its own single call.
 */
export const API_LIMIT_INCLUDE = luaInclude(new URL('./api-limit.include.lua', import.meta.url), [NOW_INCLUDE]);

/** api_take's reply. */
export interface ApiTake {
  ok: boolean;
  retryAfterMs: number;
  /** -1: no per-minute limit. */
  minuteRemaining: number;
  minuteResetMs: number;
  refusedBy: '' | 'second' | 'minute' | 'daily';
  /** -1: no daily limit. */
  dailyRemaining: number;
  /** -1: no per-second limit. */
  secondRemaining: number;
}

/** The number of values api_take puts in a reply. */
export const API_TAKE_LENGTH = 7;

/** The limits api_take checks (0 = none), as they go into ARGV. */
export interface ApiLimitArgs {
  perSecond: number;
  perMinute: number;
  daily: number;
}

export function apiLimitArgv(a: ApiLimitArgs): number[] {
  return [a.perSecond, a.perMinute, a.daily];
}

/** Reads api_take's 7 values from a script reply. */
export function readApiTake(r: ReplyReader): ApiTake {
  return {
    ok: r.int('api ok', 0, 1) === 1,
    retryAfterMs: r.int('api retry_after_ms', 0),
    minuteRemaining: r.int('api minute_remaining', -1),
    minuteResetMs: r.int('api minute_reset_ms', 0),
    refusedBy: r.oneOf('api refused_by', ['', 'second', 'minute', 'daily'] as const),
    dailyRemaining: r.int('api daily_remaining', -1),
    secondRemaining: r.int('api second_remaining', -1),
  };
}
