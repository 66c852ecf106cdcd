import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Redis } from 'ioredis';
import { ManualClock } from '../../src/common/clock.js';
import { RedisKeys } from '../../src/redis/redis-keys.js';
import { actionMember } from '../../src/smart-limits/action-member.js';
import { GuardEvents, type LimitCrossing } from '../../src/smart-limits/guard-events.js';
import { windowEntries } from '../support/window-layout.js';
import { createIdentity, createWorkspace, startTestApp, type TestApp } from '../support/test-app.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const T0 = Date.parse('2026-11-02T08:00:00.000Z');

describe('the pre-action guard', () => {
  const clock = new ManualClock(T0);
  let t: TestApp;
  let ws: { id: string; api_key: string };
  let key: string;
  let redis: Redis;
  const guard = (identityId: string, action: string, body: Record<string, unknown>) =>
    t.request('POST', `/v1/identities/${identityId}/actions/${action}/guard`, { key, body });
  const limits = async (identityId: string) => {
    const r = await t.request('GET', `/v1/identities/${identityId}/limits`, { key });
    return Object.fromEntries(r.body.limits.map((l: { slug: string }) => [l.slug, l])) as Record<string, any>;
  };

  beforeAll(async () => {
    t = await startTestApp({ clock });
    ws = await createWorkspace(t, { monthly_credits: 50_000_000 });
    key = ws.api_key;
    redis = new Redis(t.config.redis.url!);
  });
  afterAll(async () => {
    await redis?.quit();
    await t?.close();
  });

  it('records an allowed action and describes the tightest limit', async () => {
    clock.set(T0);
    const i = await createIdentity(t, key, { account_type: 'premium' });
    const r = await guard(i.id, 'linkedin-connect-profile', { action_id: 'a-1' });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({
      allowed: true,
      identity_id: i.id,
      action: 'linkedin-connect-profile',
      action_id: 'a-1',
      recorded: true,
      duplicate: false,
    });
    const sent = r.body.limits.find((l: { slug: string }) => l.slug === 'LK_INVITATIONS_SENT');
    expect(sent).toEqual({
      slug: 'LK_INVITATIONS_SENT',
      window_seconds: 86400,
      max_limit: 20,
      consumed: 1,
      remaining: 19,
      scheduled: 0,
      available_at: new Date(T0).toISOString(),
      reset_at: new Date(T0 + DAY).toISOString(),
    });
    expect(r.headers.get('x-ratelimit-limit')).toBe('20');
    expect(r.headers.get('x-ratelimit-remaining')).toBe('19');
    expect(r.headers.get('x-ratelimit-type')).toBe('smart-limits/LK_INVITATIONS_SENT');
    expect(r.headers.get('x-ratelimit-reset')).toBe(String((T0 + DAY) / 1000));
  });

  it('is idempotent by action_id: a retry is a duplicate, never counted twice', async () => {
    const i = await createIdentity(t, key, { pacing: 'off' });
    const first = await guard(i.id, 'linkedin-visit-profile', { action_id: 'same' });
    const again = await guard(i.id, 'linkedin-visit-profile', { action_id: 'same' });
    expect(first.body).toMatchObject({ recorded: true, duplicate: false });
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ allowed: true, recorded: false, duplicate: true });
    expect(again.body.limits[0].consumed).toBe(1);
    // Long ids are stored as compact digests and stay idempotent.
    const long = 'x'.repeat(128);
    await guard(i.id, 'linkedin-visit-profile', { action_id: long });
    const longAgain = await guard(i.id, 'linkedin-visit-profile', { action_id: long });
    expect(longAgain.body.duplicate).toBe(true);
    expect(longAgain.body.limits[0].consumed).toBe(2);
  });

  it('keeps members compact and lets idle windows expire', async () => {
    clock.set(T0);
    const i = await createIdentity(t, key);
    await guard(i.id, 'linkedin-connect-profile', { action_id: 'short-id' });
    await guard(i.id, 'linkedin-connect-profile', { action_id: 'a-rather-long-action-id-from-some-worker-queue-123456789' });
    const keys = new RedisKeys(t.config.redis.keyPrefix);
    const daily = keys.window(ws.id, i.id, 'LK_INVITATIONS_SENT');
    const weekly = keys.window(ws.id, i.id, 'LK_INVITATIONS_WEEKLY');
    // The layout of window.include.lua: one 53-bit digest per action, whatever the id's length.
    const members = (await windowEntries(redis, daily)).map((e) => e.member);
    expect(members).toContain(actionMember('short-id'));
    expect(members.every((m) => /^\d{1,16}$/.test(m))).toBe(true);
    // Every key of the identity shares the workspace's hash tag (one Cluster slot per call).
    const windowKeys = await redis.keys(`${daily}:*`);
    expect(windowKeys.length).toBeGreaterThan(0);
    for (const k of windowKeys) {
      expect(k).toContain(`{${ws.id}}`);
      expect(['listpack', 'intset']).toContain(await redis.object('ENCODING', k));
      // A window's keys live as long as its newest entry counts, plus at most a 16th of the window.
      const ttl = await redis.pttl(k);
      expect(ttl).toBeGreaterThan(DAY - 5_000);
      expect(ttl).toBeLessThanOrEqual(DAY + DAY / 16 + 1_000);
    }
    for (const k of await redis.keys(`${weekly}:*`)) expect(await redis.pttl(k)).toBeGreaterThan(6 * DAY);
  });

  it('dry_run decides without recording', async () => {
    const i = await createIdentity(t, key);
    const r = await guard(i.id, 'linkedin-visit-profile', { action_id: 'dry', dry_run: true });
    expect(r.body).toMatchObject({ allowed: true, recorded: false, dry_run: true });
    expect((await limits(i.id)).LK_PROFILE_VISITS.consumed).toBe(0);
  });

  it('refuses at the threshold with the exact Retry-After as the window slides (injected clock)', async () => {
    clock.set(T0);
    const i = await createIdentity(t, key, { pacing: 'off', limit_overrides: { LK_PROFILE_VISITS: 3 } });
    for (let h = 0; h < 3; h++) {
      clock.set(T0 + h * HOUR);
      expect((await guard(i.id, 'linkedin-visit-profile', { action_id: `v${h}` })).status).toBe(200);
    }
    clock.set(T0 + 3 * HOUR + 500);
    const r = await guard(i.id, 'linkedin-visit-profile', { action_id: 'v3' });
    expect(r.status).toBe(429);
    expect(r.body.error).toMatchObject({ code: 429, status: 'Too Many Requests', error_label: 'LIMIT_REACHED' });
    expect(r.body.error.details).toMatchObject({
      identity_id: i.id,
      action: 'linkedin-visit-profile',
      limit: 'LK_PROFILE_VISITS',
      available_at: new Date(T0 + DAY).toISOString(),
    });
    // 21 h minus half a second, rounded up: waiting exactly that long is enough.
    expect(r.headers.get('retry-after')).toBe(String(21 * 3600));
    expect(r.headers.get('x-ratelimit-type')).toBe('smart-limits/LK_PROFILE_VISITS');
    // A refused call records nothing.
    expect((await limits(i.id)).LK_PROFILE_VISITS.consumed).toBe(3);
    clock.set(T0 + DAY - 1);
    expect((await guard(i.id, 'linkedin-visit-profile', { action_id: 'v3' })).status).toBe(429);
    clock.set(T0 + DAY);
    const ok = await guard(i.id, 'linkedin-visit-profile', { action_id: 'v3' });
    expect(ok.status).toBe(200);
    expect(ok.body.limits[0].consumed).toBe(3);
    // Now the second entry (T0 + 1 h) is the one that must leave.
    const again = await guard(i.id, 'linkedin-visit-profile', { action_id: 'v4' });
    expect(again.status).toBe(429);
    expect(again.headers.get('retry-after')).toBe(String(3600));
  });

  it('says when an over-full window has room after an override lowered the threshold (every entry above it must leave)', async () => {
    clock.set(T0);
    const i = await createIdentity(t, key, { pacing: 'off', limit_overrides: { LK_PROFILE_VISITS: 5 } });
    for (let h = 0; h < 5; h++) {
      clock.set(T0 + h * HOUR);
      expect((await guard(i.id, 'linkedin-visit-profile', { action_id: `o${h}` })).status).toBe(200);
    }
    const patched = await t.request('PATCH', `/v1/identities/${i.id}`, { key, body: { limit_overrides: { LK_PROFILE_VISITS: 2 } } });
    expect(patched.status).toBe(200);
    clock.set(T0 + 5 * HOUR);
    // 5 recorded, threshold 2: four must leave before one more fits, so the 4th oldest (T0 + 3 h) decides.
    const frees = new Date(T0 + 3 * HOUR + DAY).toISOString();
    const r = await guard(i.id, 'linkedin-visit-profile', { action_id: 'o5' });
    expect(r.status).toBe(429);
    expect(r.body.error.details.available_at).toBe(frees);
    expect(r.body.error.details.limits[0]).toMatchObject({ slug: 'LK_PROFILE_VISITS', consumed: 5, max_limit: 2, remaining: 0, available_at: frees });
    expect((await limits(i.id)).LK_PROFILE_VISITS).toMatchObject({ consumed: 5, available_at: frees });
    const health = await t.request('GET', `/v1/identities/${i.id}/health`, { key });
    expect(health.body.limits.find((l: { slug: string }) => l.slug === 'LK_PROFILE_VISITS')).toMatchObject({ available_at: frees });
    clock.set(T0 + 3 * HOUR + DAY - 1);
    expect((await guard(i.id, 'linkedin-visit-profile', { action_id: 'o5' })).status).toBe(429);
    clock.set(T0 + 3 * HOUR + DAY);
    expect((await guard(i.id, 'linkedin-visit-profile', { action_id: 'o5' })).status).toBe(200);
  });

  it('records in every window or none (multi-limit all-or-nothing)', async () => {
    clock.set(T0);
    const i = await createIdentity(t, key, { pacing: 'off', limit_overrides: { LK_INVITATIONS_SENT: 5, LK_INVITATIONS_WEEKLY: 3 } });
    for (let n = 0; n < 3; n++) expect((await guard(i.id, 'linkedin-connect-profile', { action_id: `c${n}` })).status).toBe(200);
    const r = await guard(i.id, 'linkedin-connect-profile', { action_id: 'c3' });
    expect(r.status).toBe(429);
    expect(r.body.error.details.limit).toBe('LK_INVITATIONS_WEEKLY');
    expect(r.body.error.details.available_at).toBe(new Date(T0 + 7 * DAY).toISOString());
    const l = await limits(i.id);
    expect(l.LK_INVITATIONS_SENT.consumed).toBe(3);
    expect(l.LK_INVITATIONS_WEEKLY.consumed).toBe(3);
  });

  it('counts cost > 1 in every unit and frees the right number of oldest entries', async () => {
    clock.set(T0);
    const i = await createIdentity(t, key, { pacing: 'off', limit_overrides: { LK_SEARCH_RESULTS: 12 } });
    expect((await guard(i.id, 'linkedin-extract-search-results', { action_id: 's1', cost: 5 })).body.limits[0].consumed).toBe(5);
    clock.set(T0 + HOUR);
    expect((await guard(i.id, 'linkedin-extract-search-results', { action_id: 's2', cost: 5 })).body.limits[0].consumed).toBe(10);
    const refused = await guard(i.id, 'linkedin-extract-search-results', { action_id: 's3', cost: 5 });
    expect(refused.status).toBe(429);
    // 3 units must leave: the first action's 5 leave together at T0 + 24 h.
    expect(refused.body.error.details.available_at).toBe(new Date(T0 + DAY).toISOString());
    expect((await guard(i.id, 'linkedin-extract-search-results', { action_id: 's4', cost: 2 })).status).toBe(200);
    const dup = await guard(i.id, 'linkedin-extract-search-results', { action_id: 's1', cost: 5 });
    expect(dup.body.duplicate).toBe(true);
    expect(dup.body.limits[0].consumed).toBe(12);
    // Releasing a cost-5 action frees all 5 units.
    const rel = await t.request('POST', `/v1/identities/${i.id}/actions/linkedin-extract-search-results/release`, { key, body: { action_id: 's2' } });
    expect(rel.body).toEqual({ released: true });
    expect((await limits(i.id)).LK_SEARCH_RESULTS.consumed).toBe(7);
    const tooBig = await guard(i.id, 'linkedin-extract-search-results', { action_id: 's5', cost: 13 });
    expect(tooBig.status).toBe(429);
    expect(tooBig.body.error.details.available_at).toBeNull();
    expect(Number(tooBig.headers.get('retry-after'))).toBeGreaterThan(0);
  });

  it('releases a recorded action at once; unknown ids answer released: false', async () => {
    const i = await createIdentity(t, key, { limit_overrides: { LK_MESSAGES_SENT: 1 } });
    expect((await guard(i.id, 'linkedin-message-profile', { action_id: 'm1' })).status).toBe(200);
    expect((await guard(i.id, 'linkedin-message-profile', { action_id: 'm2' })).status).toBe(429);
    const rel = await t.request('POST', `/v1/identities/${i.id}/actions/linkedin-message-profile/release`, { key, body: { action_id: 'm1' } });
    expect(rel.status).toBe(200);
    expect(rel.body).toEqual({ released: true });
    const l = await limits(i.id);
    expect(l.LK_MESSAGES_SENT.consumed).toBe(0);
    expect(l.LK_PROFILE_ENRICHMENTS.consumed).toBe(0);
    expect((await guard(i.id, 'linkedin-message-profile', { action_id: 'm2' })).status).toBe(200);
    const unknown = await t.request('POST', `/v1/identities/${i.id}/actions/linkedin-message-profile/release`, { key, body: { action_id: 'never' } });
    expect(unknown.body).toEqual({ released: false });
  });

  it('backfills actions already done, within bounds', async () => {
    clock.set(T0 + 10 * DAY);
    const i = await createIdentity(t, key, { limit_overrides: { LK_PROFILE_VISITS: 2 } });
    const past = new Date(T0 + 10 * DAY - 23 * HOUR).toISOString();
    const r = await guard(i.id, 'linkedin-visit-profile', { action_id: 'manual-1', occurred_at: past });
    expect(r.status).toBe(200);
    expect(r.body.recorded).toBe(true);
    const l = (await limits(i.id)).LK_PROFILE_VISITS;
    expect(l.consumed).toBe(1);
    expect(l.first_consumption_at).toBe(past);
    // It leaves the window 24 h after it happened.
    clock.set(T0 + 11 * DAY - 23 * HOUR);
    expect((await limits(i.id)).LK_PROFILE_VISITS.consumed).toBe(0);
    const future = await guard(i.id, 'linkedin-visit-profile', { action_id: 'f', occurred_at: new Date(T0 + 12 * DAY).toISOString() });
    expect(future.status).toBe(400);
    expect(future.body.error.details.occurred_at).toBeDefined();
    const old = await guard(i.id, 'linkedin-visit-profile', {
      action_id: 'o',
      occurred_at: new Date(T0 + 11 * DAY - 23 * HOUR - 31 * DAY).toISOString(),
    });
    expect(old.status).toBe(400);
  });

  it.each([
    [1, 10],
    [2, 20],
    [3, 30],
    [4, 40],
    [5, 50],
    [6, 50],
  ])('standard warm-up day %i allows %i profile visits (weekly limits do not ramp)', async (day, expected) => {
    clock.set(T0 + 40 * DAY);
    const i = await createIdentity(t, key, { warmup: 'standard', warmup_started_at: new Date(T0 + 40 * DAY - (day - 1) * DAY - HOUR).toISOString() });
    const l = await limits(i.id);
    expect(l.LK_PROFILE_VISITS.max_limit).toBe(expected);
    expect(l.LK_INVITATIONS_WEEKLY.max_limit).toBe(100);
    expect(l.LK_INVITATIONS_SENT.max_limit).toBe(Math.ceil((15 * Math.min(day, 5)) / 5));
  });

  it.each([
    [0, 0.25],
    [1, 0.5],
    [2, 0.75],
    [3, 1],
    [5, 1],
  ])('cold warm-up week %i applies %f on every limit', async (week, factor) => {
    clock.set(T0 + 80 * DAY);
    const i = await createIdentity(t, key, { warmup: 'cold', warmup_started_at: new Date(T0 + 80 * DAY - week * 7 * DAY - HOUR).toISOString() });
    const l = await limits(i.id);
    expect(l.LK_PROFILE_VISITS.max_limit).toBe(Math.ceil(50 * factor));
    expect(l.LK_INVITATIONS_WEEKLY.max_limit).toBe(Math.ceil(100 * factor));
  });

  it('applies levels, account types and exact overrides', async () => {
    clock.set(T0);
    const cons = await limits((await createIdentity(t, key, { level: 'conservative' })).id);
    expect(cons.LK_PROFILE_VISITS.max_limit).toBe(30);
    expect(cons.LK_INVITATIONS_SENT.max_limit).toBe(9);
    const aggr = await limits((await createIdentity(t, key, { level: 'aggressive', account_type: 'sales_navigator' })).id);
    expect(aggr.LK_PROFILE_VISITS.max_limit).toBe(195);
    expect(aggr.LK_INMAILS_SENT.max_limit).toBe(65);
    const over = await limits((await createIdentity(t, key, { level: 'conservative', limit_overrides: { LK_PROFILE_VISITS: 7 } })).id);
    expect(over.LK_PROFILE_VISITS.max_limit).toBe(7);
    const r = await t.request('GET', `/v1/identities/${(await createIdentity(t, key, { level: 'conservative' })).id}/limits`, { key });
    expect(r.body).toMatchObject({ level: 'conservative', standard_level: 0.6 });
  });

  it('refuses actions the account type cannot do with 403 NO_VALID_ACCOUNT_CONFIGURED', async () => {
    const free = await createIdentity(t, key, { account_type: 'free' });
    const r = await guard(free.id, 'linkedin-send-inmail', { action_id: 'im' });
    expect(r.status).toBe(403);
    expect(r.body.error.error_label).toBe('NO_VALID_ACCOUNT_CONFIGURED');
    const premium = await createIdentity(t, key, { account_type: 'premium' });
    expect((await guard(premium.id, 'salesnavigator-search-people', { action_id: 'sn' })).status).toBe(403);
    expect((await guard(premium.id, 'linkedin-send-inmail', { action_id: 'im' })).status).toBe(200);
  });

  it('validates the body and the route', async () => {
    const i = await createIdentity(t, key);
    const bad = await guard(i.id, 'linkedin-visit-profile', { action_id: '', cost: 0, occurred_at: 'nope', dry_run: 'yes', extra: 1 });
    expect(bad.status).toBe(400);
    expect(Object.keys(bad.body.error.details).sort()).toEqual(['action_id', 'cost', 'dry_run', 'extra', 'occurred_at']);
    expect((await guard(i.id, 'linkedin-fly-to-moon', { action_id: 'x' })).status).toBe(404);
    expect((await guard('00000000-0000-4000-8000-000000000000', 'linkedin-visit-profile', { action_id: 'x' })).status).toBe(404);
    expect((await guard(i.id, 'linkedin-visit-profile', { action_id: 'x'.repeat(129) })).status).toBe(400);
    const other = await createWorkspace(t);
    const cross = await t.request('POST', `/v1/identities/${i.id}/actions/linkedin-visit-profile/guard`, {
      key: other.api_key,
      body: { action_id: 'x' },
    });
    expect(cross.status).toBe(404);
  });

  it('refuses during a cooldown mirrored in Redis, with Retry-After until it ends', async () => {
    clock.set(T0);
    const i = await createIdentity(t, key);
    const keys = new RedisKeys(t.config.redis.keyPrefix);
    await redis.set(
      keys.limitCooldown(ws.id, i.id, 'LK_INVITATIONS_WEEKLY'),
      JSON.stringify({ id: 'cd1', reason: 'WEEKLY_LIMIT', level: 1, scope: 'limits' }),
      'PX',
      2 * HOUR,
    );
    const r = await guard(i.id, 'linkedin-connect-profile', { action_id: 'x' });
    expect(r.status).toBe(429);
    expect(r.body.error.error_label).toBe('COOLDOWN');
    expect(r.body.error.details).toMatchObject({ reason: 'WEEKLY_LIMIT', level: 1, limit: 'LK_INVITATIONS_WEEKLY', cooldown_id: 'cd1' });
    expect(Number(r.headers.get('retry-after'))).toBeGreaterThan(7000);
    expect(Number(r.headers.get('retry-after'))).toBeLessThanOrEqual(7200);
    // Other actions go on.
    expect((await guard(i.id, 'linkedin-visit-profile', { action_id: 'y' })).status).toBe(200);
    // An identity-wide cooldown that waits for a person has no Retry-After.
    await redis.set(keys.identityCooldown(ws.id, i.id), JSON.stringify({ reason: 'CHALLENGE', level: 1, scope: 'identity', ends_at: null }));
    const p = await guard(i.id, 'linkedin-visit-profile', { action_id: 'z' });
    expect(p.status).toBe(429);
    expect(p.body.error.details.ends_at).toBeNull();
    expect(p.headers.get('retry-after')).toBeNull();
  });

  it('exposes 80 % and 100 % crossings from the same reply', async () => {
    const seen: LimitCrossing[] = [];
    t.app.get(GuardEvents).onCrossings((c) => {
      seen.push(...c);
    });
    const i = await createIdentity(t, key, { pacing: 'off', limit_overrides: { LK_REACTIONS: 5 } });
    for (let n = 0; n < 6; n++) await guard(i.id, 'linkedin-like-post', { action_id: `l${n}` });
    await new Promise((r) => setTimeout(r, 20));
    const mine = seen.filter((c) => c.identityId === i.id);
    expect(mine.map((c) => [c.threshold, c.consumed])).toEqual([
      ['warning', 4],
      ['reached', 5],
    ]);
  });

  it('auto mode picks the identity with most headroom and falls back when full', async () => {
    clock.set(T0);
    const other = await createWorkspace(t);
    const k = other.api_key;
    const a = await createIdentity(t, k, { pacing: 'off', limit_overrides: { LK_FOLLOWS: 2 } });
    const b = await createIdentity(t, k, { pacing: 'off', limit_overrides: { LK_FOLLOWS: 3 } });
    const c = await createIdentity(t, k, { pacing: 'off', limit_overrides: { LK_FOLLOWS: 1 }, status: 'paused' });
    const auto = (id: string) => t.request('POST', '/v1/actions/linkedin-follow-profile/guard', { key: k, body: { action_id: id } });
    const picks: string[] = [];
    for (let n = 0; n < 5; n++) {
      const r = await auto(`f${n}`);
      expect(r.status).toBe(200);
      picks.push(r.body.identity_id);
      clock.set(T0 + (n + 1) * HOUR);
    }
    expect(picks[0]).toBe(b.id);
    expect(picks.filter((p) => p === a.id)).toHaveLength(2);
    expect(picks.filter((p) => p === b.id)).toHaveLength(3);
    expect(picks).not.toContain(c.id);
    const retry = await auto('f0');
    expect(retry.body).toMatchObject({ duplicate: true, identity_id: b.id });
    const full = await auto('f5');
    expect(full.status).toBe(429);
    expect(full.body.error.error_label).toBe('LIMIT_REACHED');
    // b's first follow (T0) is the earliest to leave its window.
    expect(full.body.error.details.available_at).toBe(new Date(T0 + DAY).toISOString());
    expect(full.headers.get('retry-after')).toBe(String((DAY - 5 * HOUR) / 1000));
    const subset = await t.request('POST', '/v1/actions/linkedin-follow-profile/guard', { key: k, body: { action_id: 'sub', identity_ids: [c.id] } });
    expect(subset.status).toBe(409);
    expect(subset.body.error.error_label).toBe('IDENTITY_PAUSED');
  });

  it("reads one action's limits in the Edges shape", async () => {
    clock.set(T0);
    const i = await createIdentity(t, key);
    await guard(i.id, 'linkedin-message-profile', { action_id: 'e1' });
    const r = await t.request('GET', `/v1/identities/${i.id}/actions/linkedin-message-profile/limits`, { key });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ identity_id: i.id, action_slug: 'linkedin-message-profile', level: 'standard', standard_level: 1 });
    expect(r.body.limits.map((l: { slug: string }) => l.slug)).toEqual(['LK_MESSAGES_SENT', 'LK_PROFILE_ENRICHMENTS', 'LK_WRITE_ACTIONS']);
    expect(r.body.limits[0]).toEqual({
      slug: 'LK_MESSAGES_SENT',
      name: expect.any(String),
      max_limit: 50,
      consumed: 1,
      remaining: 49,
      scheduled: 0,
      has_reached_limit: false,
      started_at: new Date(T0 - DAY).toISOString(),
      ended_at: new Date(T0).toISOString(),
      first_consumption_at: new Date(T0).toISOString(),
      last_consumption_at: new Date(T0).toISOString(),
      available_at: new Date(T0).toISOString(),
      window_seconds: 86400,
      warmup_factor: 1,
    });
  });
});
