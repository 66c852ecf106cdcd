import { type Result } from 'ioredis';
import { NOW_INCLUDE, scriptNowArg } from '../redis/now.include.js';
import { composeLua, ReplyReader, RedisScript } from '../redis/redis-script.js';

declare module 'ioredis' {
  interface RedisCommander<Context> {
    slRunLease(numKeys: number, ...keysAndArgs: (string | number)[]): Result<unknown, Context>;
  }
}

export type RunLeaseOp = 'take' | 'renew' | 'free';

export interface RunLeaseInput {
  /** The workspace's lease set. */
  key: string;
  nowMs: number | null;
  op: RunLeaseOp;
  runId: string;
  leaseMs: number;
  /** Concurrent runs allowed. */
  max: number;
}

/**
 * code: 1 taken (new), 2 renewed / already held — with this run's expiry; 0 refused (full), -1 unknown
 * run (renew/free), 3 freed — without. `earliestExpiryMs` is the earliest lease expiry, null when none is held.
 */
export type RunLeaseReply =
  | { code: 1 | 2; active: number; earliestExpiryMs: number | null; expiryMs: number }
  | { code: -1 | 0 | 3; active: number; earliestExpiryMs: number | null; expiryMs: null };

/** Concurrent-run leases (run-lease.lua). */
export const RUN_LEASE_SCRIPT = new RedisScript<RunLeaseInput, RunLeaseReply>({
  command: 'slRunLease',
  lua: composeLua(new URL('./run-lease.lua', import.meta.url), [NOW_INCLUDE]),
  encode: (i) => ({ keys: [i.key], args: [scriptNowArg(i.nowMs), i.op, i.runId, i.leaseMs, i.max] }),
  decode: (reply) => {
    const r: ReplyReader = new ReplyReader('run-lease.lua', reply).expectLength(4);
    const code = r.int('code', -1, 3);
    const active = r.int('active', 0);
    const earliestExpiryMs = r.msOrNone('earliest_expiry_ms');
    const expiryMs = r.msOrNone('this_expiry_ms');
    if (code === 1 || code === 2) {
      if (expiryMs === null) r.fail(`code ${code} without the run's expiry`);
      return { code, active, earliestExpiryMs, expiryMs };
    }
    if (expiryMs !== null) r.fail(`code ${code} with an expiry`);
    return { code: code as -1 | 0 | 3, active, earliestExpiryMs, expiryMs };
  },
});
