import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ManualClock } from '../../src/common/clock.js';
import { RedisKeys } from '../../src/redis/redis-keys.js';
import { SNAPSHOT_COMMIT_SCRIPT } from '../../src/dashboard/snapshot-commit.script.js';
import { REDIS_CLIENT, type RedisClient } from '../../src/redis/redis.tokens.js';
import { startTestRedisCluster } from '../support/servers.js';
import { createIdentity, createWorkspace, startTestApp, type TestApp } from '../support/test-app.js';
import { DAY, HOUR, LINKEDIN_429, workerCalls } from '../cooldowns/cooldown-helpers.js';

const T0 = Date.parse('2031-03-03T12:00:00.000Z');
const MINUTE = 60_000;

/**
 * One identity in each health status, built through the API a worker and an operator use:
 * guard calls, reported outcomes, manual cooldowns.
 */
async function identitiesInEveryStatus(t: TestApp, clock: ManualClock, key: string) {
  const w = workerCalls(t, key);
  const visit = async (id: string, n: number, tag: string) => {
    for (let k = 0; k < n; k++) expect((await w.guard(id, 'linkedin-visit-profile', `${tag}-${k}`)).status).toBe(200);
  };
  clock.set(T0 - 4 * HOUR);
  const atRisk = await createIdentity(t, key, { label: 'at risk' });
  // Three short manual cooldowns in a week: recurring pushback, though none is running at T0.
  for (let k = 0; k < 3; k++) {
    clock.set(T0 - (3 - k) * HOUR);
    expect((await w.manual(atRisk.id, { duration_seconds: 60, reason: `manual-${k}` })).status).toBe(201);
  }
  clock.set(T0);
  const healthyBusy = await createIdentity(t, key, { label: 'healthy busy' });
  await visit(healthyBusy.id, 10, 'hb');
  const healthyIdle = await createIdentity(t, key, { label: 'healthy idle' });
  const warning = await createIdentity(t, key, { label: 'warning', limit_overrides: { LK_PROFILE_VISITS: 10 } });
  await visit(warning.id, 8, 'w');
  const warming = await createIdentity(t, key, { label: 'warming up', warmup: 'standard', warmup_started_at: new Date(T0 - HOUR).toISOString() });
  await visit(warming.id, 1, 'wu');
  const cooling = await createIdentity(t, key, { label: 'cooling down' });
  expect((await w.outcome(cooling.id, { action_slug: 'linkedin-connect-profile', ...LINKEDIN_429 })).body.cooldown).toMatchObject({
    scope: 'limits',
  });
  const restricted = await createIdentity(t, key, { label: 'restricted' });
  const r = await w.outcome(restricted.id, {
    action_slug: 'linkedin-visit-profile',
    status_code: 403,
    body: '<h1>Your account has been restricted</h1>',
  });
  expect(r.body.cooldown).toMatchObject({ reason: 'RESTRICTED' });
  const challenged = await createIdentity(t, key, { label: 'challenged' });
  const c = await w.outcome(challenged.id, {
    action_slug: 'linkedin-visit-profile',
    status_code: 302,
    headers: { Location: 'https://www.linkedin.com/checkpoint/challenge/AgHk?ut=2x' },
  });
  expect(c.body.cooldown).toMatchObject({ reason: 'CHALLENGE' });
  return { atRisk, healthyBusy, healthyIdle, warning, warming, cooling, restricted, challenged };
}

describe('dashboard API: health, activity, overview', () => {
  const clock = new ManualClock(T0);
  let t: TestApp;
  let ws: { id: string; api_key: string };
  let ids: Awaited<ReturnType<typeof identitiesInEveryStatus>>;
  const get = (path: string, key = ws.api_key) => t.request('GET', path, { key });

  beforeAll(async () => {
    t = await startTestApp({ clock });
    clock.set(T0 - 5 * HOUR);
    ws = await createWorkspace(t, { name: 'Dashboard Co', monthly_credits: 100_000 });
    ids = await identitiesInEveryStatus(t, clock, ws.api_key);
  });
  afterAll(async () => {
    await t?.close();
  });

  it('health: each status is reached, with its reasons', async () => {
    const status = async (id: string) => (await get(`/v1/identities/${id}/health`)).body;
    const healthy = await status(ids.healthyBusy.id);
    expect(healthy).toMatchObject({
      identity_id: ids.healthyBusy.id,
      status: 'healthy',
      reasons: [],
      cooldown: null,
      recent_errors: [],
      warmup_factor: 1,
    });
    expect((await status(ids.healthyIdle.id)).status).toBe('healthy');

    const warning = await status(ids.warning.id);
    expect(warning.status).toBe('warning');
    expect(warning.usage).toBe(0.8);
    expect(warning.reasons).toEqual(['LK_PROFILE_VISITS at 80% of its limit (8/10)']);

    const warming = await status(ids.warming.id);
    expect(warming).toMatchObject({ status: 'warming_up', warmup_mode: 'standard', warmup_day: 1, warmup_factor: 0.2, warmup_complete: false });
    // Day 1 of 5 on the free account's 50 visits: ceil(50 × 0.2) = 10, one of them used.
    expect(warming.limits.find((l: any) => l.slug === 'LK_PROFILE_VISITS')).toMatchObject({ max_limit: 10, consumed: 1, remaining: 9, usage: 0.1 });

    const cooling = await status(ids.cooling.id);
    expect(cooling.status).toBe('cooldown');
    expect(cooling.cooldown).toMatchObject({ scope: 'limits', reason: 'STATUS_429_STRIKE_1', level: 1 });
    expect(Date.parse(cooling.cooldown.ends_at)).toBeGreaterThanOrEqual(T0 + 4 * HOUR);
    expect(cooling.limits.find((l: any) => l.slug === 'LK_INVITATIONS_SENT').cooldown).toMatchObject({ reason: 'STATUS_429_STRIKE_1' });
    expect(cooling.limits.find((l: any) => l.slug === 'LK_PROFILE_VISITS').cooldown).toBeNull();
    expect(cooling.recent_errors).toHaveLength(1);
    expect(cooling.recent_errors[0]).toMatchObject({
      action_slug: 'linkedin-connect-profile',
      status_code: 429,
      error_label: 'STATUS_429',
      type: 'passive',
      strike: true,
      cooldown_id: cooling.cooldown.id,
    });

    const atRisk = await status(ids.atRisk.id);
    expect(atRisk).toMatchObject({ status: 'at_risk', cooldown: null, cooldowns: [], risk: { at_risk: true, cooldowns_7d: 3, flagged: false } });
    expect(atRisk.reasons).toEqual(['3 cooldowns in the last 7 days']);

    const restricted = await status(ids.restricted.id);
    expect(restricted.status).toBe('restricted');
    expect(restricted.cooldown).toMatchObject({ scope: 'identity', reason: 'RESTRICTED' });
    expect(restricted.recent_errors[0]).toMatchObject({ type: 'restricted', error_label: 'RESTRICTED' });
    expect(restricted.reasons[0]).toBe('LinkedIn restricted the account');
    // The warm-up restarted at 50 % with the restriction.
    expect(restricted.warmup_factor).toBeLessThan(1);

    const challenged = await status(ids.challenged.id);
    expect(challenged).toMatchObject({ status: 'restricted', cooldown: { reason: 'CHALLENGE', ends_at: null } });
  });

  it('health: every limit with usage, available_at and reset_at; a full limit says when it frees', async () => {
    const h = (await get(`/v1/identities/${ids.healthyBusy.id}/health`)).body;
    expect(h.checked_at).toBe(new Date(T0).toISOString());
    expect(h.limits.map((l: any) => l.slug)).toContain('LK_INVITATIONS_WEEKLY');
    const visits = h.limits.find((l: any) => l.slug === 'LK_PROFILE_VISITS');
    expect(visits).toMatchObject({
      window_seconds: 86_400,
      max_limit: 50,
      consumed: 10,
      remaining: 40,
      usage: 0.2,
      available_at: new Date(T0).toISOString(),
      reset_at: new Date(T0 + DAY).toISOString(),
      cooldown: null,
    });

    const full = await createIdentity(t, ws.api_key, { limit_overrides: { LK_PROFILE_VISITS: 2 } });
    const w = workerCalls(t, ws.api_key);
    clock.set(T0 - 2 * HOUR);
    await w.guard(full.id, 'linkedin-visit-profile', 'f1');
    clock.set(T0 - HOUR);
    await w.guard(full.id, 'linkedin-visit-profile', 'f2');
    clock.set(T0);
    const fh = (await get(`/v1/identities/${full.id}/health`)).body;
    expect(fh.status).toBe('warning');
    expect(fh.limits.find((l: any) => l.slug === 'LK_PROFILE_VISITS')).toMatchObject({
      consumed: 2,
      remaining: 0,
      usage: 1,
      available_at: new Date(T0 - 2 * HOUR + DAY).toISOString(),
      reset_at: new Date(T0 - HOUR + DAY).toISOString(),
    });
    await t.request('DELETE', `/v1/identities/${full.id}`, { key: ws.api_key });
  });

  it('health: a limit-scoped cooldown ends and the identity is healthy again; 404 for unknown and foreign identities', async () => {
    clock.set(T0 + 5 * HOUR);
    expect((await get(`/v1/identities/${ids.cooling.id}/health`)).body.status).toBe('healthy');
    clock.set(T0);
    expect((await get('/v1/identities/00000000-0000-4000-8000-000000000000/health')).status).toBe(404);
    expect((await get('/v1/identities/not-a-uuid/health')).status).toBe(404);
    const other = await createWorkspace(t);
    const foreign = await get(`/v1/identities/${ids.cooling.id}/health`, other.api_key);
    expect(foreign.status).toBe(404);
    expect(foreign.body.error).toMatchObject({ code: 404 });
    expect((await get(`/v1/identities/${ids.cooling.id}/activity`, other.api_key)).status).toBe(404);
    expect((await t.request('GET', `/v1/identities/${ids.cooling.id}/health`, { key: null })).status).toBe(401);
  });

  it('activity: buckets add up to what each window recorded, cost units included; null where a window does not reach', async () => {
    const a = await createIdentity(t, ws.api_key);
    const w = workerCalls(t, ws.api_key);
    clock.set(T0 - 3 * DAY);
    expect((await w.guard(a.id, 'linkedin-connect-profile', 'c-old')).status).toBe(200);
    clock.set(T0 - 3 * HOUR - 30 * MINUTE);
    for (const id of ['v1', 'v2']) await w.guard(a.id, 'linkedin-visit-profile', id);
    await w.guard(a.id, 'linkedin-message-profile', 'm1');
    clock.set(T0 - 30 * MINUTE);
    for (const id of ['v3', 'v4', 'v5']) await w.guard(a.id, 'linkedin-visit-profile', id);
    expect((await w.guard(a.id, 'linkedin-extract-search-results', 's1', { cost: 7 })).status).toBe(200);
    // Exactly one bucket length ago: the edge belongs to the older bucket (buckets are (start, end]).
    clock.set(T0 - HOUR);
    await w.guard(a.id, 'linkedin-visit-profile', 'edge');
    clock.set(T0);

    const r = await get(`/v1/identities/${a.id}/activity?window=24h&bucket=1h`);
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({
      identity_id: a.id,
      window: '24h',
      bucket: '1h',
      bucket_seconds: 3600,
      from: new Date(T0 - DAY).toISOString(),
      to: new Date(T0).toISOString(),
    });
    expect(r.body.buckets).toHaveLength(24);
    expect(r.body.buckets[0]).toBe(new Date(T0 - DAY).toISOString());
    const series = (slug: string) => r.body.limits.find((l: any) => l.slug === slug);
    const visits = series('LK_PROFILE_VISITS');
    expect(visits.total).toBe(6);
    expect(visits.counts[20]).toBe(2);
    expect(visits.counts[22]).toBe(1);
    expect(visits.counts[23]).toBe(3);
    expect(visits.counts.reduce((s: number, c: number | null) => s + (c ?? 0), 0)).toBe(6);
    expect(series('LK_MESSAGES_SENT')).toMatchObject({ total: 1 });
    expect(series('LK_PROFILE_ENRICHMENTS')).toMatchObject({ total: 1 });
    expect(series('LK_SEARCH_RESULTS').counts[23]).toBe(7);
    expect(series('LK_INVITATIONS_SENT').total).toBe(0);

    // The totals are what the limits read: buckets add up to each window's consumption.
    const limits = (await get(`/v1/identities/${a.id}/limits`)).body.limits;
    for (const l of r.body.limits.filter((x: any) => x.window_seconds === 86_400)) {
      expect([l.slug, l.total]).toEqual([l.slug, limits.find((x: any) => x.slug === l.slug).consumed]);
    }

    const week = (await get(`/v1/identities/${a.id}/activity?window=7d&bucket=1d`)).body;
    expect(week.buckets).toHaveLength(7);
    const weekly = week.limits.find((l: any) => l.slug === 'LK_INVITATIONS_WEEKLY');
    expect(weekly.counts).toEqual([0, 0, 0, 1, 0, 0, 0]);
    // A 24 h window cannot tell what happened before its day: unknown, not zero.
    const daily = week.limits.find((l: any) => l.slug === 'LK_INVITATIONS_SENT');
    expect(daily.counts).toEqual([null, null, null, null, null, null, 0]);
    expect(week.limits.find((l: any) => l.slug === 'LK_PROFILE_VISITS').counts[6]).toBe(6);

    // Releasing an action removes it from the activity too.
    await t.request('POST', `/v1/identities/${a.id}/actions/linkedin-visit-profile/release`, { key: ws.api_key, body: { action_id: 'v5' } });
    expect((await get(`/v1/identities/${a.id}/activity`)).body.limits.find((l: any) => l.slug === 'LK_PROFILE_VISITS').total).toBe(5);
  });

  it('the OpenAPI document describes every field of these answers, and no field they lack', async () => {
    const doc = (await t.request('GET', '/openapi.json', { key: null })).body;
    const schemaOf = (path: string) => doc.paths[path].get.responses['200'].content['application/json'].schema;
    const problems: string[] = [];
    const types = (schema: any): string[] => ([] as string[]).concat(schema.type ?? []);
    const walk = (value: unknown, given: any, at: string): void => {
      // OpenAPI 3.1: `null` is one of the types, or the null branch of an anyOf (a nullable $ref).
      const nullable = types(given).includes('null') || given.anyOf?.some((s: any) => s.type === 'null');
      if (value === null) {
        if (!nullable) problems.push(`${at}: null, not nullable`);
        return;
      }
      const schema = given.anyOf ? given.anyOf.find((s: any) => s.type !== 'null') : given;
      const documented = types(schema).filter((t) => t !== 'null');
      const type = Array.isArray(value) ? 'array' : Number.isInteger(value) && documented.includes('integer') ? 'integer' : typeof value;
      if (!documented.includes(type)) problems.push(`${at}: ${type}, documented ${documented.join('|')}`);
      if (schema.enum && !schema.enum.includes(value)) problems.push(`${at}: ${JSON.stringify(value)} not in its enum`);
      if (Array.isArray(value)) value.forEach((v, i) => walk(v, schema.items, `${at}[${i}]`));
      else if (type === 'object') {
        const v = value as Record<string, unknown>;
        for (const k of Object.keys(v)) if (!schema.properties?.[k]) problems.push(`${at}.${k}: not documented`);
        for (const k of schema.required ?? []) if (!(k in v)) problems.push(`${at}.${k}: documented, missing`);
        for (const [k, sub] of Object.entries(schema.properties ?? {})) if (k in v) walk(v[k], sub, `${at}.${k}`);
      }
    };
    // Identities in every status: cooldowns, errors, warm-up and nulls all show up.
    for (const id of Object.values(ids).map((i) => i.id)) {
      walk((await get(`/v1/identities/${id}/health`)).body, schemaOf('/v1/identities/{identityId}/health'), `health ${id}`);
      walk((await get(`/v1/identities/${id}/activity?window=7d&bucket=1d`)).body, schemaOf('/v1/identities/{identityId}/activity'), `activity ${id}`);
    }
    walk((await get('/v1/dashboard?limit=3')).body, schemaOf('/v1/dashboard'), 'dashboard');
    walk((await get('/v1/dashboard?limit=200')).body, schemaOf('/v1/dashboard'), 'dashboard');
    expect(problems).toEqual([]);
  });

  it('activity: bad windows and buckets are 400 with the field named', async () => {
    for (const q of ['window=1y', 'bucket=2h', 'window=7d&bucket=5m', 'bucket=1h&bucket=1d']) {
      const r = await get(`/v1/identities/${ids.healthyBusy.id}/activity?${q}`);
      expect([q, r.status]).toEqual([q, 400]);
      expect(r.body.error.error_label).toBe('VALIDATION_FAILED');
    }
  });
});

describe('dashboard API: the overview', () => {
  const clock = new ManualClock(T0);
  let t: TestApp;
  let ws: { id: string; api_key: string };
  let ids: Awaited<ReturnType<typeof identitiesInEveryStatus>>;
  const get = (path: string) => t.request('GET', path, { key: ws.api_key });

  beforeAll(async () => {
    t = await startTestApp({ clock });
    clock.set(T0 - 5 * HOUR);
    ws = await createWorkspace(t, { name: 'Overview Co', monthly_credits: 100_000 });
    ids = await identitiesInEveryStatus(t, clock, ws.api_key);
  });
  afterAll(async () => {
    await t?.close();
  });

  it('counts by status, the tier card, and identities sorted by risk then usage', async () => {
    clock.set(T0);
    const r = await get('/v1/dashboard');
    expect(r.status).toBe(200);
    expect(r.body.workspace).toEqual({ id: ws.id, name: 'Overview Co' });
    expect(r.body.counts).toEqual({ total: 8, restricted: 2, at_risk: 1, cooldown: 1, warning: 1, warming_up: 1, healthy: 2 });
    const workspace = (await get('/v1/workspace')).body;
    expect(r.body.tier).toMatchObject({
      plan_tier: workspace.plan_tier,
      monthly_credits: 100_000,
      engagement_identities: 0,
      engagement_tier: null,
      daily_api_limit: workspace.usage.daily_api_limit,
    });
    expect(r.body.tier.daily_used).toBeGreaterThan(0);
    expect(r.body.tier.daily_remaining).toBe(r.body.tier.daily_api_limit - r.body.tier.daily_used);
    expect(r.body.generated_at).toBe(new Date(T0).toISOString());
    const order = r.body.identities.map((i: any) => [i.label, i.status]);
    expect(order.slice(0, 2).map((o: any) => o[1])).toEqual(['restricted', 'restricted']);
    // After restricted, at_risk and cooldown, by highest usage alone: the healthy identity at 20 %
    // of its visits comes before the warming-up one at 10 % (1 of its 10).
    expect(order.slice(2)).toEqual([
      ['at risk', 'at_risk'],
      ['cooling down', 'cooldown'],
      ['warning', 'warning'],
      ['healthy busy', 'healthy'],
      ['warming up', 'warming_up'],
      ['healthy idle', 'healthy'],
    ]);
    expect(r.body.next_cursor).toBeNull();
    const warning = r.body.identities.find((i: any) => i.id === ids.warning.id);
    expect(warning).toMatchObject({
      usage: 0.8,
      top_limit: { slug: 'LK_PROFILE_VISITS', consumed: 8, max_limit: 10, usage: 0.8 },
      cooldown: null,
      warmup_factor: 1,
    });
    const cooling = r.body.identities.find((i: any) => i.id === ids.cooling.id);
    expect(cooling.cooldown).toMatchObject({
      reason: 'STATUS_429_STRIKE_1',
      scope: 'limits',
      limits: expect.arrayContaining(['LK_INVITATIONS_SENT']),
    });
    expect(r.body.identities.find((i: any) => i.id === ids.healthyIdle.id)).toMatchObject({ usage: 0, top_limit: null, limits: [] });

    // The overview and each identity's health say the same.
    for (const row of r.body.identities) {
      expect([row.id, (await t.request('GET', `/v1/identities/${row.id}/health`, { key: ws.api_key })).body.status]).toEqual([row.id, row.status]);
    }
  });

  it('pages by cursor through the same order, and filters by status', async () => {
    const all = (await get('/v1/dashboard')).body.identities.map((i: any) => i.id);
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const r: any = await get(`/v1/dashboard?limit=3${cursor ? `&cursor=${cursor}` : ''}`);
      expect(r.status).toBe(200);
      expect(r.body.identities.length).toBeLessThanOrEqual(3);
      seen.push(...r.body.identities.map((i: any) => i.id));
      cursor = r.body.next_cursor;
      pages++;
    } while (cursor);
    expect(pages).toBe(3);
    expect(seen).toEqual(all);

    const restricted = await get('/v1/dashboard?status=restricted&limit=1');
    expect(restricted.body.identities).toHaveLength(1);
    expect(restricted.body.identities[0].status).toBe('restricted');
    const second = await get(`/v1/dashboard?status=restricted&limit=1&cursor=${restricted.body.next_cursor}`);
    expect(second.body.identities.map((i: any) => i.status)).toEqual(['restricted']);
    expect(second.body.next_cursor).toBeNull();
    expect(new Set([restricted.body.identities[0].id, second.body.identities[0].id])).toEqual(new Set([ids.restricted.id, ids.challenged.id]));
    // A cursor from the unfiltered list still stays inside the filter.
    const first = await get('/v1/dashboard?limit=1');
    expect((await get(`/v1/dashboard?status=healthy&cursor=${first.body.next_cursor}`)).body.identities.map((i: any) => i.label)).toEqual([
      'healthy busy',
      'healthy idle',
    ]);
    expect((await get('/v1/dashboard?status=at_risk')).body.identities.map((i: any) => i.id)).toEqual([ids.atRisk.id]);
  });

  it('serves a snapshot at most DASHBOARD_REFRESH_SECONDS old, then a fresh one', async () => {
    clock.set(T0);
    const before = (await get('/v1/dashboard')).body;
    const w = workerCalls(t, ws.api_key);
    await w.outcome(ids.healthyBusy.id, { action_slug: 'linkedin-visit-profile', status_code: 999 });
    clock.set(T0 + 5_000);
    const stale = (await get('/v1/dashboard')).body;
    expect(stale.generated_at).toBe(before.generated_at);
    expect(stale.refresh_seconds).toBe(10);
    // The identity's own health is never stale.
    expect((await get(`/v1/identities/${ids.healthyBusy.id}/health`)).body.status).toBe('cooldown');
    clock.set(T0 + 10_000);
    const fresh = (await get('/v1/dashboard')).body;
    expect(fresh.generated_at).toBe(new Date(T0 + 10_000).toISOString());
    expect(fresh.counts).toMatchObject({ cooldown: 2, healthy: 1 });
  });

  it('two instances share one snapshot: one builds, the other serves it', async () => {
    const other = await startTestApp({ clock, keyPrefix: t.config.redis.keyPrefix });
    try {
      clock.set(T0 + 60_000);
      const a = await get('/v1/dashboard');
      const b = await other.request('GET', '/v1/dashboard', { key: ws.api_key });
      expect(b.body.generated_at).toBe(new Date(T0 + 60_000).toISOString());
      expect(b.body.identities).toEqual(a.body.identities);

      // A workspace nobody has looked at yet: both instances ask at once; one builds, the other waits for it.
      const fresh = await createWorkspace(t, { name: 'Fresh' });
      for (let k = 0; k < 3; k++) await createIdentity(t, fresh.api_key);
      const [x, y] = await Promise.all([
        t.request('GET', '/v1/dashboard', { key: fresh.api_key }),
        other.request('GET', '/v1/dashboard', { key: fresh.api_key }),
      ]);
      expect([x.status, y.status]).toEqual([200, 200]);
      expect(y.body.generated_at).toBe(x.body.generated_at);
      expect(y.body.counts).toEqual({ total: 3, healthy: 3, warming_up: 0, warning: 0, cooldown: 0, at_risk: 0, restricted: 0 });
      expect(x.body.identities).toEqual(y.body.identities);
    } finally {
      await other.close();
    }
  });

  it('a builder that outlived its lock publishes nothing over the newer snapshot', async () => {
    clock.set(T0 + 120_000);
    const live = (await get('/v1/dashboard')).body;
    const redis = t.app.get<RedisClient>(REDIS_CLIENT);
    const k = (part: string) => t.app.get(RedisKeys).dashboard(ws.id, part);
    // The late builder wrote its own keys; meanwhile its lock lapsed and another builder holds it.
    await redis.set(k('lock'), 'newer-builder', 'PX', 30_000);
    await redis.zadd(k('build:late:order'), 0, `000000|${ids.healthyIdle.id}`);
    await redis.zadd(k('build:late:by-status'), 0, `000000|${ids.healthyIdle.id}`);
    await redis.hset(k('build:late:rows'), ids.healthyIdle.id, JSON.stringify({ id: ids.healthyIdle.id, status: 'restricted' }));
    const stale = JSON.stringify({ built_at: 0, counts: { total: 1 }, workspace: live.workspace });
    const built = { order: k('build:late:order'), byStatus: k('build:late:by-status'), rows: k('build:late:rows') };
    try {
      const published = await SNAPSHOT_COMMIT_SCRIPT.run(redis, {
        built,
        live: { order: k('order'), byStatus: k('by-status'), rows: k('rows') },
        metaKey: k('meta'),
        lockKey: k('lock'),
        mode: 'commit',
        token: 'late-builder',
        metaJson: stale,
        ttlMs: 60_000,
      });
      expect(published).toBe(false);
      expect(await redis.exists(built.order, built.byStatus, built.rows)).toBe(0);
      expect(await redis.get(k('lock'))).toBe('newer-builder');
    } finally {
      await redis.del(k('lock'));
    }
    const after = (await get('/v1/dashboard')).body;
    expect([after.generated_at, after.counts, after.identities]).toEqual([live.generated_at, live.counts, live.identities]);
  });

  it('bad paging and filters are 400 with the field named', async () => {
    for (const [q, field] of [
      ['status=sleepy', 'status'],
      ['limit=0', 'limit'],
      ['limit=201', 'limit'],
      ['cursor=nope', 'cursor'],
      [`cursor=${Buffer.from('d:9zzz|x').toString('base64url')}`, 'cursor'],
    ]) {
      const r = await get(`/v1/dashboard?${q}`);
      expect([q, r.status]).toEqual([q, 400]);
      expect(JSON.stringify(r.body.error.details)).toContain(field);
    }
  });
});

describe('dashboard API on Redis Cluster (6 nodes)', () => {
  let cluster: { nodes: string; stop(): Promise<void> };
  let t: TestApp;

  beforeAll(async () => {
    cluster = await startTestRedisCluster();
    t = await startTestApp({ env: { REDIS_CLUSTER_NODES: cluster.nodes, DASHBOARD_REFRESH_SECONDS: '0' } });
  });
  afterAll(async () => {
    await t?.close();
    await cluster?.stop();
  });

  it("health, activity and the overview snapshot each run on the workspace's one slot", async () => {
    // Several workspaces, so several slots (and nodes) are used.
    for (let n = 0; n < 3; n++) {
      const ws = await createWorkspace(t);
      const w = workerCalls(t, ws.api_key);
      const a = await createIdentity(t, ws.api_key, { limit_overrides: { LK_PROFILE_VISITS: 4 } });
      const b = await createIdentity(t, ws.api_key);
      for (const id of ['1', '2', '3', '4']) expect((await w.guard(a.id, 'linkedin-visit-profile', id)).status).toBe(200);
      await w.outcome(b.id, { action_slug: 'linkedin-visit-profile', status_code: 999 });

      expect((await t.request('GET', `/v1/identities/${a.id}/health`, { key: ws.api_key })).body).toMatchObject({ status: 'warning', usage: 1 });
      const act = (await t.request('GET', `/v1/identities/${a.id}/activity`, { key: ws.api_key })).body;
      expect(act.limits.find((l: any) => l.slug === 'LK_PROFILE_VISITS').total).toBe(4);
      const page1 = (await t.request('GET', '/v1/dashboard?limit=1', { key: ws.api_key })).body;
      expect(page1.identities.map((i: any) => [i.id, i.status])).toEqual([[b.id, 'cooldown']]);
      const page2 = (await t.request('GET', `/v1/dashboard?limit=1&cursor=${page1.next_cursor}`, { key: ws.api_key })).body;
      expect(page2.identities.map((i: any) => [i.id, i.status])).toEqual([[a.id, 'warning']]);
      expect(page2.next_cursor).toBeNull();
    }
  });
});
