import { type Result } from 'ioredis';
import { composeLua, intReply, RedisScript } from '../redis/redis-script.js';

declare module 'ioredis' {
  interface RedisCommander<Context> {
    slCooldownMirror(numKeys: number, ...keysAndArgs: (string | number)[]): Result<unknown, Context>;
  }
}

export interface CooldownMirrorInput {
  /** The identity's mirror, then one per limit: each key's JSON value (null deletes it) and TTL (null: none). */
  mirrors: { key: string; value: string | null; pttlMs: number | null }[];
}

/** Replaces every cooldown mirror of one identity atomically (cooldown-mirror.lua); answers how many now hold a cooldown. */
export const COOLDOWN_MIRROR_SCRIPT = new RedisScript<CooldownMirrorInput, number>({
  command: 'slCooldownMirror',
  lua: composeLua(new URL('./cooldown-mirror.lua', import.meta.url)),
  encode: (i) => ({
    keys: i.mirrors.map((m) => m.key),
    args: i.mirrors.flatMap((m) => (m.value === null ? ['', '0'] : [m.value, String(m.pttlMs ?? 0)])),
  }),
  decode: (reply, input) => intReply('cooldown-mirror.lua', reply, 0, input.mirrors.length),
});
