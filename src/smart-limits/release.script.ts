import { type Result } from 'ioredis';
import { composeLua, intReply, RedisScript } from '../redis/redis-script.js';

declare module 'ioredis' {
  interface RedisCommander<Context> {
    slRelease(numKeys: number, ...keysAndArgs: (string | number)[]): Result<unknown, Context>;
  }
}

export interface ReleaseInput {
  /** The windows of the action's limits. */
  windowKeys: string[];
  member: string;
}

/** Takes a recorded action out of every window (release.lua); answers the units removed (0: not recorded). */
export const RELEASE_SCRIPT = new RedisScript<ReleaseInput, number>({
  command: 'slRelease',
  lua: composeLua(new URL('./release.lua', import.meta.url)),
  encode: (i) => ({ keys: i.windowKeys, args: [i.member] }),
  decode: (reply) => intReply('release.lua', reply, 0),
});
