import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ADMIN_KEY, createWorkspace, startTestApp, type TestApp } from '../support/test-app.js';

describe('workspaces and API keys (admin routes)', () => {
  let t: TestApp;
  let t2: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
    t2 = await startTestApp();
  });
  afterAll(async () => {
    await t?.close();
    await t2?.close();
  });

  it('creates a workspace with its plan tier and a key shown once', async () => {
    const r = await t.admin('POST', '/v1/workspaces', { name: 'Acme', monthly_credits: 25000 });
    expect(r.status).toBe(201);
    expect(r.body).toMatchObject({ name: 'Acme', monthly_credits: 25000, plan_tier: 'Silver' });
    expect(r.body.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(r.body.api_key).toMatch(/^sl_live_/);
    const again = await t.admin('GET', `/v1/workspaces/${r.body.id}`);
    expect(again.status).toBe(200);
    expect(again.body.api_key).toBeUndefined();
    expect(JSON.stringify(again.body)).not.toContain(r.body.api_key);
  });

  it('stores keys hashed, never in clear', async () => {
    const ws = await createWorkspace(t);
    const ds = t.app.get((await import('typeorm')).DataSource);
    const rows: { key_hash: string; key_prefix: string }[] = await ds.query('select key_hash, key_prefix from api_keys where workspace_id = $1', [
      ws.id,
    ]);
    expect(rows).toHaveLength(1);
    expect(rows[0].key_hash).toMatch(/^[0-9a-f]{64}$/);
    expect(rows[0].key_hash).not.toContain(ws.api_key);
    expect(ws.api_key.startsWith(rows[0].key_prefix)).toBe(true);
    expect(rows[0].key_prefix.length).toBeLessThan(16);
  });

  it('derives the plan tier from monthly_credits and updates it', async () => {
    const ws = await createWorkspace(t, { monthly_credits: 1000 });
    expect(ws.plan_tier).toBe('Trial');
    const r = await t.admin('PATCH', `/v1/workspaces/${ws.id}`, { monthly_credits: 600000 });
    expect(r.status).toBe(200);
    expect(r.body.plan_tier).toBe('Platinum');
  });

  it('validates custom limits and accepts a valid set', async () => {
    const ws = await createWorkspace(t);
    const bad = await t.admin('PATCH', `/v1/workspaces/${ws.id}`, { custom_limits: { '/v1/actions': { per_minute: -1 }, bogus: 1 } });
    expect(bad.status).toBe(400);
    expect(bad.body.error.error_label).toBe('VALIDATION_FAILED');
    const ok = await t.admin('PATCH', `/v1/workspaces/${ws.id}`, {
      custom_limits: { '/v1/actions': { per_second: 5, per_minute: 300 }, daily_api_limit: 1000 },
    });
    expect(ok.status).toBe(200);
    expect(ok.body.custom_limits).toMatchObject({ daily_api_limit: 1000 });
  });

  it('refuses admin routes without the admin key, and workspace keys on them', async () => {
    const ws = await createWorkspace(t);
    expect((await t.request('POST', '/v1/workspaces', { body: { name: 'x', monthly_credits: 1 } })).status).toBe(401);
    expect((await t.request('POST', '/v1/workspaces', { key: ws.api_key, body: { name: 'x', monthly_credits: 1 } })).status).toBe(401);
    const r = await t.request('POST', '/v1/workspaces', { key: 'nope', body: { name: 'x', monthly_credits: 1 } });
    expect(r.status).toBe(401);
    expect(r.body.error).toMatchObject({ code: 401, status: 'Unauthorized', error_label: 'UNAUTHORIZED' });
    // X-API-Key works as well as Bearer.
    const viaHeader = await t.request('GET', `/v1/workspaces/${ws.id}`, { headers: { 'x-api-key': ADMIN_KEY } });
    expect(viaHeader.status).toBe(200);
  });

  it('accepts workspace keys as Bearer or X-API-Key', async () => {
    const ws = await createWorkspace(t);
    expect((await t.request('GET', '/v1/identities', { key: ws.api_key })).status).toBe(200);
    expect((await t.request('GET', '/v1/identities', { headers: { 'x-api-key': ws.api_key } })).status).toBe(200);
    expect((await t.request('GET', '/v1/identities', { headers: { authorization: `Basic ${ws.api_key}` } })).status).toBe(401);
  });

  it('revokes a key at once, on this instance and on another', async () => {
    const ws = await createWorkspace(t);
    const extra = await t.admin('POST', `/v1/workspaces/${ws.id}/api-keys`);
    expect(extra.status).toBe(201);
    expect(extra.body.api_key).toMatch(/^sl_live_/);
    // Both instances have the key cached.
    expect((await t.request('GET', '/v1/identities', { key: extra.body.api_key })).status).toBe(200);
    expect((await t2.request('GET', '/v1/identities', { key: extra.body.api_key })).status).toBe(200);
    const del = await t.admin('DELETE', `/v1/workspaces/${ws.id}/api-keys/${extra.body.id}`);
    expect(del.status).toBe(204);
    expect((await t.request('GET', '/v1/identities', { key: extra.body.api_key })).status).toBe(401);
    // The other instance hears it through NOTIFY within moments (no 30 s cache wait).
    let status = 200;
    for (let i = 0; i < 50 && status !== 401; i++) {
      status = (await t2.request('GET', '/v1/identities', { key: extra.body.api_key })).status;
      if (status !== 401) await new Promise((r) => setTimeout(r, 20));
    }
    expect(status).toBe(401);
    // The first key still works.
    expect((await t.request('GET', '/v1/identities', { key: ws.api_key })).status).toBe(200);
  });

  it('answers 404 for unknown workspaces and keys', async () => {
    const ws = await createWorkspace(t);
    expect((await t.admin('PATCH', '/v1/workspaces/00000000-0000-4000-8000-000000000000', { monthly_credits: 5 })).status).toBe(404);
    expect((await t.admin('DELETE', `/v1/workspaces/${ws.id}/api-keys/00000000-0000-4000-8000-000000000000`)).status).toBe(404);
    expect((await t.admin('DELETE', `/v1/workspaces/${ws.id}/api-keys/not-a-uuid`)).status).toBe(404);
    expect((await t.admin('GET', '/v1/workspaces/not-a-uuid')).status).toBe(404);
  });

  it('lists every problem of a bad workspace body', async () => {
    const r = await t.admin('POST', '/v1/workspaces', { name: '', monthly_credits: 'lots', extra: true });
    expect(r.status).toBe(400);
    expect(Object.keys(r.body.error.details).sort()).toEqual(['extra', 'monthly_credits', 'name']);
  });
});
