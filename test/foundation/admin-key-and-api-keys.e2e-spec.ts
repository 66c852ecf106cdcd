import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import pg from 'pg';
import { ApiKeysService } from '../../src/workspaces/api-keys.service.js';
import { ADMIN_KEY, createWorkspace, startTestApp, type TestApp } from '../support/test-app.js';

describe('the admin key and API keys', () => {
  let t: TestApp;
  let db: pg.Client;
  const settled = (app: TestApp = t) => app.app.get(ApiKeysService).settled();

  beforeAll(async () => {
    t = await startTestApp();
    db = new pg.Client({ connectionString: t.config.database.url });
    await db.connect();
  });
  afterAll(async () => {
    await db?.end();
    await t?.close();
  });

  it('GET /v1/tiers answers the admin key (uncounted) and workspace keys (counted)', async () => {
    const admin = await t.request('GET', '/v1/tiers', { key: ADMIN_KEY });
    expect(admin.status).toBe(200);
    expect(admin.body.plan_tiers.map((p: { name: string }) => p.name)).toEqual([
      'Trial',
      'Bronze',
      'Silver',
      'Gold',
      'Platinum',
      'Diamond',
      'Titanium',
    ]);
    // No workspace limit counted it: the only limit its answer describes is the per-IP one.
    expect(admin.headers.get('x-ratelimit-type')).toBe('ip');
    const ws = await createWorkspace(t);
    const byWorkspace = await t.request('GET', '/v1/tiers', { key: ws.api_key });
    expect(byWorkspace.status).toBe(200);
    expect(byWorkspace.body).toEqual(admin.body);
    expect(byWorkspace.headers.get('x-ratelimit-type')).toBe('/v1/workspaces');
    expect((await t.request('GET', '/v1/tiers', { key: 'sl_live_nope' })).status).toBe(401);
    expect((await t.request('GET', '/v1/tiers')).status).toBe(401);
  });

  it('tells an operator who uses the admin key on a workspace route which key to use', async () => {
    for (const path of ['/v1/identities', '/v1/workspace', '/v1/dashboard']) {
      const r = await t.request('GET', path, { key: ADMIN_KEY });
      expect(r.status).toBe(401);
      expect(r.body.error.error_label).toBe('UNAUTHORIZED');
      expect(r.body.error.message).toContain('the admin key manages workspaces; use a workspace API key, e.g. POST /v1/workspaces/{id}/api-keys');
    }
    const other = await t.request('GET', '/v1/identities', { key: 'sl_live_unknown' });
    expect(other.body.error.message).toBe('Invalid or revoked API key');
  });

  it('documents the plan table on monthly_credits, and each range gives its tier', async () => {
    const doc = (await t.request('GET', '/openapi.json')).body;
    const description: string = doc.components.schemas.CreateWorkspaceDto.properties.monthly_credits.description;
    expect(description).toContain('Trial 0–2,499');
    expect(description).toContain('Silver 10,001–100,000');
    expect(description).toContain('Titanium 20,000,001 or more');
    for (const [credits, tier] of [
      [2_499, 'Trial'],
      [10_001, 'Silver'],
      [20_000_001, 'Titanium'],
    ] as const) {
      const r = await t.admin('POST', '/v1/workspaces', { name: `tier ${tier}`, monthly_credits: credits });
      expect(r.body.plan_tier).toBe(tier);
    }
  });

  it('creates named keys and lists every key without the secret', async () => {
    const ws = await createWorkspace(t);
    const named = await t.admin('POST', `/v1/workspaces/${ws.id}/api-keys`, { name: 'worker fleet eu' });
    expect(named.status).toBe(201);
    expect(Object.keys(named.body).sort()).toEqual(['api_key', 'id', 'name']);
    expect(named.body.name).toBe('worker fleet eu');
    const unnamed = await t.request('POST', `/v1/workspaces/${ws.id}/api-keys`, { key: ADMIN_KEY });
    expect(unnamed.status).toBe(201);
    expect(unnamed.body.name).toBeNull();
    const bad = await t.admin('POST', `/v1/workspaces/${ws.id}/api-keys`, { name: '' });
    expect(bad.status).toBe(400);
    expect(Object.keys(bad.body.error.details)).toEqual(['name']);

    await t.admin('DELETE', `/v1/workspaces/${ws.id}/api-keys/${unnamed.body.id}`);
    const list = await t.admin('GET', `/v1/workspaces/${ws.id}/api-keys`);
    expect(list.status).toBe(200);
    expect(list.body.data.map((k: { id: string }) => k.id).slice(1)).toEqual([named.body.id, unnamed.body.id]);
    for (const k of list.body.data) {
      expect(Object.keys(k).sort()).toEqual(['created_at', 'id', 'last_used_at', 'name', 'prefix', 'revoked_at']);
    }
    expect(list.body.data[0]).toMatchObject({ name: null, revoked_at: null });
    expect(list.body.data[1]).toMatchObject({ name: 'worker fleet eu', revoked_at: null, prefix: named.body.api_key.slice(0, 12) });
    expect(list.body.data[2].revoked_at).not.toBeNull();
    for (const secret of [ws.api_key, named.body.api_key, unnamed.body.api_key]) expect(list.text).not.toContain(secret);

    expect((await t.request('GET', `/v1/workspaces/${ws.id}/api-keys`, { key: ws.api_key })).status).toBe(401);
    expect((await t.admin('GET', '/v1/workspaces/00000000-0000-4000-8000-000000000000/api-keys')).status).toBe(404);
  });

  it('keeps last_used_at to the minute: one write per key per minute, across instances too', async () => {
    const ws = await createWorkspace(t);
    const key = await t.admin('POST', `/v1/workspaces/${ws.id}/api-keys`, { name: 'usage' });
    const lastUsed = async () =>
      (await db.query('select last_used_at from api_keys where id = $1', [key.body.id])).rows[0].last_used_at as Date | null;
    expect(await lastUsed()).toBeNull();

    await t.request('GET', '/v1/whoami', { key: key.body.api_key });
    await settled();
    const first = await lastUsed();
    expect(first).toBeInstanceOf(Date);
    const listed = await t.admin('GET', `/v1/workspaces/${ws.id}/api-keys`);
    expect(listed.body.data.find((k: { id: string }) => k.id === key.body.id).last_used_at).toBe(first!.toISOString());

    // Within the minute nothing is written again, by this instance or by another one.
    await t.request('GET', '/v1/whoami', { key: key.body.api_key });
    await settled();
    expect(await lastUsed()).toEqual(first);
    await db.query(`update api_keys set last_used_at = now() - interval '30 seconds' where id = $1`, [key.body.id]);
    const stamped = await lastUsed();
    const second = await startTestApp();
    try {
      await second.request('GET', '/v1/whoami', { key: key.body.api_key });
      await settled(second);
      expect(await lastUsed()).toEqual(stamped);
      // A minute later the next use is written.
      await db.query(`update api_keys set last_used_at = now() - interval '61 seconds' where id = $1`, [key.body.id]);
      const old = await lastUsed();
      second.app.get(ApiKeysService)['touchedAt'].clear(); // this instance's own once-a-minute memory
      await second.request('GET', '/v1/whoami', { key: key.body.api_key });
      await settled(second);
      expect((await lastUsed())!.getTime()).toBeGreaterThan(old!.getTime());
    } finally {
      await second.close();
    }
  });
});
