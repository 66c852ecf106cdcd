import { type Result } from 'ioredis';
import { API_LIMIT_INCLUDE, API_TAKE_LENGTH, type ApiLimitArgs, apiLimitArgv, type ApiTake, readApiTake } from '../api-limits/api-limit.include.js';
import { NOW_INCLUDE, scriptNowArg } from '../redis/now.include.js';
import { composeLua, ReplyReader, RedisScript } from '../redis/redis-script.js';

declare module 'ioredis' {
  interface RedisCommander<Context> {
    slGuard(numKeys: number, ...keysAndArgs: (string | number)[]): Result<unknown, Context>;
  }
}

export type GuardMode = 'check' | 'dry' | 'backfill';

export interface GuardScriptLimit {
  windowKey: string;
  cooldownKey: string;
  max: number;
  windowMs: number;
}

export interface GuardInput {
  identityCooldownKey: string;
  /** The injected clock, or null for Redis TIME. */
  nowMs: number | null;
  member: string;
  cost: number;
  mode: GuardMode;
  /** A backfill's occurred_at, else null. */
  occurredAtMs: number | null;
  limits: GuardScriptLimit[];
  /** The workspace's /v1/actions API limit, checked first in the same call. */
  api: { bucketKey: string; dailyKey: string; limits: ApiLimitArgs };
}

/** guard.lua's status codes, by position. */
export const GUARD_STATUSES = ['recorded', 'duplicate', 'limit_reached', 'cooldown', 'dry_run_allowed', 'api_limited'] as const;
export type GuardStatus = (typeof GUARD_STATUSES)[number];

export interface GuardWindow {
  consumedBefore: number;
  consumedAfter: number;
  oldestMs: number | null;
  newestMs: number | null;
}

interface GuardReplyBase {
  nowMs: number;
  api: ApiTake;
  windows: GuardWindow[];
}

export type GuardReply = GuardReplyBase &
  (
    | {
        status: 'limit_reached';
        /** The refused limit's index in `input.limits` (the one whose room frees last). */
        limitIndex: number;
        /** When the refused limit has room for the cost (ms); -2 never (see guard.lua). */
        availableAtMs: number;
      }
    | {
        status: 'cooldown';
        /** The cooling-down limit's index in `input.limits`; null when the whole identity cools down. */
        limitIndex: number | null;
        cooldown: { value: string; pttlMs: number };
      }
    | { status: 'recorded' | 'duplicate' | 'dry_run_allowed' | 'api_limited' }
  );

/** The pre-action guard (guard.lua): the whole decision in one EVALSHA on one Cluster slot. */
export const GUARD_SCRIPT = new RedisScript<GuardInput, GuardReply>({
  command: 'slGuard',
  lua: composeLua(new URL('./guard.lua', import.meta.url), [NOW_INCLUDE, API_LIMIT_INCLUDE]),
  encode: (i) => {
    const keys = [i.identityCooldownKey];
    const args: (string | number)[] = [scriptNowArg(i.nowMs), i.member, i.cost, i.mode, i.occurredAtMs ?? '', i.limits.length];
    for (const l of i.limits) {
      keys.push(l.windowKey, l.cooldownKey);
      args.push(l.max, l.windowMs);
    }
    keys.push(i.api.bucketKey, i.api.dailyKey);
    args.push(...apiLimitArgv(i.api.limits));
    return { keys, args };
  },
  decode: (reply, input) => {
    const n = input.limits.length;
    const r: ReplyReader = new ReplyReader('guard.lua', reply).expectLength(6 + API_TAKE_LENGTH + 4 * n);
    const status = GUARD_STATUSES[r.int('status', 0, GUARD_STATUSES.length - 1)];
    const nowMs = r.int('now', 0);
    const index = r.int('refused_index', 0, n);
    const availableAtMs = r.int('available_at', -2);
    const cdValue = r.strOrNull('cooldown_value');
    const cdPttl = r.int('cooldown_pttl', -1);
    const api = readApiTake(r);
    const windows = input.limits.map(() => ({
      consumedBefore: r.int('consumed_before', 0),
      consumedAfter: r.int('consumed_after', 0),
      oldestMs: r.msOrNone('oldest'),
      newestMs: r.msOrNone('newest'),
    }));
    r.end();
    const base = { nowMs, api, windows };
    if (status === 'api_limited' && api.ok) r.fail('status api_limited with an API take that passed');
    if (status === 'limit_reached') {
      if (index === 0) r.fail('status limit_reached without the refused limit');
      return { ...base, status, limitIndex: index - 1, availableAtMs };
    }
    if (status === 'cooldown') {
      if (cdValue === null) r.fail('status cooldown without a cooldown value');
      return { ...base, status, limitIndex: index === 0 ? null : index - 1, cooldown: { value: cdValue, pttlMs: cdPttl } };
    }
    return { ...base, status };
  },
});
