import { type Result } from 'ioredis';
import { composeLua, intReply, RedisScript } from '../redis/redis-script.js';

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
  member: string;
  actionId: string;
}

/** Takes a recorded action out of every window and frees its lease (release.lua); answers the units removed (0: not recorded). */
export const RELEASE_SCRIPT = new RedisScript<ReleaseInput, number>({
  command: 'slRelease',
  lua: composeLua(new URL('./release.lua', import.meta.url)),
  encode: (i) => ({ keys: [...i.windowKeys, i.leaseKey], args: [i.member, i.actionId] }),
  decode: (reply) => intReply('release.lua', reply, 0),
});

/** Frees the in-flight lease when `actionId` holds it (free-lease.lua): 1 freed, 0 not. */
export const FREE_LEASE_SCRIPT = new RedisScript<{ leaseKey: string; actionId: string }, number>({
  command: 'slFreeLease',
  lua: composeLua(new URL('./free-lease.lua', import.meta.url)),
  encode: (i) => ({ keys: [i.leaseKey], args: [i.actionId] }),
  decode: (reply) => intReply('free-lease.lua', reply, 0, 1),
});
