import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { type Redis } from 'ioredis';
import { FREE_LEASE_SCRIPT, RELEASE_SCRIPT } from '../../src/smart-limits/release.script.js';
import { type GuardDecision, GUARD_SCRIPT, type GuardInput, type GuardScriptLimit } from '../../src/smart-limits/guard.script.js';
import { scriptRedis, seedWindow, testKeys, windowUnits } from './script-test-kit.js';

// Pacing rules in guard.lua, against a real Redis with the clock passed in (SPEC 4b).
const T0 = Date.UTC(2026, 11, 7, 10);
const S = 1000;
const MIN = 60 * S;
const HOUR = 60 * MIN;

let redis: Redis;
beforeAll(() => {
  redis = scriptRedis();
});
afterAll(async () => {
  await redis.quit();
});

type K = (p: string) => string;

function limit(k: K, i: number, over: Partial<GuardScriptLimit> = {}): GuardScriptLimit {
  return {
    windowKey: k(`w${i}`),
    cooldownKey: k(`cd${i}`),
    slug: `LK_${i}`,
    max: 100,
    windowMs: 24 * HOUR,
    units: 1,
    gapMs: 0,
    jitterMs: 0,
    bursts: [],
    ...over,
  };
}

function input(k: K, over: Partial<GuardInput> = {}): GuardInput {
  return {
    identityCooldownKey: k('cd'),
    leaseKey: k('lease'),
    scheduleKey: k('sched'),
    scheduleKeepMs: 7 * 86_400_000,
    schedule: null,
    nowMs: T0,
    member: 'a',
    actionId: 'a',
    cost: 1,
    mode: 'check',
    occurredAtMs: null,
    leaseMs: 0,
    openIntervals: null,
    limits: [limit(k, 0)],
    api: { bucketKey: k('api'), dailyKey: k('daily'), limits: { perSecond: 0, perMinute: 0, daily: 0 } },
    markerKey: k('m'),
    ...over,
  };
}

/** A decision on an identity whose state is marked present (the guard decides only then). */
async function run(i: GuardInput): Promise<GuardDecision> {
  await redis.set(i.markerKey, '1');
  const r = await GUARD_SCRIPT.run(redis, i);
  if (r.status === 'rebuild_needed' || r.status === 'invitation_state_missing') throw new Error(`no decision: ${r.status}`);
  return r;
}

describe('gaps with jitter', () => {
  it('refuses until min_gap + the earlier action’s jitter, names the same time on every refusal, and admits exactly then', async () => {
    const k = testKeys();
    const limits = [limit(k, 0, { gapMs: 60 * S, jitterMs: 15 * S })];
    expect((await run(input(k, { limits, member: 'first', actionId: 'first' }))).status).toBe('recorded');
    const r1 = await run(input(k, { limits, member: 'b', actionId: 'b', nowMs: T0 + S }));
    const r2 = await run(input(k, { limits, member: 'c', actionId: 'c', nowMs: T0 + 30 * S }));
    expect(r1.status).toBe('refused');
    expect(r1.blocked).toEqual([{ rule: 'gap', limitIndex: 0, windowMs: null, untilMs: r1.availableAtMs, lastActionAtMs: T0 }]);
    const at = r1.availableAtMs!;
    expect(r2.availableAtMs).toBe(at);
    expect(at).toBeGreaterThanOrEqual(T0 + 60 * S);
    expect(at).toBeLessThanOrEqual(T0 + 75 * S);
    expect((await run(input(k, { limits, member: 'd', actionId: 'd', nowMs: at - 1 }))).status).toBe('refused');
    expect((await run(input(k, { limits, member: 'e', actionId: 'e', nowMs: at }))).status).toBe('recorded');
  });

  it('draws each action’s jitter uniformly within [0, jitter] and keeps it per action and limit', async () => {
    const offsets: number[] = [];
    for (let j = 0; j < 40; j++) {
      const k = testKeys();
      const limits = [limit(k, 0, { gapMs: 10 * S, jitterMs: 15 * S })];
      await run(input(k, { limits, member: `m${j}`, actionId: `m${j}` }));
      const r = await run(input(k, { limits, member: 'next', actionId: 'next', nowMs: T0 + 1 }));
      offsets.push(r.availableAtMs! - T0 - 10 * S);
    }
    for (const o of offsets) {
      expect(o).toBeGreaterThanOrEqual(0);
      expect(o).toBeLessThanOrEqual(15 * S);
    }
    expect(new Set(offsets).size).toBeGreaterThan(30);
  });

  it('waits after every unit of a cost > 1 action as after one action (its jitter from the member without "#k")', async () => {
    const k = testKeys();
    const limits = [limit(k, 0, { gapMs: 10 * S, jitterMs: 5 * S, units: 3 })];
    await run(input(k, { limits, member: 'multi', actionId: 'multi', cost: 3 }));
    const k2 = testKeys();
    const single = [limit(k2, 0, { gapMs: 10 * S, jitterMs: 5 * S })];
    await run(input(k2, { limits: single, member: 'multi', actionId: 'multi' }));
    const a = await run(input(k, { limits, member: 'x', nowMs: T0 + 1, cost: 3 }));
    const b = await run(input(k2, { limits: single, member: 'x', nowMs: T0 + 1 }));
    expect(a.availableAtMs).toBe(b.availableAtMs);
  });

  it('never refuses a backfill, and a dry run checks the gap without recording', async () => {
    const k = testKeys();
    const limits = [limit(k, 0, { gapMs: 60 * S, jitterMs: 0 })];
    await run(input(k, { limits, member: 'a' }));
    const dry = await run(input(k, { limits, member: 'dry', actionId: 'dry', mode: 'dry', nowMs: T0 + S }));
    expect(dry.status).toBe('refused');
    const back = await run(input(k, { limits, member: 'bf', actionId: 'bf', mode: 'backfill', occurredAtMs: T0 + 500, nowMs: T0 + S }));
    expect(back.status).toBe('recorded');
    expect(await windowUnits(redis, k('w0'))).toBe(2);
  });
});

describe('bursts', () => {
  it('admits the max-th, refuses the next (rule burst), and admits again exactly when the oldest leaves the short window', async () => {
    const k = testKeys();
    const limits = [limit(k, 0, { bursts: [{ windowMs: 15 * MIN, max: 3 }] })];
    for (let j = 0; j < 3; j++) expect((await run(input(k, { limits, member: `b${j}`, nowMs: T0 + j * MIN }))).status).toBe('recorded');
    const refused = await run(input(k, { limits, member: 'b3', nowMs: T0 + 3 * MIN }));
    expect(refused).toMatchObject({ status: 'refused', availableAtMs: T0 + 15 * MIN });
    expect(refused.blocked).toEqual([{ rule: 'burst', limitIndex: 0, windowMs: 15 * MIN, untilMs: T0 + 15 * MIN, lastActionAtMs: null }]);
    expect((await run(input(k, { limits, member: 'b4', nowMs: T0 + 15 * MIN - 1 }))).status).toBe('refused');
    expect((await run(input(k, { limits, member: 'b5', nowMs: T0 + 15 * MIN }))).status).toBe('recorded');
  });
});

describe('the in-flight lease', () => {
  const flight = (k: K, member: string, nowMs = T0, over: Partial<GuardInput> = {}) =>
    run(input(k, { member, actionId: member, nowMs, leaseMs: 2 * MIN, ...over }));

  it('is taken on admit, refuses another single-flight action with its holder and end, and ends on the script clock', async () => {
    const k = testKeys();
    expect((await flight(k, 'one')).status).toBe('recorded');
    const other = await flight(k, 'two', T0 + S);
    expect(other).toMatchObject({ status: 'refused', availableAtMs: T0 + 2 * MIN, lease: { actionId: 'one', endsAtMs: T0 + 2 * MIN } });
    expect(other.blocked).toEqual([{ rule: 'in_flight', limitIndex: null, windowMs: null, untilMs: T0 + 2 * MIN, lastActionAtMs: null }]);
    expect((await flight(k, 'three', T0 + 2 * MIN - 1)).status).toBe('refused');
    expect((await flight(k, 'four', T0 + 2 * MIN)).status).toBe('recorded');
  });

  it('is freed by the outcome (compare-and-delete: only its own action frees it) and by release', async () => {
    const k = testKeys();
    await flight(k, 'one');
    expect(await FREE_LEASE_SCRIPT.run(redis, { leaseKey: k('lease'), actionId: 'someone-else' })).toBe(0);
    expect((await flight(k, 'two', T0 + S)).status).toBe('refused');
    expect(await FREE_LEASE_SCRIPT.run(redis, { leaseKey: k('lease'), actionId: 'one' })).toBe(1);
    expect((await flight(k, 'two', T0 + 2 * S)).status).toBe('recorded');
    expect(
      await RELEASE_SCRIPT.run(redis, {
        windowKeys: [k('w0')],
        leaseKey: k('lease'),
        scheduleKey: k('sched'),
        scheduleEntry: 'a two',
        member: 'two',
        actionId: 'two',
        markerKey: k('m'),
        nowMs: T0 + 2 * S,
      }),
    ).toMatchObject({ status: 'done', units: 1 });
    expect((await flight(k, 'three', T0 + 3 * S)).status).toBe('recorded');
  });

  it('is neither taken by a dry run or a backfill nor checked for an action that is not single-flight', async () => {
    const k = testKeys();
    await flight(k, 'dry', T0, { mode: 'dry' });
    await flight(k, 'bf', T0, { mode: 'backfill', occurredAtMs: T0 - S });
    expect(await redis.exists(k('lease'))).toBe(0);
    await flight(k, 'one');
    expect((await run(input(k, { member: 'read', actionId: 'read', nowMs: T0 + S }))).status).toBe('recorded');
  });
});

describe('working hours', () => {
  it('refuses outside the open intervals with the next opening, admits at it, and keeps the end exclusive', async () => {
    const k = testKeys();
    const openIntervals: [number, number][] = [[T0 + HOUR, T0 + 2 * HOUR]];
    const closed = await run(input(k, { openIntervals }));
    expect(closed).toMatchObject({ status: 'refused', availableAtMs: T0 + HOUR });
    expect(closed.blocked).toEqual([{ rule: 'working_hours', limitIndex: null, windowMs: null, untilMs: T0 + HOUR, lastActionAtMs: null }]);
    expect((await run(input(k, { openIntervals, member: 'b', nowMs: T0 + 2 * HOUR }))).availableAtMs).toBe(-3);
    expect((await run(input(k, { openIntervals, member: 'c', nowMs: T0 + 2 * HOUR - 1 }))).status).toBe('recorded');
  });

  it('moves a freeing that falls when closed to the next opening', async () => {
    const k = testKeys();
    const limits = [limit(k, 0, { gapMs: 30 * MIN })];
    const openIntervals: [number, number][] = [
      [T0 - HOUR, T0 + 10 * MIN],
      [T0 + 3 * HOUR, T0 + 4 * HOUR],
    ];
    await run(input(k, { limits, openIntervals }));
    const r = await run(input(k, { limits, openIntervals, member: 'b', nowMs: T0 + MIN }));
    expect(r).toMatchObject({ status: 'refused', freeAtMs: T0 + 30 * MIN, availableAtMs: T0 + 3 * HOUR });
    expect(r.blocked.map((b) => b.rule)).toEqual(['gap']);
  });
});

describe('available_at is honest (property): at it the guard admits, one millisecond before it refuses', () => {
  interface State {
    limits: { max: number; windowMs: number; gapMs: number; jitterMs: number; bursts: { windowMs: number; max: number }[]; units: number }[];
    actions: { ago: number; units: number }[];
    lease: { holderEndsIn: number } | null;
    singleFlight: boolean;
    cooldown: { limit: number | null; endsIn: number } | null;
    intervals: [number, number][] | null;
  }

  const limitArb = fc.record({
    max: fc.integer({ min: 1, max: 6 }),
    windowMs: fc.constantFrom(10 * MIN, HOUR, 24 * HOUR),
    gapMs: fc.constantFrom(0, 5 * S, 30 * S, 5 * MIN),
    jitterMs: fc.constantFrom(0, 3 * S, 15 * S),
    bursts: fc.array(fc.record({ windowMs: fc.constantFrom(MIN, 5 * MIN), max: fc.integer({ min: 1, max: 4 }) }), { maxLength: 2 }),
    units: fc.constant(1),
  });
  const intervalsArb = fc
    .array(fc.record({ start: fc.integer({ min: -2 * HOUR, max: 7 * 24 * HOUR }), len: fc.integer({ min: MIN, max: 10 * HOUR }) }), {
      minLength: 1,
      maxLength: 5,
    })
    .map((xs) => {
      const sorted = xs.map((x) => [T0 + x.start, T0 + x.start + x.len] as [number, number]).sort((a, b) => a[0] - b[0]);
      const merged: [number, number][] = [];
      for (const [s, e] of sorted) {
        const last = merged[merged.length - 1];
        if (last && s <= last[1]) last[1] = Math.max(last[1], e);
        else merged.push([s, e]);
      }
      return merged;
    });
  const stateArb: fc.Arbitrary<State> = fc.record({
    limits: fc.array(limitArb, { minLength: 1, maxLength: 3 }),
    actions: fc.array(fc.record({ ago: fc.integer({ min: 0, max: 3 * HOUR }), units: fc.integer({ min: 1, max: 2 }) }), { maxLength: 12 }),
    lease: fc.option(fc.record({ holderEndsIn: fc.integer({ min: -MIN, max: 2 * MIN }) }), { nil: null }),
    singleFlight: fc.boolean(),
    cooldown: fc.option(
      fc.record({ limit: fc.option(fc.integer({ min: 0, max: 2 }), { nil: null }), endsIn: fc.integer({ min: 1, max: 3 * HOUR }) }),
      {
        nil: null,
      },
    ),
    intervals: fc.option(intervalsArb, { nil: null }),
  });

  /** The guard at `t`, with the cooldown mirror as the service writes it (its end in `ends_ms`). */
  async function guardAt(k: K, st: State, inp: GuardInput, t: number) {
    if (st.cooldown) {
      const key = st.cooldown.limit === null || st.cooldown.limit >= st.limits.length ? k('cd') : k(`cd${st.cooldown.limit}`);
      const ends = T0 + st.cooldown.endsIn;
      // A TTL on the host's clock, which the injected clock does not follow: the end is read from ends_ms.
      if (ends > t) await redis.set(key, JSON.stringify({ reason: 'test', ends_ms: ends }), 'PX', 10 * HOUR);
      else await redis.del(key);
    }
    return run(inp);
  }

  it('holds over generated windows, bursts, gaps, leases, cooldowns and schedules', async () => {
    await fc.assert(
      fc.asyncProperty(stateArb, async (st) => {
        const k = testKeys();
        const limits = st.limits.map((l, i) => limit(k, i, l));
        for (const [i, l] of st.limits.entries()) {
          const entries = st.actions.flatMap((a, j) => (a.ago < l.windowMs ? [{ t: T0 - a.ago, member: `p${j}`, units: a.units }] : []));
          await seedWindow(redis, k('m'), k(`w${i}`), l.windowMs, T0, entries);
        }
        if (st.lease) await redis.set(k('lease'), `${T0 + st.lease.holderEndsIn}:holder`, 'PX', 10 * MIN);
        const at = (t: number, mode: 'dry' | 'check' = 'dry') =>
          guardAt(
            k,
            st,
            input(k, { limits, nowMs: t, member: 'new', actionId: 'new', mode, leaseMs: st.singleFlight ? 2 * MIN : 0, openIntervals: st.intervals }),
            t,
          );
        const first = await at(T0);
        if (first.status === 'dry_run_allowed') return;
        expect(first.status).toBe('refused');
        const available = first.availableAtMs;
        if (available === null) {
          // Only a threshold below the cost or a cooldown without end is "never": none are generated.
          throw new Error(`available_at null for ${JSON.stringify(st)}`);
        }
        if (available === -3) return; // past the 8-day calendar: the service looks further in TypeScript
        expect(available).toBeGreaterThan(T0);
        expect((await at(available - 1)).status).toBe('refused');
        const then = await at(available);
        expect(then.status).toBe('dry_run_allowed');
        expect((await at(available, 'check')).status).toBe('recorded');
      }),
      { numRuns: 200 },
    );
  });
});
