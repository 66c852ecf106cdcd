import { type Result } from 'ioredis';
import { NOW_INCLUDE, scriptNowArg } from '../redis/now.include.js';
import { composeLua, ReplyReader, RedisScript } from '../redis/redis-script.js';

declare module 'ioredis' {
  interface RedisCommander<Context> {
    slRelease(numKeys: number, ...keysAndArgs: (string | number)[]): Result<unknown, Context>;
  }
}

export interface ReleaseInput {
  /** The windows of the action's limits. */
  windowKeys: string[];
  member: string;
  /** The identity's marker (RedisKeys.marker): missing → `rebuild_needed`, nothing changed. */
  markerKey: string;
  /** The injected clock, or null for Redis TIME. */
  nowMs: number | null;
}

export type ReleaseReply =
  | { status: 'rebuild_needed'; nowMs: number }
  /** `units` 0: the action was not recorded (then `recordedAtMs` is null). */
  | { status: 'done'; units: number; recordedAtMs: number | null; nowMs: number };

/** Takes a recorded action out of every window (release.lua): the units removed and the score of the recording they were. */
export const RELEASE_SCRIPT = new RedisScript<ReleaseInput, ReleaseReply>({
  command: 'slRelease',
  lua: composeLua(new URL('./release.lua', import.meta.url), [NOW_INCLUDE]),
  encode: (i) => ({ keys: [...i.windowKeys, i.markerKey], args: [i.member, scriptNowArg(i.nowMs)] }),
  decode: (reply) => {
    const r = new ReplyReader('release.lua', reply).expectLength(3);
    const units = r.int('removed', -1);
    const score = r.msOrNone('score');
    const nowMs = r.int('now', 0);
    r.end();
    if (units === -1) return { status: 'rebuild_needed', nowMs };
    if (units > 0 !== (score !== null)) r.fail('removed units and the released score disagree');
    return { status: 'done', units, recordedAtMs: score, nowMs };
  },
});
