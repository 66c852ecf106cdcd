import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Redis } from 'ioredis';
import { DateTime } from 'luxon';
import { ManualClock } from '../../src/common/clock.js';
import { actionMember } from '../../src/smart-limits/action-member.js';
import { startTestRedis, type TestRedis } from '../support/servers.js';
import { createIdentity, createWorkspace, startTestApp, type TestApp } from '../support/test-app.js';

// SPEC 4b schedule mode through the HTTP API, with an injected clock (Monday 2026-12-07, UTC).
const S = 1000;
const MIN = 60 * S;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;
const T0 = Date.parse('2026-12-07T06:00:00.000Z'); // 07:00 in Paris
const iso = (ms: number) => new Date(ms).toISOString();
const CONNECT = 'linkedin-connect-profile';
const VISIT = 'linkedin-visit-profile';
// A long working day, so a day's 25 invitations fit in it (40 % per 4 h = 10 per 4 h).
const LONG_DAY = { days: [1, 2, 3, 4, 5], start: '08:00', end: '20:00', start_jitter_minutes: 0 };

/** guard.lua's per-action jitter, restated (sha1 of the member and the limit). */
const jitterOf = (actionId: string, slug: string, jitMs: number) =>
  parseInt(
    createHash('sha1')
      .update(`${actionMember(actionId)}|${slug}`)
      .digest('hex')
      .slice(0, 8),
    16,
  ) %
  (jitMs + 1);

/** The most actions any window of `windowMs` holds at any instant (the instants that matter are the actions themselves). */
const peak = (times: number[], windowMs: number) => Math.max(0, ...times.map((t) => times.filter((u) => u > t - windowMs && u <= t).length));

describe('schedule mode through the guard', () => {
  const clock = new ManualClock(T0);
  let t: TestApp;
  let key: string;
  const guard = (identityId: string, action: string, body: Record<string, unknown>) =>
    t.request('POST', `/v1/identities/${identityId}/actions/${action}/guard`, { key, body });
  const plan = (identityId: string, action: string, actionId: string, extra: Record<string, unknown> = {}) =>
    guard(identityId, action, { action_id: actionId, when: 'earliest', ...extra });

  beforeAll(async () => {
    t = await startTestApp({ clock });
    key = (await createWorkspace(t, { monthly_credits: 50_000_000 })).api_key;
  });
  afterAll(async () => {
    await t?.close();
  });

  it('plans 25 invitations spaced by gap + jitter inside the working hours, no window or burst over its cap at any instant; the 26th moves to the next day', async () => {
    clock.set(T0);
    const i = await createIdentity(t, key, { account_type: 'sales_navigator', timezone: 'Europe/Paris', schedule: LONG_DAY });
    const times: number[] = [];
    const ids: string[] = [];
    for (let k = 0; k < 25; k++) {
      const r = await plan(i.id, CONNECT, `inv-${k}`);
      expect(r.status).toBe(200);
      expect(r.body).toMatchObject({ allowed: true, recorded: true, duplicate: false });
      times.push(Date.parse(r.body.scheduled_at));
      ids.push(`inv-${k}`);
    }
    // Paris opens at 08:00 (07:00 UTC); the first one is planned at the opening.
    expect(times[0]).toBe(Date.parse('2026-12-07T07:00:00.000Z'));
    for (let k = 1; k < 25; k++) {
      expect(times[k] - times[k - 1]).toBeGreaterThanOrEqual(60 * S + jitterOf(ids[k - 1], 'LK_INVITATIONS_SENT', 15 * S));
    }
    for (const at of times) {
      const local = DateTime.fromMillis(at, { zone: 'Europe/Paris' });
      expect(local.weekday).toBeLessThanOrEqual(5);
      expect(local.hour).toBeGreaterThanOrEqual(8);
      expect(local.hour).toBeLessThan(20);
      expect(local.toISODate()).toBe('2026-12-07');
    }
    expect(peak(times, DAY)).toBeLessThanOrEqual(25);
    expect(peak(times, 15 * MIN)).toBeLessThanOrEqual(3);
    expect(peak(times, 4 * HOUR)).toBeLessThanOrEqual(10);
    // The 24 h window is full from the first planned invitation on: the 26th waits for it to leave, on Tuesday.
    const r26 = await plan(i.id, CONNECT, 'inv-25');
    expect(r26.status).toBe(200);
    const at26 = Date.parse(r26.body.scheduled_at);
    expect(at26).toBeGreaterThanOrEqual(times[0] + DAY);
    expect(DateTime.fromMillis(at26, { zone: 'Europe/Paris' }).toISODate()).toBe('2026-12-08');
    // Reads: nothing consumed yet, everything scheduled ahead; the plan is listed in order.
    const limits = await t.request('GET', `/v1/identities/${i.id}/actions/${CONNECT}/limits`, { key });
    expect(limits.body.limits.find((l: { slug: string }) => l.slug === 'LK_INVITATIONS_SENT')).toMatchObject({ consumed: 0, scheduled: 26 });
    const sched = await t.request('GET', `/v1/identities/${i.id}/schedule`, { key });
    expect(sched.status).toBe(200);
    expect(sched.body.actions).toHaveLength(26);
    expect(sched.body.actions[0]).toEqual({ action: CONNECT, action_id: 'inv-0', scheduled_at: iso(times[0]) });
    const monday = await t.request('GET', `/v1/identities/${i.id}/schedule?from=${iso(T0)}&to=${encodeURIComponent('2026-12-08T00:00:00.000Z')}`, {
      key,
    });
    expect(monday.body.actions.map((a: { action_id: string }) => a.action_id)).toEqual(ids);
    // Once its time has come, a planned action counts as consumed.
    clock.set(times[2]);
    const later = await t.request('GET', `/v1/identities/${i.id}/actions/${CONNECT}/limits`, { key });
    expect(later.body.limits.find((l: { slug: string }) => l.slug === 'LK_INVITATIONS_SENT')).toMatchObject({ consumed: 3, scheduled: 23 });
  });

  it('answers a retry with the same scheduled_at; release frees the slot the next planner takes; immediate guards fit only where nothing breaks', async () => {
    clock.set(T0 + 2 * DAY);
    const i = await createIdentity(t, key, { account_type: 'premium' });
    const a = await plan(i.id, VISIT, 'a', { not_before: iso(T0 + 2 * DAY + HOUR) });
    const b = await plan(i.id, VISIT, 'b', { not_before: iso(T0 + 2 * DAY + HOUR) });
    expect(a.body.scheduled_at).toBe(iso(T0 + 2 * DAY + HOUR));
    const bAt = Date.parse(b.body.scheduled_at);
    expect(bAt).toBe(T0 + 2 * DAY + HOUR + 30 * S + jitterOf('a', 'LK_PROFILE_VISITS', 15 * S));
    const again = await plan(i.id, VISIT, 'a');
    expect(again.body).toMatchObject({ duplicate: true, recorded: false, scheduled_at: a.body.scheduled_at });
    // An immediate guard 10 s before a is too close to it: refused until after b.
    clock.set(T0 + 2 * DAY + HOUR - 10 * S);
    const near = await guard(i.id, VISIT, { action_id: 'near' });
    expect(near.status).toBe(429);
    expect(near.body.error.error_label).toBe('TOO_SOON');
    expect(near.body.error.details.available_at).toBe(iso(bAt + 30 * S + jitterOf('b', 'LK_PROFILE_VISITS', 15 * S)));
    // An hour earlier it fits (far from both).
    clock.set(T0 + 2 * DAY);
    expect((await guard(i.id, VISIT, { action_id: 'early' })).status).toBe(200);
    // Release a: its slot goes to the next planner, and it leaves the schedule.
    const rel = await t.request('POST', `/v1/identities/${i.id}/actions/${VISIT}/release`, { key, body: { action_id: 'a' } });
    expect(rel.body).toEqual({ released: true });
    // (An id whose own jitter keeps it as far from b as a was: then a's time is exactly free again.)
    const cId = Array.from({ length: 100 }, (_, k) => `c${k}`).find(
      (id) => jitterOf(id, 'LK_PROFILE_VISITS', 15 * S) <= jitterOf('a', 'LK_PROFILE_VISITS', 15 * S),
    )!;
    const c = await plan(i.id, VISIT, cId, { not_before: iso(T0 + 2 * DAY + HOUR) });
    expect(c.body.scheduled_at).toBe(iso(T0 + 2 * DAY + HOUR));
    const list = await t.request('GET', `/v1/identities/${i.id}/schedule`, { key });
    expect(list.body.actions.map((x: { action_id: string }) => x.action_id)).toEqual([cId, 'b']);
  });

  it('refuses (429, available_at) only when no time fits before not_after; validates the schedule fields', async () => {
    clock.set(T0 + 3 * DAY);
    const i = await createIdentity(t, key, { account_type: 'premium', limit_overrides: { LK_PROFILE_VISITS: 1 } });
    expect((await plan(i.id, VISIT, 'one')).status).toBe(200);
    const r = await plan(i.id, VISIT, 'two', { not_after: iso(T0 + 3 * DAY + HOUR) });
    expect(r.status).toBe(429);
    expect(r.body.error).toMatchObject({ error_label: 'LIMIT_REACHED', details: { limit: 'LK_PROFILE_VISITS', available_at: iso(T0 + 4 * DAY) } });
    expect(r.headers.get('retry-after')).toBe(String(DAY / 1000));
    // A dry run plans without recording: the time it would take.
    const dry = await plan(i.id, VISIT, 'dry', { dry_run: true });
    expect(dry.body).toMatchObject({ recorded: false, dry_run: true, scheduled_at: iso(T0 + 4 * DAY) });
    expect((await t.request('GET', `/v1/identities/${i.id}/schedule`, { key })).body.actions).toHaveLength(1);
    const bad = [
      { body: { action_id: 'x', when: 'earliest', occurred_at: iso(T0 + 3 * DAY - MIN) }, field: 'occurred_at' },
      { body: { action_id: 'x', not_before: iso(T0 + 3 * DAY + HOUR) }, field: 'not_before' },
      {
        body: { action_id: 'x', when: 'earliest', not_before: iso(T0 + 3 * DAY + 2 * HOUR), not_after: iso(T0 + 3 * DAY + HOUR) },
        field: 'not_after',
      },
      { body: { action_id: 'x', when: 'earliest', not_after: iso(T0 + 40 * DAY) }, field: 'not_after' },
      { body: { action_id: 'x', when: 'later' }, field: 'when' },
    ];
    for (const x of bad) {
      const res = await guard(i.id, VISIT, x.body);
      expect(res.status).toBe(400);
      expect(Object.keys(res.body.error.details)).toContain(x.field);
    }
    expect((await t.request('GET', `/v1/identities/${i.id}/schedule?from=nope`, { key })).status).toBe(400);
  });

  it('auto mode with "when": "earliest" picks the identity of the pool that can act soonest', async () => {
    clock.set(T0 + 5 * DAY);
    const busy = await createIdentity(t, key, { account_type: 'premium' });
    const closed = await createIdentity(t, key, {
      account_type: 'premium',
      timezone: 'UTC',
      schedule: { days: [1, 2, 3, 4, 5], start: '20:00', end: '21:00', start_jitter_minutes: 0 },
    });
    const idle = await createIdentity(t, key, { account_type: 'premium' });
    // busy planned a visit 10 s from now, so its earliest is after that visit's gap; idle can act now.
    await plan(busy.id, VISIT, 'busy-1', { not_before: iso(T0 + 5 * DAY + 10 * S) });
    const r = await t.request('POST', `/v1/actions/${VISIT}/guard`, {
      key,
      body: { action_id: 'auto-1', when: 'earliest', identity_ids: [busy.id, closed.id, idle.id] },
    });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ identity_id: idle.id, scheduled_at: iso(T0 + 5 * DAY) });
    // idle is now the busiest; the next one goes to busy (before the closed identity opens at 20:00).
    const r2 = await t.request('POST', `/v1/actions/${VISIT}/guard`, {
      key,
      body: { action_id: 'auto-2', when: 'earliest', identity_ids: [busy.id, closed.id, idle.id] },
    });
    expect(r2.body.identity_id).not.toBe(closed.id);
    expect(Date.parse(r2.body.scheduled_at)).toBeLessThan(Date.parse('2026-12-12T20:00:00.000Z'));
  });
});

describe('schedule mode across two instances', () => {
  let a: TestApp;
  let b: TestApp;
  beforeAll(async () => {
    a = await startTestApp({ keyPrefix: 'sched2' });
    b = await startTestApp({ keyPrefix: 'sched2' });
  });
  afterAll(async () => {
    await a?.close();
    await b?.close();
  });

  it('50 concurrent planners on one identity: 50 slots, no two closer than the gap and the earlier one’s jitter', async () => {
    const ws = await createWorkspace(a, { monthly_credits: 50_000_000 });
    const i = await createIdentity(a, ws.api_key, { account_type: 'sales_navigator' });
    const rs = await Promise.all(
      Array.from({ length: 50 }, (_, k) =>
        (k % 2 ? a : b).request('POST', `/v1/identities/${i.id}/actions/${VISIT}/guard`, {
          key: ws.api_key,
          body: { action_id: `p${k}`, when: 'earliest' },
        }),
      ),
    );
    expect(rs.map((r) => r.status)).toEqual(Array(50).fill(200));
    const slots = rs.map((r) => ({ id: r.body.action_id as string, at: Date.parse(r.body.scheduled_at) })).sort((x, y) => x.at - y.at);
    for (let k = 1; k < slots.length; k++) {
      expect(slots[k].at - slots[k - 1].at).toBeGreaterThanOrEqual(30 * S + jitterOf(slots[k - 1].id, 'LK_PROFILE_VISITS', 15 * S));
    }
    const times = slots.map((s) => s.at);
    expect(peak(times, 15 * MIN)).toBeLessThanOrEqual(5);
    const list = await b.request('GET', `/v1/identities/${i.id}/schedule?from=${iso(Date.now() - HOUR)}`, { key: ws.api_key });
    expect(list.body.actions).toHaveLength(50);
  });
});

/** Redis forgets (FLUSHALL on its own redis-server): planned actions come back from the journal. */
describe('schedule mode after a Redis data loss', () => {
  let redis: TestRedis;
  let raw: Redis;
  let t: TestApp;
  beforeAll(async () => {
    redis = await startTestRedis();
    raw = new Redis(redis.url, { maxRetriesPerRequest: 1 });
    t = await startTestApp({ redisUrl: redis.url, keyPrefix: 'schedloss' });
  }, 60_000);
  afterAll(async () => {
    raw?.disconnect();
    await t?.close();
    await redis?.stop();
  });

  it('rebuilds planned actions into the windows and the schedule: the next plan still goes after them', async () => {
    const ws = await createWorkspace(t, { monthly_credits: 50_000_000 });
    const i = await createIdentity(t, ws.api_key, { account_type: 'premium' });
    const plan = (id: string) =>
      t.request('POST', `/v1/identities/${i.id}/actions/${VISIT}/guard`, {
        key: ws.api_key,
        body: { action_id: id, when: 'earliest', not_before: iso(Date.now() + HOUR) },
      });
    const first = await plan('ahead-1');
    const second = await plan('ahead-2');
    // Past the journal's batch interval, then the loss.
    await new Promise((r) => setTimeout(r, 400));
    await raw.flushall();
    const third = await plan('ahead-3');
    expect(third.status).toBe(200);
    expect(Date.parse(third.body.scheduled_at)).toBeGreaterThan(Date.parse(second.body.scheduled_at));
    const list = await t.request('GET', `/v1/identities/${i.id}/schedule`, { key: ws.api_key });
    expect(list.body.actions.map((a: { action_id: string; scheduled_at: string }) => [a.action_id, a.scheduled_at])).toEqual([
      ['ahead-1', first.body.scheduled_at],
      ['ahead-2', second.body.scheduled_at],
      ['ahead-3', third.body.scheduled_at],
    ]);
  });
});
