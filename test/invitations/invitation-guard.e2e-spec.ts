import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Redis } from 'ioredis';
import { DataSource } from 'typeorm';
import { ManualClock } from '../../src/common/clock.js';
import { AcceptanceRefreshJob } from '../../src/invitations/acceptance-refresh.job.js';
import { RedisKeys } from '../../src/redis/redis-keys.js';
import { DAY, eventsOf, waitFor } from '../cooldowns/cooldown-helpers.js';
import { createIdentity, createWorkspace, startTestApp, type TestApp } from '../support/test-app.js';

const T0 = Date.parse('2026-11-02T08:00:00.000Z');
const CONNECT = 'linkedin-connect-profile';

describe('invitation health in the guard', () => {
  const clock = new ManualClock(T0);
  let t: TestApp;
  let key: string;
  let wsId: string;
  let redis: Redis;
  let seq = 0;

  const guard = (id: string, body: Record<string, unknown>, action = CONNECT) =>
    t.request('POST', `/v1/identities/${id}/actions/${action}/guard`, { key, body: { action_id: `g-${seq++}`, ...body } });
  const report = (id: string, target: string, body: Record<string, unknown>) =>
    t.request('POST', `/v1/identities/${id}/invitations/${encodeURIComponent(target)}`, { key, body });
  const reconcile = (id: string, targets: string[]) => t.request('PUT', `/v1/identities/${id}/invitations/pending`, { key, body: { targets } });
  const limits = async (id: string) => (await t.request('GET', `/v1/identities/${id}/actions/${CONNECT}/limits`, { key })).body;
  const sentCount = async (id: string) => (await limits(id)).limits.find((l: { slug: string }) => l.slug === 'LK_INVITATIONS_SENT');
  const rows = (id: string): Promise<{ target: string; status: string; action_id: string }[]> =>
    t.app.get(DataSource).query(`select target, status, action_id from invitations where identity_id = $1 order by id`, [id]);
  const people = (n: number, prefix = 'p') => Array.from({ length: n }, (_, k) => `urn:li:person:${prefix}-${k}`);
  /** An identity whose invitation windows have room for the test (premium: 20 a day, 100 a week). */
  // Unpaced: these tests are about invitation health, not the gaps between invitations.
  const identity = () => createIdentity(t, key, { account_type: 'premium', label: 'Inviter', pacing: 'off' });

  beforeAll(async () => {
    t = await startTestApp({ clock });
    const ws = await createWorkspace(t);
    key = ws.api_key;
    wsId = ws.id;
    redis = new Redis(t.config.redis.url!);
  });
  afterAll(async () => {
    await redis?.quit();
    await t?.close();
  });

  it('refuses a person already invited with 409 ALREADY_INVITED, spending no quota', async () => {
    clock.set(T0);
    const i = await identity();
    const first = await guard(i.id, { target: 'https://www.linkedin.com/in/jane' });
    expect(first.status).toBe(200);
    expect((await sentCount(i.id)).consumed).toBe(1);
    const again = await guard(i.id, { target: 'https://www.linkedin.com/in/jane' });
    expect(again.status).toBe(409);
    expect(again.body.error).toMatchObject({
      error_label: 'ALREADY_INVITED',
      details: { identity_id: i.id, action: CONNECT, target: 'https://www.linkedin.com/in/jane', status: 'pending' },
    });
    expect(again.headers.get('retry-after')).toBeNull();
    expect((await sentCount(i.id)).consumed).toBe(1);
    // A dry run says the same; a retry of the first action id is a duplicate, not a refusal.
    expect((await guard(i.id, { target: 'https://www.linkedin.com/in/jane', dry_run: true })).status).toBe(409);
    const retry = await t.request('POST', `/v1/identities/${i.id}/actions/${CONNECT}/guard`, {
      key,
      body: { action_id: first.body.action_id, target: 'https://www.linkedin.com/in/jane' },
    });
    expect(retry.body).toMatchObject({ duplicate: true, recorded: false });
    // Accepted is final too; the history has the one row.
    await waitFor('history row', async () => (await rows(i.id)).length === 1, 5_000, 20);
    await report(i.id, 'https://www.linkedin.com/in/jane', { status: 'accepted' });
    const accepted = await guard(i.id, { target: 'https://www.linkedin.com/in/jane' }, 'linkedin-connect-profile-with-note');
    expect(accepted.status).toBe(409);
    expect(accepted.body.error.details.status).toBe('accepted');
    expect((await sentCount(i.id)).consumed).toBe(1);
    expect(await rows(i.id)).toEqual([{ target: 'https://www.linkedin.com/in/jane', status: 'accepted', action_id: first.body.action_id }]);
  });

  it('takes a target only for invitations, at most 256 characters', async () => {
    const i = await identity();
    expect((await guard(i.id, { target: 'x'.repeat(257) })).status).toBe(400);
    expect((await guard(i.id, { target: '' })).status).toBe(400);
    const visit = await guard(i.id, { target: 'someone' }, 'linkedin-visit-profile');
    expect(visit.status).toBe(400);
    expect(visit.body.error.details.target).toBeDefined();
  });

  it('lets a withdrawn person be invited again after 21 days, not before', async () => {
    clock.set(T0);
    const i = await identity();
    expect((await guard(i.id, { target: 'bob' })).status).toBe(200);
    await waitFor('history row', async () => (await rows(i.id)).length === 1, 5_000, 20);
    expect((await report(i.id, 'bob', { status: 'withdrawn' })).status).toBe(200);
    clock.set(T0 + 20 * DAY);
    const before = (await sentCount(i.id)).consumed;
    const soon = await guard(i.id, { target: 'bob' });
    expect(soon.status).toBe(429);
    expect(soon.body.error).toMatchObject({
      error_label: 'REINVITE_TOO_SOON',
      details: { target: 'bob', reinvite_after_days: 21, available_at: new Date(T0 + 21 * DAY).toISOString() },
    });
    expect(soon.headers.get('retry-after')).toBe(String(DAY / 1000));
    expect((await sentCount(i.id)).consumed).toBe(before);
    clock.set(T0 + 21 * DAY);
    expect((await guard(i.id, { target: 'bob' })).status).toBe(200);
    await waitFor('second row', async () => (await rows(i.id)).length === 2, 5_000, 20);
    expect((await rows(i.id)).map((r) => r.status)).toEqual(['withdrawn', 'pending']);
  });

  it('schedule mode: a withdrawn person is planned at the re-invite date, an invited one is 409, the pending cap refuses the plan', async () => {
    clock.set(T0);
    const i = await identity();
    expect((await guard(i.id, { target: 'carol' })).status).toBe(200);
    await waitFor('history row', async () => (await rows(i.id)).length === 1, 5_000, 20);
    expect((await report(i.id, 'carol', { status: 'withdrawn' })).status).toBe(200);
    clock.set(T0 + 20 * DAY);
    const planned = await guard(i.id, { target: 'carol', when: 'earliest' });
    expect(planned.status).toBe(200);
    expect(planned.body).toMatchObject({ recorded: true, scheduled_at: new Date(T0 + 21 * DAY).toISOString() });
    // Planned counts as invited: the same person again is a 409, also in schedule mode.
    const again = await guard(i.id, { target: 'carol', when: 'earliest' });
    expect(again.status).toBe(409);
    expect(again.body.error).toMatchObject({ error_label: 'ALREADY_INVITED', details: { target: 'carol', status: 'pending' } });
    // A re-invite date past not_after: no time fits, the refusal names the rule.
    expect((await report(i.id, 'dave', { status: 'withdrawn' })).status).toBe(200);
    const late = await guard(i.id, { target: 'dave', when: 'earliest', not_after: new Date(T0 + 20 * DAY + 3_600_000).toISOString() });
    expect(late.status).toBe(429);
    expect(late.body.error).toMatchObject({
      error_label: 'REINVITE_TOO_SOON',
      details: { available_at: new Date(T0 + 20 * DAY + 21 * DAY).toISOString() },
    });
    // The pending cap never frees by time: no plan either. LinkedIn's list cannot show carol's planned
    // invitation yet (sent after the list was taken), so the reconcile keeps it pending: 699 + 1.
    expect((await reconcile(i.id, people(699))).body.pending).toBe(700);
    const capped = await guard(i.id, { target: 'erin', when: 'earliest' });
    expect(capped.status).toBe(429);
    expect(capped.body.error).toMatchObject({ error_label: 'LIMIT_REACHED', details: { rule: 'pending_invitations', available_at: null } });
  });

  it('refuses invitations at 700 pending (rule pending_invitations, available_at null) until a reconcile frees them', async () => {
    clock.set(T0);
    const i = await identity();
    expect((await reconcile(i.id, people(700))).body.pending).toBe(700);
    const refused = await guard(i.id, { target: 'new-person' });
    expect(refused.status).toBe(429);
    expect(refused.body.error).toMatchObject({
      error_label: 'LIMIT_REACHED',
      details: { rule: 'pending_invitations', available_at: null, pending_invitations: 700, limit: 'LK_INVITATIONS_SENT' },
    });
    expect(refused.headers.get('retry-after')).toBeNull();
    expect((await sentCount(i.id)).consumed).toBe(0);
    // Invitations without a target count as well.
    expect((await guard(i.id, {})).status).toBe(429);
    // LinkedIn's list now shows 699: one is gone, the 700th may be sent, then no more.
    expect((await reconcile(i.id, people(699))).body).toMatchObject({ pending: 699, withdrawn: 1 });
    expect((await guard(i.id, { target: 'new-person' })).status).toBe(200);
    expect((await guard(i.id, { target: 'another' })).body.error.details.rule).toBe('pending_invitations');
    const health = (await t.request('GET', `/v1/identities/${i.id}/health`, { key })).body;
    expect(health.status).toBe('warning');
    expect(health.invitations.pending_invitations).toBe(700);
    expect(health.reasons.join(' ')).toMatch(/700 pending invitations/);
  });

  it('admits exactly one of concurrent guards for the same person', async () => {
    clock.set(T0);
    const i = await identity();
    const answers = await Promise.all(Array.from({ length: 12 }, () => guard(i.id, { target: 'popular' })));
    expect(answers.map((a) => a.status).sort()).toEqual([200, ...Array(11).fill(409)]);
    expect((await sentCount(i.id)).consumed).toBe(1);
  });

  it('halves the invitation thresholds below 30 % (visible in the limits read) and refuses below 15 % until cleared', async () => {
    clock.set(T0 - 10 * DAY);
    const i = await identity();
    const ids: string[] = [];
    for (const p of people(20)) ids.push((await guard(i.id, { target: p, occurred_at: new Date(T0 - 10 * DAY).toISOString() })).body.action_id);
    await waitFor('history', async () => (await rows(i.id)).length === 20, 5_000, 20);
    // Five accepted within the hour: too young to judge (the sample starts at 7 days old).
    clock.set(T0 - 10 * DAY + 3_600_000);
    for (const p of people(5)) await report(i.id, p, { status: 'accepted' });
    expect((await limits(i.id)).acceptance_factor).toBe(1);
    // Ten days on, the job's pass judges them: 5 of 20 is 25 %, low.
    clock.set(T0);
    await t.app.get(AcceptanceRefreshJob).runOnce();
    const low = await limits(i.id);
    expect(low.acceptance_factor).toBe(0.5);
    const max = (slug: string) => low.limits.find((l: { slug: string }) => l.slug === slug).max_limit;
    expect(max('LK_INVITATIONS_SENT')).toBe(10); // premium 20 × 0.5
    expect(max('LK_INVITATIONS_WEEKLY')).toBe(50);
    expect(low.invitations).toMatchObject({ pending_invitations: 15, acceptance_rate: { rate: 0.25, sample_size: 20, low_acceptance: true } });
    const all = (await t.request('GET', `/v1/identities/${i.id}/limits`, { key })).body;
    expect(all.acceptance_factor).toBe(0.5);
    expect(all.limits.find((l: { slug: string }) => l.slug === 'LK_PROFILE_VISITS').max_limit).toBeGreaterThan(10);
    // The guard applies the halved threshold.
    for (let k = 0; k < 10; k++) expect((await guard(i.id, { target: `fresh-${k}` })).status).toBe(200);
    const full = await guard(i.id, { target: 'fresh-10' });
    expect(full.body.error).toMatchObject({ error_label: 'LIMIT_REACHED', details: { limit: 'LK_INVITATIONS_SENT', max_limit: 10, rule: 'window' } });

    // Three of the five acceptances were mistaken: 2 of 20 is 10 %, refused.
    clock.set(T0 + DAY);
    for (const p of people(5).slice(2)) await report(i.id, p, { status: 'declined' });
    const refused = await guard(i.id, { target: 'after-decline' }, 'linkedin-connect-profile-with-note');
    expect(refused.status).toBe(429);
    expect(refused.body.error.details).toMatchObject({ rule: 'acceptance_rate', available_at: null, acceptance_rate: 0.1, sample_size: 20 });
    const cleared = await t.request('POST', `/v1/identities/${i.id}/cooldowns/clear`, { key });
    expect(cleared.body.acceptance_refusal_cleared).toBe(true);
    expect((await guard(i.id, { target: 'after-decline' })).status).toBe(200);
    const lows = (await eventsOf(t, i.id)).filter((e) => e.type === 'identity.low_acceptance');
    expect(lows.map((e) => [e.payload.threshold_factor, e.payload.refusing])).toEqual([
      [0.5, false],
      [0.5, true],
    ]);
  });

  it('rebuilds what the guard needs from PostgreSQL when Redis lost it', async () => {
    clock.set(T0);
    const i = await identity();
    expect((await guard(i.id, { target: 'remembered' })).status).toBe(200);
    await waitFor('history row', async () => (await rows(i.id)).length === 1, 5_000, 20);
    const keys = t.app.get(RedisKeys);
    await redis.del(keys.invitations(wsId, i.id));
    const again = await guard(i.id, { target: 'remembered' });
    expect(again.status).toBe(409);
    expect((await guard(i.id, { target: 'someone-else' })).status).toBe(200);
    // A data loss of the whole identity (its marker too): the identity's rebuild brings the invitation state back with the windows.
    await waitFor('second row', async () => (await rows(i.id)).length === 2, 5_000, 20);
    await redis.del(keys.invitations(wsId, i.id), keys.marker(wsId, i.id), keys.window(wsId, i.id, 'LK_INVITATIONS_SENT'));
    expect((await guard(i.id, { target: 'someone-else' })).body.error?.error_label).toBe('ALREADY_INVITED');
    expect((await sentCount(i.id)).consumed).toBe(2);
    expect(await redis.hget(keys.invitations(wsId, i.id), 'pending')).toBe('2');
  });

  it('forgets a released invitation: the person is free again and pending drops', async () => {
    clock.set(T0);
    const i = await identity();
    const g = await guard(i.id, { target: 'not-sent' });
    await waitFor('history row', async () => (await rows(i.id)).length === 1, 5_000, 20);
    const r = await t.request('POST', `/v1/identities/${i.id}/actions/${CONNECT}/release`, { key, body: { action_id: g.body.action_id } });
    expect(r.body).toEqual({ released: true });
    expect(await rows(i.id)).toEqual([]);
    expect((await limits(i.id)).invitations.pending_invitations).toBe(0);
    expect((await guard(i.id, { target: 'not-sent' })).status).toBe(200);
  });
});
