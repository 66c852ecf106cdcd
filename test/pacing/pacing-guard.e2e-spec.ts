import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ManualClock } from '../../src/common/clock.js';
import { startTestRedisCluster } from '../support/servers.js';
import { createIdentity, createWorkspace, startTestApp, type TestApp } from '../support/test-app.js';

// SPEC 4b through the HTTP API, with an injected clock (a Monday morning in December, UTC).
const S = 1000;
const MIN = 60 * S;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;
const T0 = Date.parse('2026-12-07T10:00:00.000Z');
const iso = (ms: number) => new Date(ms).toISOString();

describe('pacing through the guard', () => {
  const clock = new ManualClock(T0);
  let t: TestApp;
  let key: string;
  let wsId: string;
  const guard = (identityId: string, action: string, body: Record<string, unknown>) =>
    t.request('POST', `/v1/identities/${identityId}/actions/${action}/guard`, { key, body });
  const next = (identityId: string, action: string) => t.request('GET', `/v1/identities/${identityId}/actions/${action}/next`, { key });
  const outcome = (identityId: string, body: Record<string, unknown>) => t.request('POST', `/v1/identities/${identityId}/outcomes`, { key, body });

  beforeAll(async () => {
    t = await startTestApp({ clock });
    const ws = await createWorkspace(t, { monthly_credits: 50_000_000 });
    key = ws.api_key;
    wsId = ws.id;
  });
  afterAll(async () => {
    await t?.close();
  });

  describe('gaps', () => {
    it('admits exactly one of N concurrent guards per gap, refusing the rest TOO_SOON with one available_at', async () => {
      clock.set(T0);
      const i = await createIdentity(t, key);
      const rs = await Promise.all(Array.from({ length: 12 }, (_, k) => guard(i.id, 'linkedin-visit-profile', { action_id: `v${k}` })));
      expect(rs.filter((r) => r.status === 200)).toHaveLength(1);
      const refused = rs.filter((r) => r.status === 429);
      expect(refused).toHaveLength(11);
      for (const r of refused) {
        expect(r.body.error.error_label).toBe('TOO_SOON');
        expect(r.body.error.details).toMatchObject({ limit: 'LK_PROFILE_VISITS', rule: 'gap', last_action_at: iso(T0) });
      }
      const at = new Set(refused.map((r) => r.body.error.details.available_at));
      expect(at.size).toBe(1);
      const availableMs = Date.parse([...at][0]);
      // 30 s gap + 0–15 s of this action's jitter.
      expect(availableMs).toBeGreaterThanOrEqual(T0 + 30 * S);
      expect(availableMs).toBeLessThanOrEqual(T0 + 45 * S);
      expect(refused[0].headers.get('retry-after')).toBe(String(Math.ceil((availableMs - T0) / 1000)));
      // Stable across refusals and time: the jitter was drawn once.
      clock.set(T0 + 20 * S);
      const later = await guard(i.id, 'linkedin-visit-profile', { action_id: 'late' });
      expect(later.body.error.details.available_at).toBe(iso(availableMs));
      clock.set(availableMs - 1);
      expect((await guard(i.id, 'linkedin-visit-profile', { action_id: 'early' })).status).toBe(429);
      clock.set(availableMs);
      expect((await guard(i.id, 'linkedin-visit-profile', { action_id: 'on-time' })).status).toBe(200);
    });

    it('never refuses a backfill for pacing; a dry run checks it; pacing_overrides 0 disables a gap', async () => {
      clock.set(T0);
      const i = await createIdentity(t, key);
      expect((await guard(i.id, 'linkedin-visit-profile', { action_id: 'a' })).status).toBe(200);
      const dry = await guard(i.id, 'linkedin-visit-profile', { action_id: 'b', dry_run: true });
      expect(dry.status).toBe(429);
      expect(dry.body.error.error_label).toBe('TOO_SOON');
      const back = await guard(i.id, 'linkedin-visit-profile', { action_id: 'c', occurred_at: iso(T0 - 1) });
      expect(back.status).toBe(200);
      expect(back.body.recorded).toBe(true);
      await t.request('PATCH', `/v1/identities/${i.id}`, { key, body: { pacing_overrides: { LK_PROFILE_VISITS: 0 } } });
      expect((await guard(i.id, 'linkedin-visit-profile', { action_id: 'd' })).status).toBe(200);
    });
  });

  describe('bursts', () => {
    it('is exact at the boundary: the max-th admitted, the next refused (rule burst), admitted when the oldest leaves', async () => {
      clock.set(T0);
      // Invitations: 3 per 15 min; the gap is turned off to isolate the burst.
      const i = await createIdentity(t, key, { account_type: 'premium', pacing_overrides: { LK_INVITATIONS_SENT: 0 } });
      for (let k = 0; k < 3; k++) {
        clock.set(T0 + k * MIN);
        const r = await guard(i.id, 'linkedin-connect-profile', { action_id: `c${k}` });
        expect(r.status).toBe(200);
        await outcome(i.id, { action_slug: 'linkedin-connect-profile', action_id: `c${k}`, status_code: 200 });
      }
      clock.set(T0 + 3 * MIN);
      const r = await guard(i.id, 'linkedin-connect-profile', { action_id: 'c3' });
      expect(r.status).toBe(429);
      expect(r.body.error).toMatchObject({
        error_label: 'LIMIT_REACHED',
        details: { limit: 'LK_INVITATIONS_SENT', rule: 'burst', window_seconds: 900, max_limit: 3, available_at: iso(T0 + 15 * MIN) },
      });
      expect(r.headers.get('x-ratelimit-limit')).toBe('3');
      expect(r.headers.get('retry-after')).toBe(String(12 * 60));
      clock.set(T0 + 15 * MIN - 1);
      expect((await guard(i.id, 'linkedin-connect-profile', { action_id: 'c4' })).status).toBe(429);
      clock.set(T0 + 15 * MIN);
      expect((await guard(i.id, 'linkedin-connect-profile', { action_id: 'c5' })).status).toBe(200);
    });

    it('is not scaled by warm-up: on day 1 the daily threshold is small, the burst is the same', async () => {
      clock.set(T0);
      // sales_navigator invitations: 25 a day, on day 1 of the standard ramp ceil(25 × 0.2) = 5; burst 3 per 15 min.
      const i = await createIdentity(t, key, {
        account_type: 'sales_navigator',
        warmup: 'standard',
        warmup_started_at: iso(T0 - HOUR),
        pacing_overrides: { LK_INVITATIONS_SENT: 0 },
      });
      const limits = await t.request('GET', `/v1/identities/${i.id}/actions/linkedin-connect-profile/limits`, { key });
      expect(limits.body.limits[0].max_limit).toBe(5);
      for (let k = 0; k < 3; k++) {
        clock.set(T0 + k * MIN);
        expect((await guard(i.id, 'linkedin-connect-profile', { action_id: `w${k}` })).status).toBe(200);
        await outcome(i.id, { action_slug: 'linkedin-connect-profile', action_id: `w${k}`, status_code: 200 });
      }
      clock.set(T0 + 4 * MIN);
      const r = await guard(i.id, 'linkedin-connect-profile', { action_id: 'w3' });
      expect(r.body.error.details).toMatchObject({ rule: 'burst', max_limit: 3 });
    });

    it('takes max_share of default × level (or the override), never of the warm-up threshold', async () => {
      clock.set(T0);
      // Profile visits, premium: 80 a day; conservative 48; 40 % per 4 h → ceil(19.2) = 20 whatever the ramp.
      const i = await createIdentity(t, key, {
        account_type: 'premium',
        level: 'conservative',
        warmup: 'standard',
        warmup_started_at: iso(T0 - HOUR),
        pacing_overrides: { LK_PROFILE_VISITS: 0 },
      });
      // 5 per 15 min too: space the visits 3 min apart.
      let k = 0;
      for (; k < 20; k++) {
        clock.set(T0 + k * 3 * MIN);
        const r = await guard(i.id, 'linkedin-visit-profile', { action_id: `s${k}` });
        if (r.status !== 200) break;
      }
      // Day 1 of the ramp: ceil(48 × 0.2) = 10 a day, which refuses first (the window, not the burst).
      expect(k).toBe(10);
      const r = await guard(i.id, 'linkedin-visit-profile', { action_id: 'over' });
      expect(r.body.error.details).toMatchObject({ rule: 'window', max_limit: 10 });
      const over = await createIdentity(t, key, { limit_overrides: { LK_PROFILE_VISITS: 10 }, pacing_overrides: { LK_PROFILE_VISITS: 0 } });
      // The override replaces default × level: ceil(10 × 0.4) = 4 per 4 h, the 5th refused.
      for (k = 0; k < 4; k++) {
        clock.set(T0 + k * 3 * MIN);
        expect((await guard(over.id, 'linkedin-visit-profile', { action_id: `o${k}` })).status).toBe(200);
      }
      clock.set(T0 + 4 * 3 * MIN);
      const o = await guard(over.id, 'linkedin-visit-profile', { action_id: 'o-more' });
      expect(o.body.error.details).toMatchObject({ rule: 'burst', window_seconds: 14_400, max_limit: 4 });
    });
  });

  describe('LK_WRITE_ACTIONS and the in-flight lease', () => {
    it('one budget shared by every outreach action, consumed once whatever the cost', async () => {
      clock.set(T0);
      const i = await createIdentity(t, key, { pacing: 'off', limit_overrides: { LK_WRITE_ACTIONS: 2 } });
      expect((await guard(i.id, 'linkedin-connect-profile', { action_id: 'w1' })).status).toBe(200);
      const m = await guard(i.id, 'linkedin-message-profile', { action_id: 'w2', cost: 3 });
      expect(m.status).toBe(200);
      expect(m.body.limits.find((l: { slug: string }) => l.slug === 'LK_WRITE_ACTIONS').consumed).toBe(2);
      expect(m.body.limits.find((l: { slug: string }) => l.slug === 'LK_MESSAGES_SENT').consumed).toBe(3);
      const like = await guard(i.id, 'linkedin-like-post', { action_id: 'w3' });
      expect(like.status).toBe(429);
      expect(like.body.error.details).toMatchObject({ limit: 'LK_WRITE_ACTIONS', rule: 'window', window_seconds: 86_400 });
      expect((await guard(i.id, 'linkedin-visit-profile', { action_id: 'r1' })).status).toBe(200);
    });

    it('holds one outreach action in flight until its outcome, its release or the lease’s end; reads go on', async () => {
      clock.set(T0);
      const i = await createIdentity(t, key);
      expect((await guard(i.id, 'linkedin-connect-profile', { action_id: 'inv-1' })).status).toBe(200);
      const blocked = await guard(i.id, 'linkedin-message-profile', { action_id: 'msg-1' });
      expect(blocked.status).toBe(429);
      expect(blocked.body.error).toMatchObject({
        error_label: 'IN_FLIGHT',
        details: { action_id: 'inv-1', lease_ends_at: iso(T0 + 120 * S), available_at: iso(T0 + 120 * S) },
      });
      expect(blocked.headers.get('retry-after')).toBe('120');
      expect((await guard(i.id, 'linkedin-visit-profile', { action_id: 'visit' })).status).toBe(200);
      // The outcome frees it at once.
      await outcome(i.id, { action_slug: 'linkedin-connect-profile', action_id: 'inv-1', status_code: 201 });
      expect((await guard(i.id, 'linkedin-message-profile', { action_id: 'msg-1' })).status).toBe(200);
      // Release frees it too.
      clock.set(T0 + 30 * S);
      expect((await guard(i.id, 'linkedin-follow-profile', { action_id: 'f-1' })).body.error.error_label).toBe('IN_FLIGHT'); // msg-1
      await t.request('POST', `/v1/identities/${i.id}/actions/linkedin-message-profile/release`, { key, body: { action_id: 'msg-1' } });
      expect((await guard(i.id, 'linkedin-follow-profile', { action_id: 'f-1' })).status).toBe(200);
      // And the lease ends by itself.
      clock.set(T0 + 30 * S + 120 * S - 1);
      expect((await guard(i.id, 'linkedin-like-post', { action_id: 'l-1' })).body.error.error_label).toBe('IN_FLIGHT');
      clock.set(T0 + 30 * S + 120 * S);
      expect((await guard(i.id, 'linkedin-like-post', { action_id: 'l-1' })).status).toBe(200);
    });

    it('pacing "off": no gaps, bursts or single flight; the windows still apply', async () => {
      clock.set(T0);
      const i = await createIdentity(t, key, { pacing: 'off', limit_overrides: { LK_INVITATIONS_SENT: 4 } });
      for (let k = 0; k < 4; k++) expect((await guard(i.id, 'linkedin-connect-profile', { action_id: `o${k}` })).status).toBe(200);
      expect((await guard(i.id, 'linkedin-connect-profile', { action_id: 'o4' })).body.error.details.rule).toBe('window');
    });
  });

  describe('working hours', () => {
    const PARIS_WEEKDAYS = { days: [1, 2, 3, 4, 5], start: '09:00', end: '18:00', start_jitter_minutes: 0 };

    it('refuses outside the schedule with opens_at, admits at the opening (not 1 ms before), end exclusive', async () => {
      const i = await createIdentity(t, key, { timezone: 'Europe/Paris', schedule: PARIS_WEEKDAYS });
      const saturday = Date.parse('2026-12-12T12:00:00.000Z');
      const monday = Date.parse('2026-12-14T08:00:00.000Z'); // 09:00 in Paris (CET)
      clock.set(saturday);
      const r = await guard(i.id, 'linkedin-visit-profile', { action_id: 'sat' });
      expect(r.status).toBe(429);
      expect(r.body.error).toMatchObject({ error_label: 'OUTSIDE_WORKING_HOURS', details: { opens_at: iso(monday), available_at: iso(monday) } });
      const health = await t.request('GET', `/v1/identities/${i.id}/health`, { key });
      expect(health.status).toBe(200);
      expect(health.body.pacing).toMatchObject({
        mode: 'standard',
        timezone: 'Europe/Paris',
        schedule: PARIS_WEEKDAYS,
        schedule_source: 'identity',
        open_now: false,
        opens_at: iso(monday),
        closes_at: null,
      });
      expect(health.body.pacing.next[0]).toMatchObject({ next_allowed_at: iso(monday), blocked_by: [{ rule: 'working_hours', until: iso(monday) }] });
      clock.set(monday - 1);
      expect((await guard(i.id, 'linkedin-visit-profile', { action_id: 'early' })).status).toBe(429);
      clock.set(monday);
      expect((await guard(i.id, 'linkedin-visit-profile', { action_id: 'mon' })).status).toBe(200);
      clock.set(Date.parse('2026-12-14T17:00:00.000Z') - 1); // 17:59:59.999 in Paris
      expect((await guard(i.id, 'linkedin-visit-profile', { action_id: 'last' })).status).toBe(200);
      clock.set(Date.parse('2026-12-14T17:00:00.000Z'));
      expect((await guard(i.id, 'linkedin-visit-profile', { action_id: 'closed' })).body.error.error_label).toBe('OUTSIDE_WORKING_HOURS');
    });

    it('applies the workspace default to identities without their own, and names the rule that frees last', async () => {
      const other = await createWorkspace(t, { monthly_credits: 50_000_000 });
      await t.request('PATCH', '/v1/workspace', {
        key: other.api_key,
        body: { schedule: { days: [1, 2, 3, 4, 5], start: '09:00', end: '10:00', start_jitter_minutes: 0 } },
      });
      const i = await createIdentity(t, other.api_key, { timezone: 'America/New_York', pacing: 'off' });
      clock.set(Date.parse('2026-12-07T14:59:00.000Z')); // 09:59 in New York
      const g = (id: string) =>
        t.request('POST', `/v1/identities/${i.id}/actions/linkedin-visit-profile/guard`, { key: other.api_key, body: { action_id: id } });
      expect((await g('a')).status).toBe(200);
      clock.set(Date.parse('2026-12-07T15:00:00.000Z'));
      const closed = await g('b');
      expect(closed.body.error.details.opens_at).toBe('2026-12-08T14:00:00.000Z');
      // An own schedule wins over the workspace's.
      await t.request('PATCH', `/v1/identities/${i.id}`, {
        key: other.api_key,
        body: { schedule: { days: [1], start: '00:00', end: '24:00', start_jitter_minutes: 0 } },
      });
      expect((await g('c')).status).toBe(200);
    });
  });

  describe('several rules at once', () => {
    it('labels the rule that frees last, lists every one in blocked_by, and GET …/next answers the same', async () => {
      clock.set(T0);
      const i = await createIdentity(t, key, { limit_overrides: { LK_INVITATIONS_SENT: 1 } });
      expect((await guard(i.id, 'linkedin-connect-profile', { action_id: 'x1' })).status).toBe(200);
      clock.set(T0 + S);
      const r = await guard(i.id, 'linkedin-connect-profile', { action_id: 'x2' });
      expect(r.status).toBe(429);
      // The daily window frees last (in 24 h); the 4 h burst (ceil(1 × 40 %) = 1), the gap and the lease sooner.
      expect(r.body.error.error_label).toBe('LIMIT_REACHED');
      expect(r.body.error.details).toMatchObject({ rule: 'window', window_seconds: 86_400 });
      const rules = r.body.error.details.blocked_by.map((b: { rule: string }) => b.rule).sort();
      expect(rules).toEqual(['burst', 'gap', 'in_flight', 'window']);
      expect(r.body.error.details.available_at).toBe(iso(T0 + DAY));
      const n = await next(i.id, 'linkedin-connect-profile');
      expect(n.status).toBe(200);
      expect(n.body).toMatchObject({
        identity_id: i.id,
        action: 'linkedin-connect-profile',
        now: iso(T0 + S),
        allowed_now: false,
        available_at: iso(T0 + DAY),
      });
      expect(n.body.blocked_by.map((b: { rule: string }) => b.rule).sort()).toEqual(['burst', 'gap', 'in_flight', 'window']);
      const gap = n.body.blocked_by.find((b: { rule: string }) => b.rule === 'gap');
      expect(gap).toMatchObject({ limit: 'LK_INVITATIONS_SENT' });
      const w = n.body.blocked_by.find((b: { rule: string }) => b.rule === 'window');
      expect(w).toMatchObject({ limit: 'LK_INVITATIONS_SENT', window_seconds: 86_400, until: iso(T0 + DAY) });
      // A cooldown that ends later wins the label.
      await t.request('POST', `/v1/identities/${i.id}/cooldowns`, { key, body: { duration_seconds: 2 * 86_400, reason: 'manual' } });
      const c = await guard(i.id, 'linkedin-connect-profile', { action_id: 'x3' });
      expect(c.body.error.error_label).toBe('COOLDOWN');
      expect(c.body.error.details.blocked_by.map((b: { rule: string }) => b.rule)).toContain('window');
    });

    it('GET …/next says allowed now when nothing blocks', async () => {
      clock.set(T0);
      const i = await createIdentity(t, key);
      const n = await next(i.id, 'linkedin-visit-profile');
      expect(n.body).toEqual({
        identity_id: i.id,
        action: 'linkedin-visit-profile',
        now: iso(T0),
        available_at: iso(T0),
        allowed_now: true,
        blocked_by: [],
      });
      expect((await next(i.id, 'linkedin-teleport')).status).toBe(404);
    });
  });

  describe('auto mode', () => {
    it('skips identities in flight, too soon or closed, and reports the pool’s earliest available_at', async () => {
      const ws = await createWorkspace(t, { monthly_credits: 50_000_000 });
      const k2 = ws.api_key;
      clock.set(T0);
      const a = await createIdentity(t, k2, { label: 'a' });
      const b = await createIdentity(t, k2, { label: 'b' });
      const auto = (id: string) =>
        t.request('POST', '/v1/actions/linkedin-connect-profile/guard', { key: k2, body: { action_id: id, identity_ids: [a.id, b.id] } });
      const first = await auto('p1');
      expect(first.status).toBe(200);
      const second = await auto('p2');
      expect(second.status).toBe(200);
      expect(second.body.identity_id).not.toBe(first.body.identity_id);
      const third = await auto('p3');
      expect(third.status).toBe(429);
      expect(third.body.error.error_label).toBe('IN_FLIGHT');
      expect(third.body.error.details.available_at).toBe(iso(T0 + 120 * S));
      void wsId;
    });
  });
});

async function pacedHammer(apps: TestApp[], key: string, identityId: string, action: string, n: number) {
  const rs = await Promise.all(
    Array.from({ length: n }, (_, k) =>
      apps[k % apps.length].request('POST', `/v1/identities/${identityId}/actions/${action}/guard`, { key, body: { action_id: `h-${action}-${k}` } }),
    ),
  );
  return {
    admitted: rs.filter((r) => r.status === 200).length,
    labels: rs.filter((r) => r.status === 429).map((r) => r.body.error.error_label as string),
    other: rs.filter((r) => r.status !== 200 && r.status !== 429).map((r) => `${r.status} ${r.text}`),
  };
}

describe('pacing across two service instances on one Redis', () => {
  let a: TestApp;
  let b: TestApp;
  beforeAll(async () => {
    a = await startTestApp({ keyPrefix: 'pace2' });
    b = await startTestApp({ keyPrefix: 'pace2' });
  });
  afterAll(async () => {
    await a?.close();
    await b?.close();
  });

  it('admits exactly one of N concurrent guards per gap and holds single flight across instances', async () => {
    const ws = await createWorkspace(a, { monthly_credits: 50_000_000 });
    const i = await createIdentity(a, ws.api_key);
    const visits = await pacedHammer([a, b], ws.api_key, i.id, 'linkedin-visit-profile', 20);
    expect(visits.other).toEqual([]);
    expect(visits.admitted).toBe(1);
    expect(new Set(visits.labels)).toEqual(new Set(['TOO_SOON']));
    const outreach = await Promise.all([
      a.request('POST', `/v1/identities/${i.id}/actions/linkedin-connect-profile/guard`, { key: ws.api_key, body: { action_id: 'one' } }),
      b.request('POST', `/v1/identities/${i.id}/actions/linkedin-message-profile/guard`, { key: ws.api_key, body: { action_id: 'two' } }),
      a.request('POST', `/v1/identities/${i.id}/actions/linkedin-like-post/guard`, { key: ws.api_key, body: { action_id: 'three' } }),
      b.request('POST', `/v1/identities/${i.id}/actions/linkedin-follow-profile/guard`, { key: ws.api_key, body: { action_id: 'four' } }),
    ]);
    expect(outreach.filter((r) => r.status === 200)).toHaveLength(1);
    expect(outreach.filter((r) => r.status === 429).map((r) => r.body.error.error_label)).toEqual(['IN_FLIGHT', 'IN_FLIGHT', 'IN_FLIGHT']);
    const holder = outreach.find((r) => r.status === 200)!.body;
    // The outcome reported to the other instance frees the lease for both.
    const other = holder.action === 'linkedin-connect-profile' || holder.action === 'linkedin-like-post' ? b : a;
    await other.request('POST', `/v1/identities/${i.id}/outcomes`, {
      key: ws.api_key,
      body: { action_slug: holder.action, action_id: holder.action_id, status_code: 200 },
    });
    const again = await a.request('GET', `/v1/identities/${i.id}/actions/linkedin-comment-post/next`, { key: ws.api_key });
    expect(again.body.blocked_by.map((x: { rule: string }) => x.rule)).not.toContain('in_flight');
  });
});

describe('pacing on a Redis Cluster (6 nodes)', () => {
  let cluster: { nodes: string; stop(): Promise<void> };
  let a: TestApp;
  let b: TestApp;
  beforeAll(async () => {
    cluster = await startTestRedisCluster();
    a = await startTestApp({ env: { REDIS_CLUSTER_NODES: cluster.nodes } });
    b = await startTestApp({ env: { REDIS_CLUSTER_NODES: cluster.nodes } });
  }, 60_000);
  afterAll(async () => {
    await a?.close();
    await b?.close();
    await cluster?.stop();
  });

  it('is exact across instances: one per gap, one in flight, and auto mode reads the pool in one slot', async () => {
    for (let w = 0; w < 3; w++) {
      const ws = await createWorkspace(a, { monthly_credits: 50_000_000 });
      const i = await createIdentity(a, ws.api_key);
      const r = await pacedHammer([a, b], ws.api_key, i.id, 'linkedin-search-people', 15);
      expect(r.other).toEqual([]);
      expect(r.admitted).toBe(1);
      const o = await pacedHammer([a, b], ws.api_key, i.id, 'linkedin-like-post', 6);
      expect(o.other).toEqual([]);
      expect(o.admitted).toBe(1);
      expect(new Set(o.labels)).toEqual(new Set(['IN_FLIGHT']));
      const second = await createIdentity(a, ws.api_key);
      const auto = await b.request('POST', '/v1/actions/linkedin-like-post/guard', { key: ws.api_key, body: { action_id: 'auto' } });
      expect(auto.status).toBe(200);
      expect(auto.body.identity_id).toBe(second.id);
    }
  });
});
