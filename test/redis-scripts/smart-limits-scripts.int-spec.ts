import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { type Redis } from 'ioredis';
import { ScriptReplyError } from '../../src/redis/redis-script.js';
import { type GuardDecision, GUARD_SCRIPT, type GuardInput } from '../../src/smart-limits/guard.script.js';
import { READ_WINDOWS_SCRIPT, type ReadWindowsInput } from '../../src/smart-limits/read-windows.script.js';
import { RELEASE_SCRIPT } from '../../src/smart-limits/release.script.js';
import { startTestRedis, type TestRedis } from '../support/servers.js';
import { httpStatusOf, scriptRedis, seedWindow, testKeys, thrown, windowUnits } from './script-test-kit.js';

const T0 = Date.UTC(2026, 0, 5, 12);
const HOUR = 3_600_000;

let redis: Redis;
beforeAll(() => {
  redis = scriptRedis();
});
afterAll(async () => {
  await redis.quit();
});

function guardInput(k: (p: string) => string, over: Partial<GuardInput> & { maxes?: number[] } = {}): GuardInput {
  const maxes = over.maxes ?? [3];
  return {
    identityCooldownKey: k('cd'),
    leaseKey: k('lease'),
    scheduleKey: k('sched'),
    scheduleKeepMs: 7 * 86_400_000,
    schedule: null,
    nowMs: T0,
    member: 'a1',
    actionId: 'a1',
    cost: 1,
    mode: 'check',
    occurredAtMs: null,
    leaseMs: 0,
    openIntervals: null,
    limits: maxes.map((max, i) => ({
      windowKey: k(`w${i}`),
      cooldownKey: k(`cd${i}`),
      slug: `LK_${i}`,
      max,
      windowMs: HOUR,
      units: over.cost ?? 1,
      gapMs: 0,
      jitterMs: 0,
      bursts: [],
    })),
    api: { bucketKey: k('api'), dailyKey: k('daily'), limits: { perSecond: 0, perMinute: 0, daily: 0 } },
    markerKey: k('m'),
    ...over,
  };
}

/** A decision (the identity's state is marked present). */
async function decide(client: Redis, input: GuardInput): Promise<GuardDecision> {
  const r = await GUARD_SCRIPT.run(client, input);
  if (r.status === 'rebuild_needed' || r.status === 'invitation_state_missing') throw new Error(`no decision: ${r.status}`);
  return r;
}

/** Keys of one test whose identity state is marked present (the guard decides only then). */
async function markedKeys(client: Redis = redis): Promise<(part: string) => string> {
  const k = testKeys();
  await client.set(k('m'), String(T0));
  return k;
}

describe('guard.lua through GUARD_SCRIPT', () => {
  it('records, answers duplicates, refuses a full window with when it frees, and decodes every field', async () => {
    const k = await markedKeys();
    const first = await GUARD_SCRIPT.run(redis, guardInput(k, { member: 'a1' }));
    expect(first).toEqual({
      status: 'recorded',
      nowMs: T0,
      availableAtMs: T0,
      freeAtMs: T0,
      cooldown: null,
      lease: null,
      atMs: T0,
      blocked: [],
      api: { ok: true, retryAfterMs: 0, minuteRemaining: -1, minuteResetMs: 0, refusedBy: '', dailyRemaining: -1, secondRemaining: -1 },
      windows: [{ consumedBefore: 0, consumedAfter: 1, oldestMs: T0, newestMs: T0, availableAtMs: T0, scheduled: 0 }],
      invitation: { pending: null, factor: 1, targetStatus: null },
    });
    expect((await GUARD_SCRIPT.run(redis, guardInput(k, { member: 'a1', nowMs: T0 + 1 }))).status).toBe('duplicate');
    await GUARD_SCRIPT.run(redis, guardInput(k, { member: 'a2', nowMs: T0 + 1000 }));
    await GUARD_SCRIPT.run(redis, guardInput(k, { member: 'a3', nowMs: T0 + 2000 }));
    const refused = await decide(redis, guardInput(k, { member: 'a4', nowMs: T0 + 3000 }));
    expect(refused).toMatchObject({
      status: 'refused',
      availableAtMs: T0 + HOUR,
      blocked: [{ rule: 'window', limitIndex: 0, windowMs: HOUR, untilMs: T0 + HOUR, lastActionAtMs: null }],
    });
    expect(refused.windows[0]).toEqual({
      consumedBefore: 3,
      consumedAfter: 3,
      oldestMs: T0,
      newestMs: T0 + 2000,
      availableAtMs: T0 + HOUR,
      scheduled: 0,
    });
    // A refused call changes nothing.
    expect(await windowUnits(redis, k('w0'))).toBe(3);
  });

  it('says when an over-full window (threshold lowered below what it holds) has room: every entry above the threshold must leave first', async () => {
    const k = await markedKeys();
    for (let j = 0; j < 5; j++) await GUARD_SCRIPT.run(redis, guardInput(k, { maxes: [10], member: `o${j}`, nowMs: T0 + j * 1000 }));
    // The threshold drops to 2 (an override): 5 entries, 3 must leave before one more fits, 4 before two do.
    const one = await decide(redis, guardInput(k, { maxes: [2], member: 'p', nowMs: T0 + 10_000 }));
    expect(one).toMatchObject({ status: 'refused', blocked: [{ rule: 'window', limitIndex: 0 }], availableAtMs: T0 + 3000 + HOUR });
    expect(one.windows[0].availableAtMs).toBe(T0 + 3000 + HOUR);
    const two = await GUARD_SCRIPT.run(redis, guardInput(k, { maxes: [2], member: 'q', cost: 2, nowMs: T0 + 10_000 }));
    expect(two).toMatchObject({ status: 'refused', availableAtMs: T0 + 4000 + HOUR });
    const never = await GUARD_SCRIPT.run(redis, guardInput(k, { maxes: [2], member: 'r', cost: 3, nowMs: T0 + 10_000 }));
    expect(never).toMatchObject({ status: 'refused', availableAtMs: null, blocked: [{ rule: 'window', untilMs: null }] });
    // The read-only view agrees (the same include answers both).
    const read = await READ_WINDOWS_SCRIPT.run(redis, {
      identityCooldownKey: k('cd'),
      nowMs: T0 + 10_000,
      limits: [{ windowKey: k('w0'), cooldownKey: k('cd0'), windowMs: HOUR, max: 2 }],
      member: null,
    });
    expect(read.limits[0].availableAtMs).toBe(T0 + 3000 + HOUR);
    const readTwo = await READ_WINDOWS_SCRIPT.run(redis, {
      identityCooldownKey: k('cd'),
      nowMs: T0 + 10_000,
      limits: [{ windowKey: k('w0'), cooldownKey: k('cd0'), windowMs: HOUR, max: 2 }],
      member: null,
      cost: 2,
    });
    expect(readTwo.limits[0].availableAtMs).toBe(T0 + 4000 + HOUR);
  });

  it('answers dry runs, backfills and cooldowns (identity-wide and per limit)', async () => {
    const k = await markedKeys();
    expect((await GUARD_SCRIPT.run(redis, guardInput(k, { mode: 'dry' }))).status).toBe('dry_run_allowed');
    expect(await windowUnits(redis, k('w0'))).toBe(0);
    const back = await decide(redis, guardInput(k, { mode: 'backfill', member: 'b', occurredAtMs: T0 - 60_000 }));
    expect(back.windows[0]).toMatchObject({ consumedAfter: 1, oldestMs: T0 - 60_000 });
    await redis.set(k('cd1'), '{"reason":"limit"}', 'PX', 60_000);
    const perLimit = await decide(redis, guardInput(k, { maxes: [5, 5], member: 'c' }));
    expect(perLimit).toMatchObject({ status: 'refused', cooldown: { value: '{"reason":"limit"}', limitIndex: 1 } });
    expect(perLimit.cooldown!.pttlMs).toBeGreaterThan(0);
    expect(perLimit.blocked).toEqual([
      { rule: 'cooldown', limitIndex: 1, windowMs: null, untilMs: T0 + perLimit.cooldown!.pttlMs, lastActionAtMs: null },
    ]);
    await redis.set(k('cd'), 'whole');
    const whole = await decide(redis, guardInput(k, { member: 'd' }));
    expect(whole).toMatchObject({
      status: 'refused',
      availableAtMs: null,
      freeAtMs: null,
      cooldown: { value: 'whole', pttlMs: -1, limitIndex: null },
    });
    expect(whole.blocked).toEqual([{ rule: 'cooldown', limitIndex: null, windowMs: null, untilMs: null, lastActionAtMs: null }]);
  });

  it('checks the workspace API limit first and touches nothing else when it refuses', async () => {
    const k = await markedKeys();
    const api = { bucketKey: k('api'), dailyKey: k('daily'), limits: { perSecond: 0, perMinute: 1, daily: 0 } };
    expect((await decide(redis, guardInput(k, { api, member: 'x' }))).api).toMatchObject({ ok: true, minuteRemaining: 0 });
    const refused = await GUARD_SCRIPT.run(redis, guardInput(k, { api, member: 'y' }));
    expect(refused).toMatchObject({ status: 'api_limited', api: { ok: false, refusedBy: 'minute' } });
    expect(await windowUnits(redis, k('w0'))).toBe(1);
  });

  it('without the identity marker answers rebuild_needed and touches nothing, not even the API limit', async () => {
    const k = testKeys();
    const api = { bucketKey: k('api'), dailyKey: k('daily'), limits: { perSecond: 0, perMinute: 1, daily: 0 } };
    expect(await GUARD_SCRIPT.run(redis, guardInput(k, { api, member: 'x' }))).toEqual({ status: 'rebuild_needed', nowMs: T0 });
    expect(await redis.exists(k('w0'), k('api'), k('daily'))).toBe(0);
    await redis.set(k('m'), '1');
    expect((await GUARD_SCRIPT.run(redis, guardInput(k, { api, member: 'x' }))).status).toBe('recorded');
    expect(() => GUARD_SCRIPT.decode([5, T0, 0], guardInput(k))).toThrow(/expected 2 values, got 3/);
  });

  it('checks invitation health in the same call: state never built, already invited, re-invite, pending cap, acceptance (halved, refused)', async () => {
    const k = await markedKeys();
    const inv = (over: Partial<NonNullable<GuardInput['invitation']>> = {}) => ({
      key: k('inv'),
      enabled: true,
      targetField: 't:jane',
      reinviteMs: 21 * 24 * HOUR,
      pendingRefuse: 700,
      ...over,
    });
    const call = (member: string, over: Partial<NonNullable<GuardInput['invitation']>> = {}, nowMs = T0) =>
      GUARD_SCRIPT.run(redis, { ...guardInput(k, { member, nowMs, maxes: [4] }), invitation: inv(over) });
    expect((await call('m1')).status).toBe('invitation_state_missing');
    expect(await windowUnits(redis, k('w0'))).toBe(0);
    await redis.hset(k('inv'), 'loaded', '1', 'pending', '3', 'factor', '1');
    const sent = await call('m1');
    expect(sent).toMatchObject({ status: 'recorded', invitation: { pending: 3, factor: 1 } });
    expect(await redis.hmget(k('inv'), 't:jane', 'pending')).toEqual(['p', '4']);
    expect(await call('m2')).toMatchObject({ status: 'already_invited', invitation: { targetStatus: 'pending' }, blocked: [] });
    await redis.hset(k('inv'), 't:jane', `w:${T0}`);
    expect(await call('m2', {}, T0 + 1000)).toMatchObject({
      status: 'refused',
      availableAtMs: T0 + 21 * 24 * HOUR,
      blocked: [{ rule: 'reinvite', untilMs: T0 + 21 * 24 * HOUR }],
    });
    await redis.hset(k('inv'), 'pending', '700');
    expect(await call('m3', { targetField: null })).toMatchObject({
      status: 'refused',
      availableAtMs: null,
      blocked: [{ rule: 'pending_invitations', limitIndex: 0, untilMs: null }],
    });
    await redis.hset(k('inv'), 'pending', '5', 'refusing', '1');
    expect(await call('m3', { targetField: null })).toMatchObject({
      status: 'refused',
      availableAtMs: null,
      blocked: [{ rule: 'acceptance_rate', limitIndex: 0, untilMs: null }],
    });
    // Low rate: the limit's low max (here 1) is in force; one recorded already.
    await redis.hset(k('inv'), 'refusing', '0', 'factor', '0.5');
    const low = await GUARD_SCRIPT.run(redis, {
      ...guardInput(k, { member: 'm4', maxes: [4] }),
      limits: guardInput(k, { maxes: [4] }).limits.map((l) => ({ ...l, lowAcceptanceMax: 1 })),
      invitation: inv({ targetField: null }),
    });
    expect(low).toMatchObject({ status: 'refused', blocked: [{ rule: 'window', limitIndex: 0 }], invitation: { factor: 0.5 } });
  });

  it('reads Redis TIME when no clock is injected', async () => {
    const k = await markedKeys();
    const [s] = await redis.time();
    const r = await GUARD_SCRIPT.run(redis, guardInput(k, { nowMs: null }));
    expect(Math.abs(r.nowMs - Number(s) * 1000)).toBeLessThan(60_000);
  });

  it('rejects a reply of the wrong length or shape with an error that becomes a logged 500', async () => {
    const k = await markedKeys();
    const input = guardInput(k);
    GUARD_SCRIPT.define(redis);
    const call = GUARD_SCRIPT.encode(input);
    const good = (await redis.slGuard(call.keys.length, ...call.keys, ...call.args)) as unknown[];
    expect(() => GUARD_SCRIPT.decode(good, input)).not.toThrow();
    const short = thrown(() => GUARD_SCRIPT.decode(good.slice(0, -1), input));
    await expect(short).resolves.toBeInstanceOf(ScriptReplyError);
    const e = await short;
    expect((e as Error).message).toMatch(/guard\.lua: unexpected reply/);
    const http = httpStatusOf(e);
    expect(http.status).toBe(500);
    expect(http.errorId).toMatch(/^[0-9a-f-]{36}$/);
    expect(() => GUARD_SCRIPT.decode([...good.slice(0, 1), 'x', ...good.slice(2)], input)).toThrow(/now at 1: expected an integer/);
    expect(() => GUARD_SCRIPT.decode([10, ...good.slice(1)], input)).toThrow(/status at 0: 10 is outside/);
    expect(() => GUARD_SCRIPT.decode('OK', input)).toThrow(ScriptReplyError);
    // available_at belongs to a refusal only; a window's is a time or -2, never -1.
    expect(() => GUARD_SCRIPT.decode([2, ...good.slice(1)], input)).toThrow(/refused without a blocking rule/);
    // available_at of the last limit sits before its scheduled count and the three invitation values.
    expect(() => GUARD_SCRIPT.decode([...good.slice(0, -5), -1, ...good.slice(-4)], input)).toThrow(/-1 is not an answer/);
  });

  it('is one EVALSHA and nothing else per decision', async () => {
    const own: TestRedis = await startTestRedis();
    const { Redis } = await import('ioredis');
    const c = new Redis(own.url);
    try {
      const k = await markedKeys(c);
      await GUARD_SCRIPT.run(c, guardInput(k, { member: 'warm' })); // loads the script (NOSCRIPT → EVAL once)
      await c.config('RESETSTAT');
      await GUARD_SCRIPT.run(c, guardInput(k, { member: 'one', maxes: [5, 5, 5] }));
      const stats = (await c.info('commandstats')).split('\r\n').filter((l) => l.startsWith('cmdstat_'));
      const top = stats.map((l) => /^cmdstat_([^:]+):calls=(\d+)/.exec(l)!).map((m) => [m[1], Number(m[2])] as const);
      const evalsha = top.find(([name]) => name === 'evalsha')?.[1];
      expect(evalsha).toBe(1);
      // No EVAL, no SCRIPT LOAD (the commands the script runs inside are counted too, under their own names).
      expect(top.filter(([name]) => name === 'eval' || name.startsWith('script'))).toEqual([]);
      // One Cluster slot: every key of the call carries the same hash tag.
      const slots = new Set(GUARD_SCRIPT.encode(guardInput(k)).keys.map((key) => /\{[^}]+\}/.exec(key)![0]));
      expect(slots.size).toBe(1);
    } finally {
      await c.quit();
      await own.stop();
    }
  });
});

describe('release.lua through RELEASE_SCRIPT', () => {
  it('takes every unit of an action out of every window and answers how many, and the score of that recording', async () => {
    const k = await markedKeys();
    await GUARD_SCRIPT.run(redis, guardInput(k, { maxes: [5, 5], member: 'r', cost: 2 }));
    expect(await windowUnits(redis, k('w1'))).toBe(2);
    const release = (windowKeys: string[]) =>
      RELEASE_SCRIPT.run(redis, {
        windowKeys,
        leaseKey: k('lease'),
        scheduleKey: k('sched'),
        scheduleEntry: 'a r',
        member: 'r',
        actionId: 'r',
        markerKey: k('m'),
        nowMs: T0 + 5,
      });
    expect(await release([k('w0'), k('w1')])).toEqual({ status: 'done', units: 2, recordedAtMs: T0, nowMs: T0 + 5 });
    expect((await windowUnits(redis, k('w0'))) + (await windowUnits(redis, k('w1')))).toBe(0);
    expect(await release([k('w0')])).toEqual({ status: 'done', units: 0, recordedAtMs: null, nowMs: T0 + 5 });
  });

  it('without the identity marker answers rebuild_needed and removes nothing', async () => {
    const k = await markedKeys();
    await GUARD_SCRIPT.run(redis, guardInput(k, { member: 'r' }));
    await redis.del(k('m'));
    expect(
      await RELEASE_SCRIPT.run(redis, {
        windowKeys: [k('w0')],
        leaseKey: k('lease'),
        scheduleKey: k('sched'),
        scheduleEntry: 'a r',
        member: 'r',
        actionId: 'r',
        markerKey: k('m'),
        nowMs: T0,
      }),
    ).toEqual({
      status: 'rebuild_needed',
      nowMs: T0,
    });
    expect(await windowUnits(redis, k('w0'))).toBe(1);
  });

  it('rejects a reply that is not its triple', () => {
    const input = { windowKeys: [], leaseKey: 'l', scheduleKey: 's', scheduleEntry: 'a m', member: 'm', actionId: 'm', markerKey: 'm', nowMs: null };
    const e = (() => {
      try {
        RELEASE_SCRIPT.decode([1], input);
      } catch (err) {
        return err;
      }
    })();
    expect(e).toBeInstanceOf(ScriptReplyError);
    expect(httpStatusOf(e).status).toBe(500);
    expect(() => RELEASE_SCRIPT.decode(-1, input)).toThrow(ScriptReplyError);
    expect(() => RELEASE_SCRIPT.decode([2, -1, T0], input)).toThrow(/disagree/);
  });
});

describe('read-windows.lua through READ_WINDOWS_SCRIPT', () => {
  const input = (k: (p: string) => string, nowMs: number, maxes: number[], member: string | null = null): ReadWindowsInput => ({
    identityCooldownKey: k('cd'),
    nowMs,
    limits: maxes.map((max, i) => ({ windowKey: k(`w${i}`), cooldownKey: k(`cd${i}`), windowMs: HOUR, max })),
    member,
  });

  it('reads windows without trimming, with when room frees and the mirrors', async () => {
    const k = testKeys();
    await seedWindow(redis, k('seeded'), k('w0'), HOUR, T0 - 2 * HOUR, [
      { t: T0 - 2 * HOUR, member: 'gone' },
      { t: T0 - 1000, member: 'a' },
      { t: T0 - 500, member: 'b' },
    ]);
    await redis.set(k('cd'), 'id-cd', 'PX', 60_000);
    await redis.set(k('cd1'), 'limit-cd');
    const r = await READ_WINDOWS_SCRIPT.run(redis, input(k, T0, [2, 0], 'b'));
    expect(r.nowMs).toBe(T0);
    expect(r.identityCooldown).toMatchObject({ value: 'id-cd' });
    expect(r.limits[0]).toEqual({
      consumed: 2,
      oldestMs: T0 - 1000,
      newestMs: T0 - 500,
      availableAtMs: T0 - 1000 + HOUR,
      cooldown: null,
      scheduled: 0,
    });
    expect(r.limits[1]).toEqual({
      consumed: 0,
      oldestMs: null,
      newestMs: null,
      availableAtMs: null,
      cooldown: { value: 'limit-cd', pttl: -1 },
      scheduled: 0,
    });
    expect(r.holdsMember).toBe(true);
    expect(await windowUnits(redis, k('w0'))).toBe(3);
    const many = await READ_WINDOWS_SCRIPT.runMany(redis, [input(k, T0, [5]), input(k, T0 + HOUR, [5])]);
    expect(many.map((m) => m.limits[0].consumed)).toEqual([2, 0]);
  });

  it('rejects a reply of the wrong length', async () => {
    const k = testKeys();
    const i = input(k, T0, [1, 1]);
    const e = await thrown(() => READ_WINDOWS_SCRIPT.decode([T0, null, -1, 0, -1, -1, T0, null, -1, 0], i));
    const invitationTail = [100, null, null, null, null, null, null, null, null];
    expect(() => READ_WINDOWS_SCRIPT.decode([T0, null, -1, 0, -1, -1, -1, null, -1, 0, 0, -1, -1, T0, null, -1, 0, 0, ...invitationTail], i)).toThrow(
      /-1 is not an answer/,
    );
    expect(e).toBeInstanceOf(ScriptReplyError);
    expect(httpStatusOf(e).status).toBe(500);
  });
});
