import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ManualClock } from '../../src/common/clock.js';
import { createIdentity, createWorkspace, startTestApp, type TestApp } from '../support/test-app.js';

const T0 = Date.parse('2026-11-03T10:00:00.000Z');

describe('workspace API limits', () => {
  const clock = new ManualClock(T0);
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ clock });
  });
  afterAll(async () => {
    await t?.close();
  });

  it("a Trial workspace's 6th workspace request in a minute gets the seed's 429", async () => {
    clock.set(T0);
    const ws = await createWorkspace(t, { monthly_credits: 1000, tierLimits: true });
    for (let n = 1; n <= 5; n++) {
      const r = await t.request('GET', '/v1/workspace', { key: ws.api_key });
      expect(r.status).toBe(200);
      expect(r.headers.get('x-ratelimit-limit')).toBe('5');
      expect(r.headers.get('x-ratelimit-remaining')).toBe(String(5 - n));
      expect(r.headers.get('x-ratelimit-type')).toBe('/v1/workspaces');
      expect(r.headers.get('ratelimit-policy')).toContain('"minute";q=5;w=60');
      expect(r.headers.get('ratelimit')).toContain(`"minute";r=${5 - n}`);
    }
    const r = await t.request('GET', '/v1/workspace', { key: ws.api_key });
    expect(r.status).toBe(429);
    expect(r.headers.get('retry-after')).toBe('12');
    // Exactly the seed's body: no other keys.
    expect(r.body).toEqual({
      error: {
        code: 429,
        status: 'Too Many Requests',
        details: { 'Retry-After': '12', 'X-RateLimit-Limit': '5', 'X-RateLimit-Reset': String(T0 / 1000 + 12), 'X-RateLimit-Type': '/v1/workspaces' },
        message: 'Rate limit exceeded (/v1/workspaces)',
      },
    });
    // The bucket refills continuously: 12 s later one more request fits.
    clock.set(T0 + 12_000);
    expect((await t.request('GET', '/v1/workspace', { key: ws.api_key })).status).toBe(200);
    expect((await t.request('GET', '/v1/workspace', { key: ws.api_key })).status).toBe(429);
  });

  it('one workspace at its limit never limits another', async () => {
    clock.set(T0);
    const a = await createWorkspace(t, { monthly_credits: 1000, tierLimits: true });
    const b = await createWorkspace(t, { monthly_credits: 1000, tierLimits: true });
    for (let n = 0; n < 6; n++) await t.request('GET', '/v1/tiers', { key: a.api_key });
    expect((await t.request('GET', '/v1/tiers', { key: a.api_key })).status).toBe(429);
    expect((await t.request('GET', '/v1/tiers', { key: b.api_key })).status).toBe(200);
  });

  it('adding the 51st engagement identity raises identity and workspace limits at once', async () => {
    clock.set(T0);
    const ws = await createWorkspace(t, { monthly_credits: 1000 });
    const before = await t.request('GET', '/v1/workspace', { key: ws.api_key });
    expect(before.body).toMatchObject({ plan_tier: 'Trial', engagement_identities: 0, engagement_tier: null });
    for (let n = 0; n < 50; n++) await createIdentity(t, ws.api_key, { mode: 'engagement' });
    const at50 = await t.request('GET', '/v1/workspace', { key: ws.api_key });
    expect(at50.body.engagement_tier).toBe('1–50');
    const ident = await createIdentity(t, ws.api_key, { mode: 'standard' });
    // A mode change counts as at once as a creation.
    await t.request('PATCH', `/v1/identities/${ident.id}`, { key: ws.api_key, body: { mode: 'engagement' } });
    // Custom limits were set by the factory; drop them to see the tiers' own.
    await t.admin('PATCH', `/v1/workspaces/${ws.id}`, { custom_limits: null });
    const after = await t.request('GET', '/v1/workspace', { key: ws.api_key });
    expect(after.body).toMatchObject({ engagement_identities: 51, engagement_tier: '51–200' });
    expect(after.body.limits['/v1/identities']).toEqual({ per_second: null, per_minute: 300, source: 'engagement' });
    expect(after.body.limits['/v1/workspaces']).toEqual({ per_second: null, per_minute: 30, source: 'engagement' });
    expect(after.body.limits['/v1/actions']).toEqual({ per_second: 1, per_minute: 60, source: 'plan' });
    expect(after.body.limits.daily_api_limit).toEqual({ value: 3_600_000, source: 'engagement' });
    expect(after.headers.get('x-ratelimit-limit')).toBe('30');
    await t.request('DELETE', `/v1/identities/${ident.id}`, { key: ws.api_key });
    const back = await t.request('GET', '/v1/workspace', { key: ws.api_key });
    expect(back.body.engagement_tier).toBe('1–50');
  });

  it('per-second and per-minute both bite on the guard, in its single call', async () => {
    clock.set(T0);
    const ws = await createWorkspace(t, { monthly_credits: 1000 });
    const i = await createIdentity(t, ws.api_key, { limit_overrides: { LK_PROFILE_VISITS: 1000 } });
    await t.admin('PATCH', `/v1/workspaces/${ws.id}`, { custom_limits: { '/v1/actions': { per_second: 3, per_minute: 5 } } });
    const guard = (id: string) =>
      t.request('POST', `/v1/identities/${i.id}/actions/linkedin-visit-profile/guard`, { key: ws.api_key, body: { action_id: id } });
    for (let n = 0; n < 3; n++) {
      const r = await guard(`p${n}`);
      expect(r.status).toBe(200);
      expect(r.headers.get('ratelimit-policy')).toContain('"second";q=3;w=1');
      expect(r.headers.get('ratelimit-policy')).toContain('"smart-limits/LK_PROFILE_VISITS"');
      expect(r.headers.get('x-ratelimit-type')).toBe('smart-limits/LK_PROFILE_VISITS');
    }
    const perSecond = await guard('p3');
    expect(perSecond.status).toBe(429);
    expect(perSecond.body.error.details['X-RateLimit-Type']).toBe('/v1/actions');
    expect(perSecond.body.error.details['X-RateLimit-Limit']).toBe('3');
    expect(perSecond.headers.get('x-ratelimit-type')).toBe('/v1/actions');
    expect(perSecond.body.error.error_label).toBeUndefined();
    clock.set(T0 + 1000);
    expect((await guard('p3')).status).toBe(200);
    expect((await guard('p4')).status).toBe(200);
    const perMinute = await guard('p5');
    expect(perMinute.status).toBe(429);
    expect(perMinute.body.error.details['X-RateLimit-Limit']).toBe('5');
    // Refused requests were not recorded as LinkedIn actions.
    const l = await t.request('GET', `/v1/identities/${i.id}/limits`, { key: ws.api_key });
    expect(l.body.limits.find((x: { slug: string }) => x.slug === 'LK_PROFILE_VISITS').consumed).toBe(5);
  });

  it('the daily limit is a sliding counter named "daily"', async () => {
    clock.set(T0);
    const ws = await createWorkspace(t, { monthly_credits: 1000 });
    await t.admin('PATCH', `/v1/workspaces/${ws.id}`, {
      custom_limits: { daily_api_limit: 4, '/v1/workspaces': { per_minute: 1000, per_second: 1000 } },
    });
    for (let n = 0; n < 4; n++) expect((await t.request('GET', '/v1/tiers', { key: ws.api_key })).status).toBe(200);
    const r = await t.request('GET', '/v1/tiers', { key: ws.api_key });
    expect(r.status).toBe(429);
    expect(r.body.error.details['X-RateLimit-Type']).toBe('daily');
    expect(r.body.error.message).toBe('Rate limit exceeded (daily)');
    // At midnight nothing resets: yesterday still counts in full.
    clock.set(T0 + 14 * 3_600_000);
    expect((await t.request('GET', '/v1/tiers', { key: ws.api_key })).status).toBe(429);
    // At 14:00 the next day, 10/24 of yesterday's 4 (≈ 1.7) still count: two more fit, not three.
    clock.set(T0 + 28 * 3_600_000);
    expect((await t.request('GET', '/v1/tiers', { key: ws.api_key })).status).toBe(200);
    expect((await t.request('GET', '/v1/tiers', { key: ws.api_key })).status).toBe(200);
    expect((await t.request('GET', '/v1/tiers', { key: ws.api_key })).status).toBe(429);
  });

  it('POST /v1/ratelimit/check applies the same limits to endpoints served elsewhere', async () => {
    clock.set(T0);
    const ws = await createWorkspace(t, { monthly_credits: 1000, tierLimits: true });
    for (let n = 0; n < 30; n++) {
      const r = await t.request('POST', '/v1/ratelimit/check', { key: ws.api_key, body: { endpoint: '/v1/runs/outputs' } });
      expect(r.status).toBe(200);
      expect(r.body).toMatchObject({ allowed: true, endpoint: '/v1/runs/outputs', limit: 30, remaining: 29 - n });
    }
    const r = await t.request('POST', '/v1/ratelimit/check', { key: ws.api_key, body: { endpoint: '/v1/runs/outputs' } });
    expect(r.status).toBe(429);
    expect(r.body.error.details['X-RateLimit-Type']).toBe('/v1/runs/outputs');
    expect((await t.request('POST', '/v1/ratelimit/check', { key: ws.api_key, body: { endpoint: '/v1/nope' } })).status).toBe(400);
  });

  it('records quota.warning once a day when a workspace passes 80 % of its daily limit', async () => {
    clock.set(T0 + 3 * 86_400_000);
    const ws = await createWorkspace(t, { monthly_credits: 1000 });
    await t.admin('PATCH', `/v1/workspaces/${ws.id}`, {
      custom_limits: { daily_api_limit: 10, '/v1/workspaces': { per_minute: 1000, per_second: 1000 } },
    });
    const ds = t.app.get((await import('typeorm')).DataSource);
    const events = async () =>
      ds.query<{ payload: Record<string, unknown> }[]>(`select type, payload from outbox_events where workspace_id = $1 and type = 'quota.warning'`, [
        ws.id,
      ]);
    for (let n = 0; n < 7; n++) await t.request('GET', '/v1/tiers', { key: ws.api_key });
    await new Promise((r) => setTimeout(r, 50));
    expect(await events()).toHaveLength(0);
    await t.request('GET', '/v1/tiers', { key: ws.api_key }); // the 8th of 10: 80 %
    await new Promise((r) => setTimeout(r, 100));
    const first = await events();
    expect(first).toHaveLength(1);
    expect(first[0].payload).toMatchObject({ daily_api_limit: 10, used_estimate: 8, percent: 80 });
    await t.request('GET', '/v1/tiers', { key: ws.api_key });
    await new Promise((r) => setTimeout(r, 50));
    expect(await events()).toHaveLength(1);
  });

  it('serves both tier tables', async () => {
    const ws = await createWorkspace(t);
    const r = await t.request('GET', '/v1/tiers', { key: ws.api_key });
    expect(r.body.plan_tiers.map((p: { name: string }) => p.name)).toEqual(['Trial', 'Bronze', 'Silver', 'Gold', 'Platinum', 'Diamond', 'Titanium']);
    expect(r.body.engagement_tiers).toHaveLength(5);
  });
});
