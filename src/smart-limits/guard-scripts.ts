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

const read = (path: string) => readFileSync(new URL(path, import.meta.url), 'utf8');
/** Shared Lua pieces are prepended (BullMQ-style includes), so each script stays one file. */
export const NOW_INCLUDE = () => read('../redis/now.include.lua');
const lua = (name: string) => NOW_INCLUDE() + '\n' + read(`./${name}`);
const apiLimitInclude = () => NOW_INCLUDE() + '\n' + read('../api-limits/api-limit.include.lua');

/**
 * Registers the scripts with defineCommand: EVALSHA, falling back to EVAL after NOSCRIPT (a Redis
 * restart or failover, PITFALLS 5). Idempotent per client.
 */
export function defineGuardCommands(client: RedisClient): void {
  if ((client as unknown as Record<string, unknown>).slGuard) return;
  client.defineCommand('slGuard', { lua: apiLimitInclude() + '\n' + read('./guard.lua') });
  client.defineCommand('slApiLimit', { lua: apiLimitInclude() + '\n' + read('../api-limits/api-limit.lua') });
  client.defineCommand('slRelease', { lua: lua('release.lua') });
  client.defineCommand('slReadWindows', { lua: lua('read-windows.lua') });
}
