import { type Result } from 'ioredis';
import { NOW_INCLUDE, scriptNowArg } from '../redis/now.include.js';
import { composeLua, ReplyReader, RedisScript } from '../redis/redis-script.js';
import { WINDOW_INCLUDE } from '../smart-limits/window.include.js';

declare module 'ioredis' {
  interface RedisCommander<Context> {
    slActivity(numKeys: number, ...keysAndArgs: (string | number)[]): Result<unknown, Context>;
  }
}

export interface ActivityInput {
  nowMs: number | null;
  spanMs: number;
  bucketMs: number;
  /** One identity's windows. */
  limits: { windowKey: string; windowMs: number }[];
}

export interface ActivityReply {
  nowMs: number;
  /** Per limit, the units of each bucket (oldest first); null where the bucket starts before the limit's window. */
  counts: (number | null)[][];
}

/** Units recorded per limit per bucket, counted with ZCOUNT (activity.lua). Read-only. */
export const ACTIVITY_SCRIPT = new RedisScript<ActivityInput, ActivityReply>({
  command: 'slActivity',
  lua: composeLua(new URL('./activity.lua', import.meta.url), [NOW_INCLUDE, WINDOW_INCLUDE]),
  encode: (i) => ({
    keys: i.limits.map((l) => l.windowKey),
    args: [scriptNowArg(i.nowMs), i.spanMs, i.bucketMs, ...i.limits.map((l) => l.windowMs)],
  }),
  decode: (reply, input) => {
    const buckets = Math.floor(input.spanMs / input.bucketMs);
    const r: ReplyReader = new ReplyReader('activity.lua', reply).expectLength(1 + input.limits.length * buckets);
    const nowMs = r.int('now', 0);
    const counts = input.limits.map(() =>
      Array.from({ length: buckets }, () => {
        const c = r.int('bucket count', -1);
        return c === -1 ? null : c;
      }),
    );
    r.end();
    return { nowMs, counts };
  },
});
