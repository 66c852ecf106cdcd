import { type Result } from 'ioredis';
import { NOW_INCLUDE, scriptNowArg } from '../redis/now.include.js';
import { actionMember } from './action-member.js';
import { composeLua, intReply, ReplyReader, RedisScript } from '../redis/redis-script.js';
import { WINDOW_INCLUDE } from './window.include.js';

declare module 'ioredis' {
  interface RedisCommander<Context> {
    slRelease(numKeys: number, ...keysAndArgs: (string | number)[]): Result<unknown, Context>;
    slFreeLease(numKeys: number, ...keysAndArgs: (string | number)[]): Result<unknown, Context>;
  }
}

export interface ReleaseInput {
  /** The windows of the action's limits. */
  windowKeys: string[];
  /** The identity's in-flight lease: freed too when this action holds it. */
  leaseKey: string;
  /** The identity's schedule: a planned action leaves it. */
  scheduleKey: string;
  /** "<action slug> <action_id>". */
  scheduleEntry: string;
  member: string;
  /** The caller's action_id (what the lease holds). */
  actionId: string;
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
  lua: composeLua(new URL('./release.lua', import.meta.url), [NOW_INCLUDE, WINDOW_INCLUDE]),
  encode: (i) => ({
    keys: [...i.windowKeys, i.leaseKey, i.markerKey, i.scheduleKey],
    args: [actionMember(i.member), scriptNowArg(i.nowMs), i.actionId, i.scheduleEntry],
  }),
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

/** Frees the in-flight lease when `actionId` holds it (free-lease.lua): 1 freed, 0 not. */
export const FREE_LEASE_SCRIPT = new RedisScript<{ leaseKey: string; actionId: string }, number>({
  command: 'slFreeLease',
  lua: composeLua(new URL('./free-lease.lua', import.meta.url)),
  encode: (i) => ({ keys: [i.leaseKey], args: [i.actionId] }),
  decode: (reply) => intReply('free-lease.lua', reply, 0, 1),
});
