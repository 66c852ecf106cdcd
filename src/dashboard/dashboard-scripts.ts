import { readFileSync } from 'node:fs';
import { type Result } from 'ioredis';
import { type RedisClient } from '../redis/redis.tokens.js';
import { NOW_INCLUDE } from '../smart-limits/guard-scripts.js';

declare module 'ioredis' {
  interface RedisCommander<Context> {
    slActivity(numKeys: number, ...args: (string | number)[]): Result<number[], Context>;
    slUsage(numKeys: number, ...args: (string | number)[]): Result<number[], Context>;
    /** 3 keys: meta, order (risk or status), rows; then min, max, count. */
    slDashPage(...keysAndArgs: (string | number)[]): Result<(string | null)[], Context>;
    /** 8 keys: built risk order, status order, rows; the live three; meta; lock. Then mode, token, meta JSON, TTL ms. */
    slDashCommit(...keysAndArgs: (string | number)[]): Result<number, Context>;
  }
}

const read = (name: string) => readFileSync(new URL(`./${name}`, import.meta.url), 'utf8');

/** The dashboard's scripts (EVALSHA through defineCommand). Idempotent per client. */
export function defineDashboardCommands(client: RedisClient): void {
  if ((client as unknown as Record<string, unknown>).slActivity) return;
  client.defineCommand('slActivity', { lua: NOW_INCLUDE() + '\n' + read('activity.lua') });
  client.defineCommand('slUsage', { lua: NOW_INCLUDE() + '\n' + read('usage.lua') });
  client.defineCommand('slDashPage', { numberOfKeys: 3, lua: read('snapshot-page.lua') });
  client.defineCommand('slDashCommit', { numberOfKeys: 8, lua: read('snapshot-commit.lua') });
}
