import { randomUUID } from 'node:crypto';
import { type Result } from 'ioredis';
import { composeLua, intReply, RedisScript } from './redis-script.js';
import { type RedisClient } from './redis.tokens.js';

declare module 'ioredis' {
  interface RedisCommander<Context> {
    slLockRelease(numKeys: number, ...keysAndArgs: (string | number)[]): Result<unknown, Context>;
  }
}

const LOCK_RELEASE_SCRIPT = new RedisScript<{ key: string; token: string }, boolean>({
  command: 'slLockRelease',
  lua: composeLua(new URL('./lock-release.lua', import.meta.url)),
  encode: (i) => ({ keys: [i.key], args: [i.token] }),
  decode: (reply) => intReply('lock-release.lua', reply, 0, 1) === 1,
});

/**
 * A Redis lock: taken with a random token and a TTL longer than the work it guards (a crashed holder's
 * lock lapses), released by compare-and-delete so a holder whose TTL lapsed never frees another's.
 */
export class RedisLock {
  constructor(
    private readonly redis: RedisClient,
    private readonly key: string,
    private readonly ttlMs: number,
  ) {}

  /** The token when taken, null when another holds it. */
  async acquire(): Promise<string | null> {
    const token = randomUUID();
    return (await this.redis.set(this.key, token, 'PX', this.ttlMs, 'NX')) === 'OK' ? token : null;
  }

  /** True when this token still held it. */
  release(token: string): Promise<boolean> {
    return LOCK_RELEASE_SCRIPT.run(this.redis, { key: this.key, token });
  }
}
