import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Redis } from 'ioredis';
import { ManualClock } from '../../src/common/clock.js';
import { AcceptanceRefreshJob } from '../../src/invitations/acceptance-refresh.job.js';
import { InvitationsService } from '../../src/invitations/invitations.service.js';
import { RedisKeys } from '../../src/redis/redis-keys.js';
import { DAY, eventsOf, HOUR } from '../cooldowns/cooldown-helpers.js';
import { createIdentity, createWorkspace, startTestApp, type TestApp } from '../support/test-app.js';

const T0 = Date.parse('2026-11-02T08:00:00.000Z');

describe('invitation health: history, reports, reconcile, pending cap, acceptance rate', () => {
  const clock = new ManualClock(T0);
  let t: TestApp;
  let key: string;
  let wsId: string;
  let redis: Redis;
  let service: InvitationsService;

  const report = (id: string, target: string, body: Record<string, unknown>) =>
    t.request('POST', `/v1/identities/${id}/invitations/${encodeURIComponent(target)}`, { key, body });
  const reconcile = (id: string, body: Record<string, unknown>) => t.request('PUT', `/v1/identities/${id}/invitations/pending`, { key, body });
  const list = (id: string, query = '') => t.request('GET', `/v1/identities/${id}/invitations${query}`, { key });
  /** Invitations as the guard's history recorder writes them, `daysAgo` before the clock. */
  const sent = (identityId: string, targets: string[], daysAgo = 0, prefix = 'a') =>
    service.recordSent(
      targets.map((target, n) => ({
        workspaceId: wsId,
        identityId,
        actionId: `${prefix}-${target}-${n}`,
        target,
        at: new Date(clock.now().getTime() - daysAgo * DAY),
      })),
    );
  const people = (n: number, prefix = 'p') => Array.from({ length: n }, (_, k) => `https://www.linkedin.com/in/${prefix}-${k}`);
  const typesOf = async (id: string) => (await eventsOf(t, id)).map((e) => e.type);

  beforeAll(async () => {
    t = await startTestApp({ clock });
    const ws = await createWorkspace(t);
    key = ws.api_key;
    wsId = ws.id;
    redis = new Redis(t.config.redis.url!);
    service = t.app.get(InvitationsService);
  });
  afterAll(async () => {
    await redis?.quit();
    await t?.close();
  });

  it('keeps one row per invitation (idempotent on action_id) and lists them oldest first with filters and a cursor', async () => {
    clock.set(T0);
    const i = await createIdentity(t, key);
    await sent(i.id, ['old-1', 'old-2'], 30);
    await sent(i.id, ['mid-1'], 10);
    await sent(i.id, ['new-1'], 1);
    await sent(i.id, ['new-1'], 1); // the same action id again: nothing new
    const all = await list(i.id);
    expect(all.status).toBe(200);
    expect(all.body.data.map((r: { target: string }) => r.target)).toEqual(['old-1', 'old-2', 'mid-1', 'new-1']);
    expect(all.body.data[0]).toEqual({
      target: 'old-1',
      action_id: 'a-old-1-0',
      sent_at: new Date(T0 - 30 * DAY).toISOString(),
      known_since: new Date(T0 - 30 * DAY).toISOString(),
      status: 'pending',
      resolved_at: null,
    });
    const old = await list(i.id, '?status=pending&older_than_days=21');
    expect(old.body.data.map((r: { target: string }) => r.target)).toEqual(['old-1', 'old-2']);
    const p1 = await list(i.id, '?limit=3');
    expect(p1.body.data).toHaveLength(3);
    const p2 = await list(i.id, `?limit=3&cursor=${p1.body.next_cursor}`);
    expect(p2.body.data.map((r: { target: string }) => r.target)).toEqual(['new-1']);
    expect(p2.body.next_cursor).toBeNull();
    expect((await list(i.id, '?cursor=bm9wZQ')).status).toBe(400);
    expect((await list(i.id, '?status=maybe')).status).toBe(400);
    expect((await list(i.id, '?older_than_days=-1')).status).toBe(400);
  });

  it('takes reports: a status change, an idempotent retry, a person never seen, bad input', async () => {
    clock.set(T0);
    const i = await createIdentity(t, key);
    const jane = 'https://www.linkedin.com/in/jane-doe/';
    await sent(i.id, [jane], 2);
    const r = await report(i.id, jane, { status: 'accepted' });
    expect(r.status).toBe(200);
    expect(r.body.changed).toBe(true);
    expect(r.body.invitation).toMatchObject({ target: jane, status: 'accepted', resolved_at: new Date(T0).toISOString() });
    expect(r.body.summary.pending_invitations).toBe(0);
    const again = await report(i.id, jane, { status: 'accepted', at: new Date(T0 - HOUR).toISOString() });
    expect(again.body.changed).toBe(false);
    const stranger = await report(i.id, 'urn:li:person:42', { status: 'declined', at: new Date(T0 - DAY).toISOString() });
    expect(stranger.body.invitation).toMatchObject({ target: 'urn:li:person:42', action_id: null, sent_at: null, status: 'declined' });
    expect((await report(i.id, jane, { status: 'pending' })).status).toBe(400);
    expect((await report(i.id, jane, { status: 'accepted', at: new Date(T0 + DAY).toISOString() })).status).toBe(400);
    expect((await report(i.id, 'x'.repeat(257), { status: 'accepted' })).status).toBe(400);
    expect((await report('00000000-0000-4000-8000-000000000000', jane, { status: 'accepted' })).status).toBe(404);
  });

  it('reconciles with LinkedIn’s list: unlisted become withdrawn, unknown ones pending with unknown sent_at; 1,000 targets at most', async () => {
    clock.set(T0);
    const i = await createIdentity(t, key);
    await sent(i.id, ['a', 'b', 'c'], 3);
    const r = await reconcile(i.id, { targets: ['b', 'c', 'd', 'd'] });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ pending: 3, added: 1, reopened: 0, withdrawn: 1, as_of: new Date(T0).toISOString() });
    const rows = Object.fromEntries((await list(i.id)).body.data.map((x: { target: string }) => [x.target, x]));
    expect(rows.a).toMatchObject({ status: 'withdrawn', resolved_at: new Date(T0).toISOString() });
    expect(rows.d).toMatchObject({ status: 'pending', sent_at: null, action_id: null, known_since: new Date(T0).toISOString() });

    const thousand = people(1000, 'x'.repeat(60)); // ~100 chars each: a body well over 64 KiB
    const big = await reconcile(i.id, { targets: thousand });
    expect(big.status).toBe(200);
    expect(big.body).toMatchObject({ pending: 1000, added: 1000, withdrawn: 3 });
    expect(big.body.summary.pending_invitations).toBe(1000);
    const over = await reconcile(i.id, { targets: people(1001) });
    expect(over.status).toBe(400);
    expect(JSON.stringify(over.body.error.details)).toContain('1000');
    expect((await reconcile(i.id, { targets: [''] })).status).toBe(400);
    expect((await reconcile(i.id, { targets: ['a'], as_of: new Date(T0 + DAY).toISOString() })).status).toBe(400);
  });

  it('emits invitations.pending_high once per crossing of 500', async () => {
    clock.set(T0);
    const i = await createIdentity(t, key);
    await sent(i.id, people(499), 1);
    expect(await typesOf(i.id)).toEqual([]);
    await sent(i.id, ['one-more'], 0);
    await sent(i.id, people(20, 'q'), 0);
    const events = (await eventsOf(t, i.id)).filter((e) => e.type === 'invitations.pending_high');
    expect(events).toHaveLength(1);
    expect(events[0].payload).toMatchObject({ identity_id: i.id, external_id: i.external_id, label: i.label ?? null, pending_invitations: 500 });
    await reconcile(i.id, { targets: people(100) });
    await sent(i.id, people(400, 'r'), 0);
    expect((await typesOf(i.id)).filter((x) => x === 'invitations.pending_high')).toHaveLength(2);
  });

  it('judges the acceptance rate over invitations sent 7–37 days ago, at least 20 of them', async () => {
    clock.set(T0);
    const twenty = await createIdentity(t, key);
    const nineteen = await createIdentity(t, key);
    const young = await createIdentity(t, key);
    // 20 sent exactly 7 days ago, 4 accepted (20 %): judged, low.
    await sent(twenty.id, people(20), 7);
    // 19 sent 7 days ago, 3 accepted: too small a sample.
    await sent(nineteen.id, people(19), 7);
    // 19 sent 7 days ago and one 6 days ago: the 20th is not in the sample yet.
    await sent(young.id, people(19), 7);
    await sent(young.id, ['six-days'], 6);
    for (const id of [twenty.id, nineteen.id, young.id]) {
      for (const p of people(3)) await report(id, p, { status: 'accepted' });
    }
    const last = await report(twenty.id, people(4)[3], { status: 'accepted' });
    expect(last.body.summary.acceptance_rate).toEqual({
      rate: 0.2,
      sample_size: 20,
      accepted: 4,
      min_sample: 20,
      low_acceptance: true,
      threshold_factor: 0.5,
      refusing: false,
    });
    const n19 = (await report(nineteen.id, people(1)[0], { status: 'accepted' })).body.summary.acceptance_rate;
    expect(n19).toMatchObject({ rate: null, sample_size: 19, low_acceptance: false, threshold_factor: 1 });
    const y = (await report(young.id, people(1)[0], { status: 'accepted' })).body.summary.acceptance_rate;
    expect(y).toMatchObject({ rate: null, sample_size: 19 });
    expect(await typesOf(twenty.id)).toEqual(['identity.low_acceptance']);
    expect(await typesOf(young.id)).toEqual([]);

    // A day later the sixth-day invitation is 7 days old: the job's pass judges it (3 of 20 = 15 %: low, not refused).
    clock.set(T0 + DAY);
    expect(await t.app.get(AcceptanceRefreshJob).runOnce()).toBeGreaterThanOrEqual(3);
    expect(await typesOf(young.id)).toEqual(['identity.low_acceptance']);
    const view = (await report(young.id, people(1)[0], { status: 'accepted' })).body.summary.acceptance_rate;
    expect(view).toMatchObject({ rate: 0.15, sample_size: 20, accepted: 3, threshold_factor: 0.5, refusing: false });
    // A further pass changes nothing: once per crossing.
    await t.app.get(AcceptanceRefreshJob).runOnce();
    expect(await typesOf(young.id)).toEqual(['identity.low_acceptance']);
  });

  it('refuses below 15 % until the rate recovers or a person clears it; a new fall emits again', async () => {
    clock.set(T0);
    const i = await createIdentity(t, key);
    await sent(i.id, people(20), 10);
    await report(i.id, people(1)[0], { status: 'accepted' });
    const low = (await report(i.id, people(2)[1], { status: 'accepted' })).body.summary.acceptance_rate;
    expect(low).toMatchObject({ rate: 0.1, refusing: true, threshold_factor: 0.5 });
    const cleared = await t.request('POST', `/v1/identities/${i.id}/cooldowns/clear`, { key });
    expect(cleared.body).toEqual({ cleared: [], acceptance_refusal_cleared: true });
    await t.app.get(AcceptanceRefreshJob).runOnce();
    const after = (await report(i.id, people(2)[1], { status: 'accepted' })).body.summary.acceptance_rate;
    expect(after).toMatchObject({ rate: 0.1, refusing: false, low_acceptance: true });
    // Recovers above 30 %, then falls again: a new crossing, a new event and a new refusal.
    for (const p of people(7).slice(2)) await report(i.id, p, { status: 'accepted' });
    expect((await report(i.id, people(7)[6], { status: 'accepted' })).body.summary.acceptance_rate).toMatchObject({
      rate: 0.35,
      low_acceptance: false,
    });
    for (const p of people(7).slice(1)) await report(i.id, p, { status: 'declined' });
    expect((await report(i.id, people(7)[6], { status: 'declined' })).body.summary.acceptance_rate).toMatchObject({ rate: 0.05, refusing: true });
    const lows = (await eventsOf(t, i.id)).filter((e) => e.type === 'identity.low_acceptance');
    // Down across 30 % (thresholds halved), then across 15 % (refused): one event per line crossed.
    expect(lows.map((e) => e.payload.refusing)).toEqual([true, false, true]);
  });

  it('rebuilds the Redis state from PostgreSQL when it is missing', async () => {
    clock.set(T0);
    const i = await createIdentity(t, key);
    await sent(i.id, ['a', 'b', 'c'], 1);
    await report(i.id, 'b', { status: 'accepted' });
    await report(i.id, 'c', { status: 'withdrawn' });
    const hashKey = t.app.get(RedisKeys).invitations(wsId, i.id);
    await redis.del(hashKey);
    const s = await service.summary({ workspaceId: wsId, identityId: i.id });
    expect(s.pending_invitations).toBe(1);
    const h = await redis.hgetall(hashKey);
    expect(h.loaded).toBe('1');
    expect(Object.values(h).filter((v) => v === 'p')).toHaveLength(1);
    expect(Object.values(h).filter((v) => v === 'a')).toHaveLength(1);
    expect(Object.values(h).filter((v) => v.startsWith('w:'))).toEqual([`w:${T0}`]);
  });
});
