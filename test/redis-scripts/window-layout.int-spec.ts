import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { type Redis } from 'ioredis';
import { actionMember } from '../../src/smart-limits/action-member.js';
import { type GuardDecision, GUARD_SCRIPT, type GuardInput } from '../../src/smart-limits/guard.script.js';
import { READ_WINDOWS_SCRIPT } from '../../src/smart-limits/read-windows.script.js';
import { RELEASE_SCRIPT } from '../../src/smart-limits/release.script.js';
import { scriptRedis, seedWindow, testKeys, windowEntries, windowUnits } from './script-test-kit.js';

/*
 * The windows' layout (window.include.lua, issue 18): chunks of listpack sorted sets, one member per
 * action whatever its cost, dedup intsets, the state in one hash field. What a naive sorted set of
 * every unit would answer, this layout must answer too, at every fill.
 */

const T0 = Date.UTC(2026, 0, 5, 12);
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

let redis: Redis;
beforeAll(() => {
  redis = scriptRedis();
});
afterAll(async () => {
  await redis.quit();
});

type K = (part: string) => string;

function input(k: K, member: string, nowMs: number, over: Partial<GuardInput> = {}, max = 1_000_000, windowMs = DAY): GuardInput {
  return {
    identityCooldownKey: k('cd'),
    leaseKey: k('lease'),
    scheduleKey: k('sched'),
    scheduleKeepMs: 7 * DAY,
    schedule: null,
    nowMs,
    member,
    actionId: member,
    cost: 1,
    mode: 'check',
    occurredAtMs: null,
    leaseMs: 0,
    openIntervals: null,
    limits: [{ windowKey: k('w'), cooldownKey: k('cdw'), slug: 'LK_X', max, windowMs, units: over.cost ?? 1, gapMs: 0, jitterMs: 0, bursts: [] }],
    api: { bucketKey: k('api'), dailyKey: k('daily'), limits: { perSecond: 0, perMinute: 0, daily: 0 } },
    markerKey: k('m'),
    ...over,
  };
}

async function guard(i: GuardInput): Promise<GuardDecision> {
  const r = await GUARD_SCRIPT.run(redis, i);
  if (r.status === 'rebuild_needed' || r.status === 'invitation_state_missing') throw new Error(`no decision: ${r.status}`);
  return r;
}

/** Every key a window's layout uses (its chunks and dedup shards) and the hash of the states. */
async function layoutKeys(k: K): Promise<string[]> {
  return [...(await redis.keys(`${k('w')}:*`)), k('w').slice(0, k('w').lastIndexOf(':'))];
}

/** Records `count` actions of cost 1, one a second from `from`, in one pipeline. */
async function fill(k: K, count: number, from = T0, prefix = 'a'): Promise<void> {
  GUARD_SCRIPT.define(redis);
  for (let j = 0; j < count; j += 500) {
    const p = redis.pipeline();
    for (let q = j; q < Math.min(count, j + 500); q++) GUARD_SCRIPT.queue(p, input(k, `${prefix}${q}`, from + q * 1000));
    const res = (await p.exec())!;
    for (const [e, r] of res) {
      if (e) throw e;
      expect(GUARD_SCRIPT.decode(r, input(k, '', 0)).status).toBe('recorded');
    }
  }
}

describe('the windows layout (window.include.lua)', () => {
  it('stays compact at every fill: every key listpack or intset, at most 40 bytes per unit (100, 500, 1,400, 2,500 entries)', async () => {
    for (const count of [100, 500, 1_400, 2_500]) {
      const k = testKeys();
      await redis.set(k('m'), '1');
      await fill(k, count);
      let bytes = 0;
      for (const key of await layoutKeys(k)) {
        expect(['listpack', 'intset', 'hashtable']).toContain(await redis.object('ENCODING', key));
        if ((await redis.type(key)) !== 'hash') expect(['listpack', 'intset']).toContain(await redis.object('ENCODING', key));
        bytes += Number(await redis.memory('USAGE', key));
      }
      expect(await windowUnits(redis, k('w'))).toBe(count);
      expect(bytes / count).toBeLessThanOrEqual(40);
    }
  });

  it('keeps an action of cost N as one member (O(1) memory), counted N times', async () => {
    const k = testKeys();
    await redis.set(k('m'), '1');
    const r = await guard(input(k, 'search', T0, { cost: 100 }));
    expect(r.windows[0]).toMatchObject({ consumedBefore: 0, consumedAfter: 100 });
    expect(await windowEntries(redis, k('w'))).toEqual([{ member: actionMember('search'), t: T0, units: 100 }]);
    const k1 = testKeys();
    await redis.set(k1('m'), '1');
    await guard(input(k1, 'search', T0, { cost: 1 }));
    const size = async (kk: K) => {
      let b = 0;
      for (const key of await redis.keys(`${kk('w')}:*`)) b += Number(await redis.memory('USAGE', key));
      return b;
    };
    // The cost is a few characters of the member, not 99 more members.
    expect((await size(k)) - (await size(k1))).toBeLessThanOrEqual(16);
    const released = await RELEASE_SCRIPT.run(redis, {
      windowKeys: [k('w')],
      leaseKey: k('lease'),
      scheduleKey: k('sched'),
      scheduleEntry: 'x search',
      member: 'search',
      actionId: 'search',
      markerKey: k('m'),
      nowMs: T0 + 1,
    });
    expect(released).toEqual({ status: 'done', units: 100, recordedAtMs: T0, nowMs: T0 + 1 });
    expect(await windowUnits(redis, k('w'))).toBe(0);
  });

  it('is idempotent by action_id across chunks, for the whole window', async () => {
    const k = testKeys();
    await redis.set(k('m'), '1');
    await fill(k, 450);
    // Several chunks and dedup shards by now.
    expect((await redis.keys(`${k('w')}:*`)).length).toBeGreaterThan(5);
    for (const j of [0, 1, 99, 100, 101, 300, 449]) {
      const again = await guard(input(k, `a${j}`, T0 + 450_000 + j));
      expect(again).toMatchObject({ status: 'duplicate', atMs: T0 + j * 1000 });
      expect(again.windows[0].consumedAfter).toBe(450);
    }
    // Once it has left the window, the same id is a new action.
    const later = await guard(input(k, 'a0', T0 + DAY + 1));
    expect(later.status).toBe('recorded');
    expect(later.windows[0].consumedBefore).toBe(449);
  });

  it('counts exactly at chunk edges, ahead of now and after trims (property, against a naive count of every unit)', async () => {
    const entryArb = fc.record({ t: fc.integer({ min: 0, max: 2 * HOUR }), cost: fc.oneof(fc.constant(1), fc.integer({ min: 1, max: 7 })) });
    await fc.assert(
      fc.asyncProperty(
        fc.array(entryArb, { minLength: 1, maxLength: 400 }),
        fc.array(fc.integer({ min: 0, max: 3 * HOUR }), { minLength: 1, maxLength: 6 }),
        fc.boolean(),
        async (entries, queries, shuffled) => {
          const k = testKeys();
          const list = entries.map((e, j) => ({ t: T0 + e.t, member: `e${j}`, units: e.cost }));
          // A rebuild writes them oldest first; an arbitrary order exercises inserts into the middle (splits).
          if (!shuffled) list.sort((a, b) => a.t - b.t);
          await seedWindow(redis, k('m'), k('w'), HOUR, T0, list);
          for (const key of await redis.keys(`${k('w')}:*`)) expect(['listpack', 'intset']).toContain(await redis.object('ENCODING', key));
          const naive = (lo: number, hi: number) => list.filter((e) => e.t > lo && e.t <= hi).reduce((s, e) => s + e.units, 0);
          for (const q of [...queries].sort((a, b) => a - b)) {
            const now = T0 + q;
            const read = await READ_WINDOWS_SCRIPT.run(redis, {
              identityCooldownKey: k('cd'),
              nowMs: now,
              limits: [{ windowKey: k('w'), cooldownKey: k('cdw'), windowMs: HOUR, max: 1_000_000 }],
              member: null,
            });
            expect(read.limits[0].consumed).toBe(naive(now - HOUR, now));
            expect(read.limits[0].scheduled).toBe(naive(now, Infinity));
            const inWindow = list.filter((e) => e.t > now - HOUR && e.t <= now).map((e) => e.t);
            expect(read.limits[0].oldestMs).toBe(inWindow.length ? Math.min(...inWindow) : null);
            expect(read.limits[0].newestMs).toBe(inWindow.length ? Math.max(...inWindow) : null);
            // A guard trims what has left, then counts the same.
            const g = await guard(input(k, `q${q}`, now, { mode: 'dry' }, 1_000_000, HOUR));
            expect(g.windows[0].consumedBefore).toBe(naive(now - HOUR, now));
          }
          const last = T0 + Math.max(...queries);
          const checked = await guard(input(k, 'final', last, {}, 1_000_000, HOUR));
          expect(checked.windows[0].consumedBefore).toBe(naive(last - HOUR, last));
          expect(await windowUnits(redis, k('w'))).toBe(naive(last - HOUR, Infinity) + 1);
        },
      ),
      { numRuns: 40 },
    );
  });

  it('writes on a rebuild what the guard writes: the same members, times and units', async () => {
    const kg = testKeys();
    await redis.set(kg('m'), '1');
    await fill(kg, 230);
    const kr = testKeys();
    await seedWindow(
      redis,
      kr('m'),
      kr('w'),
      DAY,
      T0 + 230_000,
      Array.from({ length: 230 }, (_, q) => ({ t: T0 + q * 1000, member: `a${q}` })),
    );
    expect(await windowEntries(redis, kr('w'))).toEqual(await windowEntries(redis, kg('w')));
    // A rebuild over a window that still holds some of them counts each once.
    await seedWindow(redis, kr('m'), kr('w'), DAY, T0 + 230_000, [{ t: T0, member: 'a0' }]);
    expect(await windowUnits(redis, kr('w'))).toBe(230);
  });
});
