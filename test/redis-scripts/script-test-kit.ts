import { randomUUID } from 'node:crypto';
import { Logger } from '@nestjs/common';
import { Redis } from 'ioredis';
import { renderError } from '../../src/common/errors/all-exceptions.filter.js';

/** A client on the integration run's private redis-server; each test works under its own hash tag. */
export function scriptRedis(): Redis {
  const url = process.env.SL_TEST_REDIS_URL;
  if (!url) throw new Error('SL_TEST_REDIS_URL is not set (the integration global setup starts a private redis-server)');
  return new Redis(url, { maxRetriesPerRequest: 1 });
}

/** Keys of one test: `t:{<uuid>}:<part>`, one Cluster slot, never another test's. */
export function testKeys(): (part: string) => string {
  const tag = `t:{${randomUUID()}}`;
  return (part) => `${tag}:${part}`;
}

/** What the HTTP layer would answer for this error (status, and whether an error_id was logged). */
export function httpStatusOf(err: unknown): { status: number; errorId: string | undefined } {
  const silent = { error: () => undefined, warn: () => undefined } as unknown as Logger;
  const r = renderError(err, silent);
  return { status: r.status, errorId: (r.body as { error?: { error_id?: string } }).error?.error_id };
}

/** Runs fn and returns what it threw (fails when it does not throw). */
export async function thrown(fn: () => unknown): Promise<unknown> {
  try {
    await fn();
  } catch (e) {
    return e;
  }
  throw new Error('expected an error, none was thrown');
}

export { seedWindow, windowEntries, windowUnits } from '../support/window-layout.js';
