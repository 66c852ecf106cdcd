import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createIdentity, createWorkspace, startTestApp, type TestApp } from '../support/test-app.js';

/** Odd inputs a client may send: each gets a 4xx in the envelope, never a 5xx, and nothing changes. */
describe('bad input never gets a 5xx', () => {
  let t: TestApp;
  let key: string;
  let identityId: string;
  beforeAll(async () => {
    t = await startTestApp();
    key = (await createWorkspace(t)).api_key;
    identityId = (await createIdentity(t, key)).id;
  });
  afterAll(async () => {
    await t?.close();
  });

  const bodies: [string, string, string | undefined, string][] = [
    ['POST', '/v1/identities', 'null', 'application/json'],
    ['POST', '/v1/identities', '"text"', 'application/json'],
    ['POST', '/v1/identities', '42', 'application/json'],
    ['POST', '/v1/identities', '{"external_id": "x", "warmup_started_at": "0000-01-01T00:00:00Z"}', 'application/json'],
    ['POST', '/v1/identities', '{"external_id": "x", "warmup_started_at": "275760-09-13T00:00:00Z"}', 'application/json'],
    ['POST', '/v1/identities', '{"external_id": "x\\u0000y"}', 'application/json'],
    ['POST', '/v1/identities', '{"external_id": "x", "limit_overrides": {"LK_PROFILE_VISITS": 1e308}}', 'application/json'],
    ['POST', '/v1/identities', '{"external_id": "x", "label": {"$gt": ""}}', 'application/json'],
    ['POST', '/v1/identities', '{"external_id": "x", "__proto__": {"admin": true}}', 'application/json'],
    ['POST', '/v1/identities', 'external_id=x', 'application/x-www-form-urlencoded'],
    ['POST', '/v1/identities', '{"external_id": "x"}', 'text/plain'],
    ['POST', '/v1/identities', '', 'application/json'],
    ['PATCH', `/v1/identities/IDENTITY`, '{"warmup_started_at": "-000001-01-01T00:00:00Z"}', 'application/json'],
    ['PATCH', `/v1/identities/IDENTITY`, '[]', 'application/json'],
    ['POST', '/v1/identities/IDENTITY/actions/linkedin-visit-profile/guard', '{"action_id": "a", "cost": 1e20}', 'application/json'],
    [
      'POST',
      '/v1/identities/IDENTITY/actions/linkedin-visit-profile/guard',
      '{"action_id": "a", "occurred_at": "2026-13-45T99:00:00Z"}',
      'application/json',
    ],
    ['POST', '/v1/identities/IDENTITY/actions/linkedin-visit-profile/guard', '{"action_id": ["a"]}', 'application/json'],
    ['POST', '/v1/identities/IDENTITY/actions/%E0%A4%A/guard', '{"action_id": "a"}', 'application/json'],
    ['POST', '/v1/actions/linkedin-visit-profile/guard', '{"action_id": "a", "identity_ids": ["not-a-uuid"]}', 'application/json'],
    ['GET', '/v1/identities?limit=1&limit=2', undefined, ''],
    ['GET', '/v1/identities?cursor=%FF%FE', undefined, ''],
    ['GET', '/v1/identities/%00', undefined, ''],
    ['POST', '/v1/ratelimit/check', '{"endpoint": {"a": 1}}', 'application/json'],
    ['POST', '/v1/runs', '{"run_id": "r", "batches": 1, "lease_seconds": 1e9}', 'application/json'],
    ['GET', '/v1/identities/IDENTITY/activity?window=24h&window=7d', undefined, ''],
    ['GET', '/v1/identities/IDENTITY/activity?bucket=%00', undefined, ''],
    ['GET', '/v1/identities/IDENTITY/activity?window=7d&bucket=5m', undefined, ''],
    ['GET', '/v1/identities/%00/health', undefined, ''],
    ['GET', '/v1/dashboard?cursor=%FF%FE', undefined, ''],
    ['GET', `/v1/dashboard?cursor=${Buffer.from('d:0' + 'x'.repeat(150)).toString('base64url')}`, undefined, ''],
    ['GET', '/v1/dashboard?status=healthy&status=cooldown', undefined, ''],
    ['GET', '/v1/dashboard?limit=1e9', undefined, ''],
  ];

  it.each(bodies)('%s %s %s', async (method, path, raw, type) => {
    const before = await t.request('GET', '/v1/identities?limit=200', { key });
    const headers: Record<string, string> = type ? { 'content-type': type } : {};
    const r = await t.request(method, path.replace('IDENTITY', identityId), { key, raw, headers });
    expect(r.status).toBeGreaterThanOrEqual(400);
    expect(r.status).toBeLessThan(500);
    expect(r.body.error.code).toBe(r.status);
    const after = await t.request('GET', '/v1/identities?limit=200', { key });
    expect(after.body.data.length).toBe(before.body.data.length);
  });
});
