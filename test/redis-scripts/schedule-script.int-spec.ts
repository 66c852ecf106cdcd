import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { type Redis } from 'ioredis';
import { type GuardDecision, GUARD_SCRIPT, type GuardInput, type GuardScriptLimit } from '../../src/smart-limits/guard.script.js';
import { RELEASE_SCRIPT } from '../../src/smart-limits/release.script.js';
import { actionMember } from '../../src/smart-limits/action-member.js';
import { scriptRedis, testKeys, windowEntries } from './script-test-kit.js';

// Schedule mode in guard.lua (SPEC 4b), against a real Redis with the clock passed in. A pure model
// below states the invariants independently of the script: with actions planned ahead, no window or
// burst holds more than its max at any instant, and no two actions of a limit are closer than its gap.
const T0 = Date.UTC(2026, 11, 7, 10);
const S = 1000;
const MIN = 60 * S;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;

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
    windowMs: DAY,
    units: 1,
    gapMs: 0,
    jitterMs: 0,
    bursts: [],
    ...over,
  };
}

function input(k: K, over: Partial<GuardInput> & { member: string }): GuardInput {
  return {
    identityCooldownKey: k('cd'),
    leaseKey: k('lease'),
    scheduleKey: k('sched'),
    scheduleKeepMs: 7 * DAY,
    nowMs: T0,
    actionId: over.member,
    cost: 1,
    mode: 'check',
    occurredAtMs: null,
    leaseMs: 0,
    openIntervals: null,
    limits: [limit(k, 0)],
    api: { bucketKey: k('api'), dailyKey: k('daily'), limits: { perSecond: 0, perMinute: 0, daily: 0 } },
    schedule: null,
    markerKey: k('m'),
    ...over,
  };
}

/** The guard script, with the identity's state marker present (as after any first guard, SPEC §9b). */
async function guard(i: GuardInput): Promise<GuardDecision> {
  await redis.set(i.markerKey, '1');
  const r = await GUARD_SCRIPT.run(redis, i);
  if (r.status === 'rebuild_needed' || r.status === 'invitation_state_missing') throw new Error(`no decision: ${r.status}`);
  return r;
}

/** Release (release.lua), the marker present. */
async function release(k: K, windowKeys: string[], member: string) {
  await redis.set(k('m'), '1');
  return RELEASE_SCRIPT.run(redis, {
    windowKeys,
    leaseKey: k('lease'),
    markerKey: k('m'),
    nowMs: null,
    scheduleKey: k('sched'),
    scheduleEntry: `act ${member}`,
    member,
    actionId: member,
  });
}

const plan = (k: K, member: string, over: Partial<GuardInput> = {}, notAfterMs = T0 + 7 * DAY) =>
  guard(input(k, { member, schedule: { notBeforeMs: over.nowMs ?? T0, notAfterMs, entry: `act ${member}` }, ...over }));

// ---- The pure model -------------------------------------------------------------------------------

/** guard.lua's member_jitter, restated: sha1(digest|slug), first 8 hex digits, mod (jit + 1); the digest is the action's member. */
function jitterOf(member: string, slug: string, jit: number): number {
  if (jit <= 0) return 0;
  const base = actionMember(member);
  return parseInt(createHash('sha1').update(`${base}|${slug}`).digest('hex').slice(0, 8), 16) % (jit + 1);
}

interface Entry {
  member: string;
  t: number;
}

/** A window's entries (its layout read through windowEntries), one per unit: a cost of c counts c times. */
async function entriesOf(key: string): Promise<Entry[]> {
  return (await windowEntries(redis, key)).flatMap((e) => Array.from({ length: e.units }, () => ({ member: e.member, t: e.t })));
}

const countIn = (es: Entry[], lo: number, hi: number) => es.filter((e) => e.t > lo && e.t <= hi).length;

/** Whether `units` more at t keep every instant of [t, t + win) within max (the instants that matter: t and the entries after it). */
function windowFits(es: Entry[], t: number, win: number, max: number, units: number): boolean {
  const instants = [t, ...es.filter((e) => e.t > t && e.t < t + win).map((e) => e.t)];
  return instants.every((tau) => countIn(es, tau - win, tau) + units <= max);
}

/** Whether an action `member` at t keeps its gap to every other action of the limit, before and after. */
function gapFits(es: Entry[], t: number, l: GuardScriptLimit, member: string): boolean {
  if (l.gapMs <= 0) return true;
  const own = jitterOf(member, l.slug, l.jitterMs);
  return es.every((e) => (e.t <= t ? t - e.t >= l.gapMs + jitterOf(e.member, l.slug, l.jitterMs) : e.t - t >= l.gapMs + own));
}

/** The model's answer: may `member` (with `units` per limit) be placed at t, given what the windows hold? */
async function legalAt(limits: GuardScriptLimit[], t: number, member: string, intervals: [number, number][] | null): Promise<boolean> {
  if (intervals && !intervals.some(([s, e]) => s <= t && t < e)) return false;
  for (const l of limits) {
    const es = (await entriesOf(l.windowKey)).filter((e) => e.member !== actionMember(member));
    if (!windowFits(es, t, l.windowMs, l.max, l.units)) return false;
    for (const b of l.bursts) if (!windowFits(es, t, b.windowMs, b.max, l.units)) return false;
    if (!gapFits(es, t, l, member)) return false;
  }
  return true;
}

/** Times around which a rule changes its answer: where an off-by-one in the script would show. */
async function boundaries(limits: GuardScriptLimit[], member: string): Promise<number[]> {
  const out: number[] = [];
  for (const l of limits) {
    const own = jitterOf(member, l.slug, l.jitterMs);
    for (const e of await entriesOf(l.windowKey)) {
      const g = l.gapMs ? l.gapMs + jitterOf(e.member, l.slug, l.jitterMs) : 0;
      out.push(e.t + g, e.t - (l.gapMs ? l.gapMs + own : 0), e.t + l.windowMs, e.t - l.windowMs + 1);
      for (const b of l.bursts) out.push(e.t + b.windowMs, e.t - b.windowMs + 1);
    }
  }
  return out;
}

/** The model's earliest legal time >= start: the first legal one among start and every time at which a rule frees. */
async function modelEarliest(
  limits: GuardScriptLimit[],
  start: number,
  member: string,
  intervals: [number, number][] | null,
): Promise<number | null> {
  const candidates = new Set<number>([start]);
  for (const t of await boundaries(limits, member)) if (t > start) candidates.add(t);
  for (const [s] of intervals ?? []) if (s > start) candidates.add(s);
  for (const t of [...candidates].sort((a, b) => a - b)) if (await legalAt(limits, t, member, intervals)) return t;
  return null;
}

/** Every invariant over what the windows hold: counts at every instant, and gaps between neighbours. */
async function violations(limits: GuardScriptLimit[]): Promise<string[]> {
  const out: string[] = [];
  for (const l of limits) {
    const es = await entriesOf(l.windowKey);
    for (const w of [{ windowMs: l.windowMs, max: l.max }, ...l.bursts]) {
      for (const e of es) {
        const c = countIn(es, e.t - w.windowMs, e.t);
        if (c > w.max) out.push(`${l.slug}: ${c} > ${w.max} in ${w.windowMs} ms at ${e.t - T0}`);
      }
    }
    if (l.gapMs > 0) {
      const actions = [...new Map(es.map((e) => [e.member, e.t])).entries()].sort((a, b) => a[1] - b[1]);
      for (let j = 1; j < actions.length; j++) {
        const [pm, pt] = actions[j - 1];
        const need = l.gapMs + jitterOf(pm, l.slug, l.jitterMs);
        if (actions[j][1] - pt < need) out.push(`${l.slug}: ${actions[j][0]} ${actions[j][1] - pt} ms after ${pm} (< ${need})`);
      }
    }
  }
  return out;
}

// ---- Examples -------------------------------------------------------------------------------------

describe('schedule mode (guard.lua)', () => {
  it('plans a campaign: spaced by gap + jitter, inside the working hours, within the window and burst at every instant; the next one moves on when the day is full', async () => {
    const k = testKeys();
    const limits = [limit(k, 0, { max: 25, gapMs: MIN, jitterMs: 15 * S, bursts: [{ windowMs: 15 * MIN, max: 3 }] })];
    const openIntervals: [number, number][] = [0, 1, 2, 3].map((d) => [T0 - HOUR + d * DAY, T0 + 8 * HOUR + d * DAY]);
    const times: number[] = [];
    for (let j = 0; j < 25; j++) {
      const r = await plan(k, `inv${j}`, { limits, openIntervals });
      expect(r.status).toBe('recorded');
      times.push(r.atMs!);
    }
    expect(times[0]).toBe(T0);
    for (let j = 1; j < 25; j++) expect(times[j]).toBeGreaterThan(times[j - 1]);
    expect(await violations(limits)).toEqual([]);
    for (const t of times) expect(openIntervals.some(([s, e]) => s <= t && t < e)).toBe(true);
    // The 26th: the 24 h window holds 25 from T0 on; it fits once the first planned one leaves it.
    const next = await plan(k, 'inv25', { limits, openIntervals });
    expect(next.atMs).toBeGreaterThanOrEqual(times[0] + DAY);
    expect(await legalAt(limits, next.atMs! - 1, 'inv25', openIntervals)).toBe(false);
    expect(await violations(limits)).toEqual([]);
    // Nothing counts as consumed before its time; everything counts as scheduled.
    expect(next.windows[0]).toMatchObject({ consumedAfter: 1, scheduled: 25 });
    expect(await redis.zcard(k('sched'))).toBe(26);
  });

  it('answers a retry with the same scheduled_at, fits an immediate action between planned ones only where it breaks nothing, and frees a released slot', async () => {
    const k = testKeys();
    const limits = [limit(k, 0, { gapMs: 10 * MIN })];
    // Two actions planned 10 min apart, starting in an hour.
    const a = await plan(k, 'a', { limits, schedule: { notBeforeMs: T0 + HOUR, notAfterMs: T0 + DAY, entry: 'act a' } });
    const b = await plan(k, 'b', { limits, schedule: { notBeforeMs: T0 + HOUR, notAfterMs: T0 + DAY, entry: 'act b' } });
    expect([a.atMs, b.atMs]).toEqual([T0 + HOUR, T0 + HOUR + 10 * MIN]);
    const again = await plan(k, 'a', { limits, nowMs: T0 + 5 * MIN });
    expect(again).toMatchObject({ status: 'duplicate', atMs: T0 + HOUR });
    // Now (T0) is 60 min before a: an immediate action fits.
    expect((await guard(input(k, { member: 'now', limits }))).status).toBe('recorded');
    // 55 min later it would be 5 min before a: refused until after b's gap.
    const late = await guard(input(k, { member: 'late', limits, nowMs: T0 + 55 * MIN }));
    expect(late).toMatchObject({ status: 'refused', availableAtMs: T0 + HOUR + 20 * MIN });
    expect(late.blocked).toEqual([
      { rule: 'gap', limitIndex: 0, windowMs: null, untilMs: T0 + HOUR + 20 * MIN, lastActionAtMs: T0 + HOUR + 10 * MIN },
    ]);
    // Release a: its slot is free for the next planner.
    expect(await release(k, [k('w0')], 'a')).toMatchObject({ status: 'done', units: 1, recordedAtMs: T0 + HOUR });
    expect(await redis.zrange(k('sched'), 0, -1)).toEqual(['act b']);
    const c = await plan(k, 'c', { limits, nowMs: T0 + MIN, schedule: { notBeforeMs: T0 + HOUR, notAfterMs: T0 + DAY, entry: 'act c' } });
    expect(c.atMs).toBe(T0 + HOUR);
    expect(await violations(limits)).toEqual([]);
  });

  it('refuses only when no time fits before not_after (with the earliest time that does), and never for a threshold of 0', async () => {
    const k = testKeys();
    const limits = [limit(k, 0, { max: 1, windowMs: HOUR })];
    expect((await plan(k, 'x', { limits })).atMs).toBe(T0);
    const tight = await plan(k, 'y', { limits }, T0 + 30 * MIN);
    expect(tight).toMatchObject({ status: 'refused', availableAtMs: T0 + HOUR });
    expect(tight.blocked.map((b) => b.rule)).toEqual(['window']);
    expect((await plan(k, 'y', { limits }, T0 + HOUR)).atMs).toBe(T0 + HOUR);
    const zero = await plan(k, 'z', { limits: [limit(k, 1, { max: 0 })] });
    expect(zero).toMatchObject({ status: 'refused', availableAtMs: null });
  });

  it('waits for a timed cooldown, is refused by one a person must clear, and takes no lease', async () => {
    const k = testKeys();
    await redis.set(k('cd'), JSON.stringify({ reason: 'test', ends_ms: T0 + 2 * HOUR }), 'PX', DAY);
    const r = await plan(k, 'a', { leaseMs: 2 * MIN });
    expect(r).toMatchObject({ status: 'recorded', atMs: T0 + 2 * HOUR });
    expect(await redis.exists(k('lease'))).toBe(0);
    await redis.set(k('cd'), JSON.stringify({ reason: 'test' }));
    const never = await plan(k, 'b');
    expect(never).toMatchObject({ status: 'refused', availableAtMs: null, cooldown: { limitIndex: null } });
  });

  it('plans after an action in flight: a lease held by another action ends before the planned time', async () => {
    const k = testKeys();
    await redis.set(k('lease'), `${T0 + 90 * S}:other`, 'PX', 2 * MIN);
    expect((await plan(k, 'a', { leaseMs: 2 * MIN })).atMs).toBe(T0 + 90 * S);
  });
});

// ---- The property ---------------------------------------------------------------------------------

describe('schedule mode (property): random mixes of planned, immediate, released and backfilled actions', () => {
  const limitArb = fc.record({
    max: fc.integer({ min: 1, max: 6 }),
    windowMs: fc.constantFrom(10 * MIN, HOUR),
    gapMs: fc.constantFrom(0, MIN, 5 * MIN),
    jitterMs: fc.constantFrom(0, 30 * S),
    bursts: fc.array(fc.record({ windowMs: fc.constantFrom(2 * MIN, 5 * MIN), max: fc.integer({ min: 1, max: 3 }) }), { maxLength: 1 }),
  });
  const opArb = fc.oneof(
    fc.record({
      kind: fc.constant('plan' as const),
      advance: fc.integer({ min: 0, max: 20 * MIN }),
      notBefore: fc.option(fc.integer({ min: 0, max: 3 * HOUR }), { nil: null }),
      anchor: fc.option(fc.record({ pick: fc.nat(), offset: fc.integer({ min: -2, max: 2 }) }), { nil: null }),
    }),
    fc.record({
      kind: fc.constant('now' as const),
      advance: fc.integer({ min: 0, max: 20 * MIN }),
      anchor: fc.option(fc.record({ pick: fc.nat(), offset: fc.integer({ min: -2, max: 2 }) }), { nil: null }),
    }),
    fc.record({ kind: fc.constant('release' as const), advance: fc.integer({ min: 0, max: 5 * MIN }), pick: fc.nat() }),
    fc.record({ kind: fc.constant('backfill' as const), advance: fc.integer({ min: 0, max: 5 * MIN }), ago: fc.integer({ min: 0, max: 30 * MIN }) }),
  );
  const intervalsArb = fc.option(
    fc.constant<[number, number][]>([0, 1, 2, 3, 4, 5, 6, 7].map((d) => [T0 + d * DAY - 2 * HOUR, T0 + d * DAY + 6 * HOUR])),
    { nil: null },
  );

  it('never break an invariant, and scheduled_at / available_at are the earliest legal times (1 ms earlier is not)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(limitArb, { minLength: 1, maxLength: 2 }),
        fc.array(opArb, { minLength: 1, maxLength: 25 }),
        intervalsArb,
        async (ls, ops, intervals) => {
          const k = testKeys();
          const limits = ls.map((l, i) => limit(k, i, { ...l, jitterMs: l.gapMs ? l.jitterMs : 0 }));
          let now = T0;
          let backfilled = false;
          const recorded: string[] = [];
          for (const [j, op] of ops.entries()) {
            now += op.advance;
            const member = `m${j}`;
            const base = { member, limits, nowMs: now, openIntervals: intervals };
            // Boundary times of what is recorded: a not_before (or the clock) lands on them, ± 2 ms.
            const anchors = (op.kind === 'plan' || op.kind === 'now') && op.anchor ? await boundaries(limits, member) : [];
            const anchored =
              anchors.length && op.kind !== 'release' && op.kind !== 'backfill' && op.anchor
                ? anchors[op.anchor.pick % anchors.length] + op.anchor.offset
                : null;
            if (op.kind === 'now' && anchored !== null && anchored > now) base.nowMs = now = anchored;
            if (op.kind === 'plan') {
              const asked = anchored ?? (op.notBefore === null ? now : T0 + op.notBefore);
              const start = Math.max(now, asked);
              const r = await guard(input(k, { ...base, schedule: { notBeforeMs: start, notAfterMs: now + 7 * DAY, entry: `act ${member}` } }));
              if (r.status === 'recorded') {
                const t = r.atMs!;
                expect(t).toBeGreaterThanOrEqual(start);
                // Placed legally (the model, without the action itself) and not a millisecond later than it had to be.
                expect(await legalAt(limits, t, member, intervals)).toBe(true);
                expect(t).toBe(await modelEarliest(limits, start, member, intervals));
                if (t > start) {
                  expect(await legalAt(limits, t - 1, member, intervals)).toBe(false);
                  const probe = start + Math.floor((t - start) / 2);
                  expect(await legalAt(limits, probe, member, intervals)).toBe(false);
                }
                recorded.push(member);
              } else {
                expect(r.status).toBe('refused');
                if (r.availableAtMs !== null && r.availableAtMs !== -3) expect(r.availableAtMs).toBeGreaterThan(now + 7 * DAY);
              }
            } else if (op.kind === 'now') {
              const legal = await legalAt(limits, now, member, intervals);
              const r = await guard(input(k, base));
              expect(r.status).toBe(legal ? 'recorded' : 'refused');
              if (r.status === 'recorded') recorded.push(member);
              else if (r.availableAtMs !== null && r.availableAtMs !== -3) {
                const at = r.availableAtMs;
                expect(at).toBeGreaterThan(now);
                expect(await legalAt(limits, at, member, intervals)).toBe(true);
                expect(await legalAt(limits, at - 1, member, intervals)).toBe(false);
                expect(at).toBe(await modelEarliest(limits, now, member, intervals));
                // A dry run at available_at admits; one ms before refuses (the script agrees with the model).
                expect((await guard(input(k, { ...base, nowMs: at, mode: 'dry' }))).status).toBe('dry_run_allowed');
                expect((await guard(input(k, { ...base, nowMs: at - 1, mode: 'dry' }))).status).toBe('refused');
              }
            } else if (op.kind === 'release') {
              if (!recorded.length) continue;
              const victim = recorded.splice(op.pick % recorded.length, 1)[0];
              await release(
                k,
                limits.map((l) => l.windowKey),
                victim,
              );
            } else {
              const r = await guard(input(k, { ...base, mode: 'backfill', occurredAtMs: now - op.ago }));
              expect(r.status).toBe('recorded');
              backfilled = true;
            }
            // Backfills are recorded and never refused (SPEC 4b), so only without them must every invariant hold globally.
            if (!backfilled) expect(await violations(limits)).toEqual([]);
          }
        },
      ),
      { numRuns: 400 },
    );
  });
});
