import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { type Redis } from 'ioredis';
import { API_LIMIT_SCRIPT, type ApiLimitInput } from '../../src/api-limits/api-limit.script.js';
import { API_USAGE_SCRIPT } from '../../src/api-limits/api-usage.script.js';
import { RUN_LEASE_SCRIPT, type RunLeaseInput } from '../../src/api-limits/run-lease.script.js';
import { ScriptReplyError } from '../../src/redis/redis-script.js';
import { httpStatusOf, scriptRedis, testKeys, thrown } from './script-test-kit.js';

const T0 = Date.UTC(2026, 0, 5, 12);

let redis: Redis;
beforeAll(() => {
  redis = scriptRedis();
});
afterAll(async () => {
  await redis.quit();
});

describe('api-limit.lua through API_LIMIT_SCRIPT', () => {
  const input = (k: (p: string) => string, over: Partial<ApiLimitInput> = {}): ApiLimitInput => ({
    bucketKey: k('api'),
    dailyKey: k('daily'),
    nowMs: T0,
    limits: { perSecond: 2, perMinute: 3, daily: 10 },
    cost: 1,
    ...over,
  });

  it('takes from the buckets and refuses with the limit that waits longest', async () => {
    const k = testKeys();
    const first = await API_LIMIT_SCRIPT.run(redis, input(k));
    expect(first).toEqual({
      nowMs: T0,
      take: { ok: true, retryAfterMs: 0, minuteRemaining: 2, minuteResetMs: 20_000, refusedBy: '', dailyRemaining: 9, secondRemaining: 1 },
    });
    await API_LIMIT_SCRIPT.run(redis, input(k));
    const third = await API_LIMIT_SCRIPT.run(redis, input(k));
    expect(third.take).toMatchObject({ ok: false, refusedBy: 'second', secondRemaining: 0 });
    await API_LIMIT_SCRIPT.run(redis, input(k, { nowMs: T0 + 1000 }));
    const full = await API_LIMIT_SCRIPT.run(redis, input(k, { nowMs: T0 + 2000 }));
    expect(full.take).toMatchObject({ ok: false, refusedBy: 'minute', minuteRemaining: 0 });
    expect(full.take.retryAfterMs).toBeGreaterThan(0);
  });

  it('answers -1 for limits that are not set', async () => {
    const k = testKeys();
    const r = await API_LIMIT_SCRIPT.run(redis, input(k, { limits: { perSecond: 0, perMinute: 0, daily: 0 } }));
    expect(r.take).toEqual({
      ok: true,
      retryAfterMs: 0,
      minuteRemaining: -1,
      minuteResetMs: 0,
      refusedBy: '',
      dailyRemaining: -1,
      secondRemaining: -1,
    });
  });

  it('rejects a reply of the wrong length or an unknown refusal', async () => {
    const k = testKeys();
    const i = input(k);
    const e = await thrown(() => API_LIMIT_SCRIPT.decode([T0, 1, 0, 2, 20_000, '', 9], i));
    expect(e).toBeInstanceOf(ScriptReplyError);
    expect(httpStatusOf(e).status).toBe(500);
    expect(() => API_LIMIT_SCRIPT.decode([T0, 0, 10, 2, 20_000, 'hour', 9, 1], i)).toThrow(/refused_by/);
  });
});

describe('api-usage.lua through API_USAGE_SCRIPT', () => {
  it('reads the daily estimate the daily limit is checked against (one owner: api_daily)', async () => {
    const k = testKeys();
    const day = Math.floor(T0 / 86_400_000);
    const quarterIn = day * 86_400_000 + 6 * 3_600_000;
    // The daily counter (api-limit.include.lua): day number, that day's count, the day before's count, as doubles.
    const daily = Buffer.alloc(24);
    [day, 10, 100].forEach((v, j) => daily.writeDoubleLE(v, 8 * j));
    await redis.set(k('daily'), daily);
    // Yesterday weighs 75 % six hours into today: 75 + 10.
    expect(await API_USAGE_SCRIPT.run(redis, { dailyKey: k('daily'), nowMs: quarterIn })).toEqual({
      nowMs: quarterIn,
      requestsToday: 10,
      dailyEstimate: 85,
    });
    // The limit check sees the same estimate: 1000 - 85 remain before this request, 914 after it.
    const take = await API_LIMIT_SCRIPT.run(redis, {
      bucketKey: k('api'),
      dailyKey: k('daily'),
      nowMs: quarterIn,
      limits: { perSecond: 0, perMinute: 0, daily: 1000 },
      cost: 1,
    });
    expect(take.take.dailyRemaining).toBe(914);
    expect((await API_USAGE_SCRIPT.run(redis, { dailyKey: k('daily'), nowMs: quarterIn })).dailyEstimate).toBe(86);
    const e = await thrown(() => API_USAGE_SCRIPT.decode([quarterIn, 10], { dailyKey: k('daily'), nowMs: null }));
    expect(e).toBeInstanceOf(ScriptReplyError);
    expect(httpStatusOf(e).status).toBe(500);
  });
});

describe('run-lease.lua through RUN_LEASE_SCRIPT', () => {
  const input = (k: (p: string) => string, op: RunLeaseInput['op'], runId: string, nowMs = T0): RunLeaseInput => ({
    key: k('runs'),
    nowMs,
    op,
    runId,
    leaseMs: 60_000,
    max: 1,
  });

  it('takes, renews, refuses when full, frees and expires leases', async () => {
    const k = testKeys();
    expect(await RUN_LEASE_SCRIPT.run(redis, input(k, 'take', 'r1'))).toEqual({
      code: 1,
      active: 1,
      earliestExpiryMs: T0 + 60_000,
      expiryMs: T0 + 60_000,
    });
    expect(await RUN_LEASE_SCRIPT.run(redis, input(k, 'take', 'r2'))).toEqual({ code: 0, active: 1, earliestExpiryMs: T0 + 60_000, expiryMs: null });
    expect(await RUN_LEASE_SCRIPT.run(redis, input(k, 'renew', 'r1', T0 + 1000))).toMatchObject({ code: 2, expiryMs: T0 + 61_000 });
    expect(await RUN_LEASE_SCRIPT.run(redis, input(k, 'renew', 'nope'))).toMatchObject({ code: -1, expiryMs: null });
    expect(await RUN_LEASE_SCRIPT.run(redis, input(k, 'free', 'r1'))).toEqual({ code: 3, active: 0, earliestExpiryMs: null, expiryMs: null });
    await RUN_LEASE_SCRIPT.run(redis, input(k, 'take', 'r3'));
    expect(await RUN_LEASE_SCRIPT.run(redis, input(k, 'take', 'r4', T0 + 60_001))).toMatchObject({ code: 1, active: 1 });
  });

  it('rejects a reply of the wrong length or a held lease without its expiry', async () => {
    const k = testKeys();
    const e = await thrown(() => RUN_LEASE_SCRIPT.decode([1, 1, T0], input(k, 'take', 'r')));
    expect(e).toBeInstanceOf(ScriptReplyError);
    expect(httpStatusOf(e).status).toBe(500);
    expect(() => RUN_LEASE_SCRIPT.decode([1, 1, T0, -1], input(k, 'take', 'r'))).toThrow(/without the run's expiry/);
    expect(() => RUN_LEASE_SCRIPT.decode([7, 1, T0, T0], input(k, 'take', 'r'))).toThrow(ScriptReplyError);
  });
});
