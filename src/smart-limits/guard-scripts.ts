import { readFileSync } from 'node:fs';
import { type Result } from 'ioredis';
import { type RedisClient } from '../redis/redis.tokens.js';

declare module 'ioredis' {
  interface RedisCommander<Context> {
    slGuard(numKeys: number, ...args: (string | number)[]): Result<GuardReply, Context>;
    slRelease(numKeys: number, ...args: (string | number)[]): Result<number, Context>;
    slReadWindows(numKeys: number, ...args: (string | number)[]): Result<ReadReply, Context>;
    slApiLimit(numKeys: number, ...args: (string | number)[]): Result<(number | string)[], Context>;
  }
}

export type GuardReply = (number | string | null)[];
export type ReadReply = (number | string | null)[];

const lua = (name: string) => readFileSync(new URL(`./${name}`, import.meta.url), 'utf8');
/** Shared Lua pieces are prepended (BullMQ-style includes), so each script stays one file. */
const apiLimitInclude = () => readFileSync(new URL('../api-limits/api-limit.include.lua', import.meta.url), 'utf8');

/**
 * Registers the scripts with defineCommand: EVALSHA, falling back to EVAL after NOSCRIPT (a Redis
 * restart or failover, PITFALLS 5). Idempotent per client.
 */
export function defineGuardCommands(client: RedisClient): void {
  if ((client as unknown as Record<string, unknown>).slGuard) return;
  client.defineCommand('slGuard', { lua: apiLimitInclude() + '\n' + lua('guard.lua') });
  client.defineCommand('slApiLimit', {
    lua: apiLimitInclude() + '\n' + readFileSync(new URL('../api-limits/api-limit.lua', import.meta.url), 'utf8'),
  });
  client.defineCommand('slRelease', { lua: lua('release.lua') });
  client.defineCommand('slReadWindows', { lua: lua('read-windows.lua') });
}
