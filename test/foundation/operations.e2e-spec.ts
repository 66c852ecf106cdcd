import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startTestRedis, type TestRedis } from '../support/servers.js';
import { createWorkspace, startTestApp, type TestApp } from '../support/test-app.js';

describe('operations', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => {
    await t?.close();
  });

  it('answers liveness and readiness', async () => {
    expect((await t.request('GET', '/health/live')).body).toEqual({ status: 'ok' });
    const r = await t.request('GET', '/health/ready');
    expect(r.status).toBe(200);
    expect(r.body).toEqual({ status: 'ready', checks: { redis: 'up', database: 'up' } });
  });

  it('serves Prometheus metrics', async () => {
    await t.request('GET', '/health/live');
    const r = await t.request('GET', '/metrics');
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toContain('text/plain');
    expect(r.text).toContain('smart_limits_http_request_duration_seconds_bucket');
    expect(r.text).toContain('smart_limits_process_cpu_seconds_total');
  });

  it('documents every route in OpenAPI with its errors', async () => {
    const r = await t.request('GET', '/openapi.json');
    expect(r.status).toBe(200);
    const paths = r.body.paths as Record<string, Record<string, { responses: Record<string, unknown> }>>;
    for (const p of [
      '/v1/workspaces',
      '/v1/workspaces/{workspaceId}',
      '/v1/workspaces/{workspaceId}/api-keys',
      '/v1/workspaces/{workspaceId}/api-keys/{keyId}',
      '/v1/identities',
      '/v1/identities/{identityId}',
      '/v1/catalog',
      '/health/ready',
    ]) {
      expect(paths[p]).toBeDefined();
    }
    expect(paths['/v1/identities'].post.responses['400']).toBeDefined();
    expect(paths['/v1/identities/{identityId}'].get.responses['404']).toBeDefined();
    expect(r.body.components.schemas.CreateIdentityDto.properties.timezone).toBeDefined();
    const docs = await t.request('GET', '/docs');
    expect(docs.status).toBe(200);
    expect(docs.text).toContain('swagger');
  });

  it('answers unknown routes with the envelope', async () => {
    const r = await t.request('GET', '/v1/nope');
    expect(r.status).toBe(404);
    expect(r.body.error).toMatchObject({ code: 404, status: 'Not Found', error_label: 'NOT_FOUND' });
  });

  it('carries a request id, echoing a sane one', async () => {
    const r = await t.request('GET', '/health/live', { headers: { 'x-request-id': 'abc-123' } });
    expect(r.headers.get('x-request-id')).toBe('abc-123');
    const g = await t.request('GET', '/health/live');
    expect(g.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('serves the catalog', async () => {
    const ws = await createWorkspace(t);
    const r = await t.request('GET', '/v1/catalog', { key: ws.api_key });
    expect(r.status).toBe(200);
    expect(r.body.levels).toEqual({ conservative: 0.6, standard: 1, aggressive: 1.3 });
    const connect = r.body.actions.find((x: { slug: string }) => x.slug === 'linkedin-connect-profile');
    expect(connect).toEqual({
      slug: 'linkedin-connect-profile',
      limits: ['LK_INVITATIONS_SENT', 'LK_INVITATIONS_WEEKLY'],
      account_types: ['free', 'premium', 'sales_navigator', 'recruiter'],
    });
    const inmail = r.body.actions.find((x: { slug: string }) => x.slug === 'linkedin-send-inmail');
    expect(inmail.account_types).toEqual(['premium', 'sales_navigator', 'recruiter']);
    const inv = r.body.limits.find((x: { slug: string }) => x.slug === 'LK_INVITATIONS_SENT');
    expect(inv).toEqual({
      slug: 'LK_INVITATIONS_SENT',
      name: expect.any(String),
      window_seconds: 86400,
      default_max: { free: 15, premium: 20, sales_navigator: 25, recruiter: 25 },
    });
    expect(r.body.limits).toHaveLength(16);
    expect(r.body.actions).toHaveLength(16);
    expect(r.body.warmup).toBeDefined();
  });
});

describe('readiness when Redis stops', () => {
  let redis: TestRedis;
  let t: TestApp;
  beforeAll(async () => {
    redis = await startTestRedis();
    t = await startTestApp({ redisUrl: redis.url });
  });
  afterAll(async () => {
    await t?.close();
    await redis?.stop();
  });

  it('reports 503 quickly while Redis is down and recovers without restart', async () => {
    expect((await t.request('GET', '/health/ready')).status).toBe(200);
    await redis.stop();
    const r = await t.request('GET', '/health/ready');
    expect(r.status).toBe(503);
    expect(r.body.error.error_label).toBe('STORE_UNAVAILABLE');
    expect(r.body.error.details.checks.redis).toMatch(/^down/);
    expect(r.body.error.details.checks.database).toBe('up');
    await redis.start();
    let status = 503;
    for (let i = 0; i < 100 && status !== 200; i++) {
      status = (await t.request('GET', '/health/ready')).status;
      if (status !== 200) await new Promise((res) => setTimeout(res, 50));
    }
    expect(status).toBe(200);
  });
});
