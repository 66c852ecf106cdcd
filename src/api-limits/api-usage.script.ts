import { type Result } from 'ioredis';
import { NOW_INCLUDE, scriptNowArg } from '../redis/now.include.js';
import { composeLua, ReplyReader, RedisScript } from '../redis/redis-script.js';
import { API_LIMIT_INCLUDE } from './api-limit.include.js';

declare module 'ioredis' {
  interface RedisCommander<Context> {
    slApiUsage(numKeys: number, ...keysAndArgs: (string | number)[]): Result<unknown, Context>;
  }
}

export interface ApiUsageInput {
  dailyKey: string;
  nowMs: number | null;
}

export interface ApiUsageReply {
  nowMs: number;
  requestsToday: number;
  /** The sliding daily estimate the daily limit is checked against (api_daily), rounded. */
  dailyEstimate: number;
}

/** Today's API usage of a workspace, read-only (api-usage.lua): the daily estimate computed where api_take computes it. */
export const API_USAGE_SCRIPT = new RedisScript<ApiUsageInput, ApiUsageReply>({
  command: 'slApiUsage',
  lua: composeLua(new URL('./api-usage.lua', import.meta.url), [NOW_INCLUDE, API_LIMIT_INCLUDE]),
  encode: (i) => ({ keys: [i.dailyKey], args: [scriptNowArg(i.nowMs)] }),
  decode: (reply) => {
    const r: ReplyReader = new ReplyReader('api-usage.lua', reply).expectLength(3);
    return { nowMs: r.int('now', 0), requestsToday: r.int('requests_today', 0), dailyEstimate: r.int('daily_estimate', 0) };
  },
});
