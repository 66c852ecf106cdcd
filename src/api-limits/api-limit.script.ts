import { type Result } from 'ioredis';
import { NOW_INCLUDE, scriptNowArg } from '../redis/now.include.js';
import { composeLua, ReplyReader, RedisScript } from '../redis/redis-script.js';
import { API_LIMIT_INCLUDE, API_TAKE_LENGTH, type ApiLimitArgs, apiLimitArgv, type ApiTake, readApiTake } from './api-limit.include.js';

declare module 'ioredis' {
  interface RedisCommander<Context> {
    slApiLimit(numKeys: number, ...keysAndArgs: (string | number)[]): Result<unknown, Context>;
  }
}

export interface ApiLimitInput {
  /** The endpoint group's bucket and the workspace's daily counter (one hash tag). */
  bucketKey: string;
  dailyKey: string;
  /** The injected clock, or null for Redis TIME. */
  nowMs: number | null;
  limits: ApiLimitArgs;
  cost: number;
}

export interface ApiLimitReply {
  nowMs: number;
  take: ApiTake;
}

/** The standalone API-limit check (api-limit.lua): every authenticated route except the guard. */
export const API_LIMIT_SCRIPT = new RedisScript<ApiLimitInput, ApiLimitReply>({
  command: 'slApiLimit',
  lua: composeLua(new URL('./api-limit.lua', import.meta.url), [NOW_INCLUDE, API_LIMIT_INCLUDE]),
  encode: (i) => ({ keys: [i.bucketKey, i.dailyKey], args: [scriptNowArg(i.nowMs), ...apiLimitArgv(i.limits), i.cost] }),
  decode: (reply) => {
    const r: ReplyReader = new ReplyReader('api-limit.lua', reply).expectLength(1 + API_TAKE_LENGTH);
    const out = { nowMs: r.int('now', 0), take: readApiTake(r) };
    r.end();
    return out;
  },
});
