import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Redis } from 'ioredis';
import { IdentitiesRepository } from '../../src/identities/identities.repository.js';
import { IdentitiesService } from '../../src/identities/identities.service.js';
import { RedisKeys } from '../../src/redis/redis-keys.js';
import { createIdentity, createWorkspace, startTestApp, type TestApp } from '../support/test-app.js';

describe('identities', () => {
  let t: TestApp;
  let a: { id: string; api_key: string };
  let b: { id: string; api_key: string };
  beforeAll(async () => {
    t = await startTestApp();
    a = await createWorkspace(t, { name: 'A' });
    b = await createWorkspace(t, { name: 'B' });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('creates with defaults and reads back', async () => {
    const r = await t.request('POST', '/v1/identities', { key: a.api_key, body: { external_id: 'li-1' } });
    expect(r.status).toBe(201);
    expect(r.body).toMatchObject({
      external_id: 'li-1',
      label: null,
      mode: 'standard',
      account_type: 'free',
      timezone: 'UTC',
      warmup: 'standard',
      level: 'standard',
      limit_overrides: {},
      status: 'active',
    });
    const g = await t.request('GET', `/v1/identities/${r.body.id}`, { key: a.api_key });
    expect(g.status).toBe(200);
    expect(g.body).toEqual(r.body);
  });

  it('creates with every field', async () => {
    const body = {
      external_id: 'li-full',
      label: 'Alice',
      mode: 'engagement',
      account_type: 'sales_navigator',
      timezone: 'Europe/Paris',
      warmup: 'cold',
      warmup_started_at: '2026-11-01T00:00:00.000Z',
      level: 'conservative',
      limit_overrides: { LK_INVITATIONS_SENT: 10, LK_PROFILE_VISITS: 0 },
    };
    const r = await t.request('POST', '/v1/identities', { key: a.api_key, body });
    expect(r.status).toBe(201);
    expect(r.body).toMatchObject(body);
  });

  it('refuses a duplicate external_id in the same workspace but not in another', async () => {
    await createIdentity(t, a.api_key, { external_id: 'dup' });
    const again = await t.request('POST', '/v1/identities', { key: a.api_key, body: { external_id: 'dup' } });
    expect(again.status).toBe(409);
    expect(again.body.error.error_label).toBe('CONFLICT');
    expect((await t.request('POST', '/v1/identities', { key: b.api_key, body: { external_id: 'dup' } })).status).toBe(201);
  });

  it.each([
    ['external_id', { external_id: '' }],
    ['external_id', { external_id: 42 }],
    ['mode', { external_id: 'x1', mode: 'turbo' }],
    ['account_type', { external_id: 'x2', account_type: 'gold' }],
    ['timezone', { external_id: 'x3', timezone: 'Mars/Olympus' }],
    ['timezone', { external_id: 'x3b', timezone: 'EST5EDT-nope' }],
    ['warmup', { external_id: 'x4', warmup: 'hot' }],
    ['warmup_started_at', { external_id: 'x5', warmup_started_at: 'yesterday' }],
    ['level', { external_id: 'x6', level: 'reckless' }],
    ['limit_overrides', { external_id: 'x7', limit_overrides: { LK_NOPE: 3 } }],
    ['limit_overrides', { external_id: 'x8', limit_overrides: { LK_INVITATIONS_SENT: -1 } }],
    ['limit_overrides', { external_id: 'x9', limit_overrides: { LK_INVITATIONS_SENT: 1.5 } }],
    ['limit_overrides', { external_id: 'x10', limit_overrides: [1] }],
    ['label', { external_id: 'x11', label: 7 }],
    ['status', { external_id: 'x12', status: 'zombie' }],
    ['unknown', { external_id: 'x13', unknown: true }],
  ])('400 naming %s', async (field, body) => {
    const r = await t.request('POST', '/v1/identities', { key: a.api_key, body });
    expect(r.status).toBe(400);
    expect(r.body.error).toMatchObject({ code: 400, status: 'Bad Request', error_label: 'VALIDATION_FAILED' });
    expect(Object.keys(r.body.error.details)).toContain(field);
  });

  it('lists every problem at once', async () => {
    const r = await t.request('POST', '/v1/identities', {
      key: a.api_key,
      body: { mode: 'x', account_type: 'y', timezone: 'z', level: 'w', extra: 1 },
    });
    expect(r.status).toBe(400);
    expect(Object.keys(r.body.error.details).sort()).toEqual(['account_type', 'external_id', 'extra', 'level', 'mode', 'timezone']);
  });

  it('refuses a body that is not JSON, and a missing body', async () => {
    const bad = await t.request('POST', '/v1/identities', {
      key: a.api_key,
      raw: '{"external_id": ',
      headers: { 'content-type': 'application/json' },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe(400);
    const none = await t.request('POST', '/v1/identities', { key: a.api_key });
    expect(none.status).toBe(400);
    const arr = await t.request('POST', '/v1/identities', { key: a.api_key, body: [1, 2] });
    expect(arr.status).toBe(400);
  });

  it('answers 413 over 64 KiB without recording anything', async () => {
    const before = await t.request('GET', '/v1/identities?limit=200', { key: b.api_key });
    const r = await t.request('POST', '/v1/identities', { key: b.api_key, body: { external_id: 'big', label: 'x'.repeat(70 * 1024) } });
    expect(r.status).toBe(413);
    expect(r.body.error).toMatchObject({ code: 413, error_label: 'PAYLOAD_TOO_LARGE' });
    const after = await t.request('GET', '/v1/identities?limit=200', { key: b.api_key });
    expect(after.body.data.length).toBe(before.body.data.length);
  });

  it('pages with a cursor and filters by mode and status', async () => {
    const ws = await createWorkspace(t);
    const ids: string[] = [];
    for (let i = 0; i < 7; i++) {
      ids.push((await createIdentity(t, ws.api_key, { mode: i % 2 ? 'engagement' : 'standard', status: i === 0 ? 'paused' : 'active' })).id);
    }
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const q: string = cursor ? `&cursor=${cursor}` : '';
      const r = await t.request('GET', `/v1/identities?limit=3${q}`, { key: ws.api_key });
      expect(r.status).toBe(200);
      seen.push(...r.body.data.map((x: { id: string }) => x.id));
      cursor = r.body.next_cursor;
      pages++;
    } while (cursor);
    expect(pages).toBe(3);
    expect(seen.sort()).toEqual([...ids].sort());
    const eng = await t.request('GET', '/v1/identities?mode=engagement', { key: ws.api_key });
    expect(eng.body.data).toHaveLength(3);
    const paused = await t.request('GET', '/v1/identities?status=paused', { key: ws.api_key });
    expect(paused.body.data).toHaveLength(1);
    expect((await t.request('GET', '/v1/identities?limit=0', { key: ws.api_key })).status).toBe(400);
    expect((await t.request('GET', '/v1/identities?limit=abc', { key: ws.api_key })).status).toBe(400);
    expect((await t.request('GET', '/v1/identities?cursor=garbage', { key: ws.api_key })).status).toBe(400);
    expect((await t.request('GET', '/v1/identities?mode=weird', { key: ws.api_key })).status).toBe(400);
    expect((await t.request('GET', '/v1/identities?foo=1', { key: ws.api_key })).status).toBe(400);
  });

  it('updates fields and validates updates', async () => {
    const i = await createIdentity(t, a.api_key);
    const r = await t.request('PATCH', `/v1/identities/${i.id}`, { key: a.api_key, body: { level: 'aggressive', mode: 'engagement', label: 'Bob' } });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ level: 'aggressive', mode: 'engagement', label: 'Bob' });
    const bad = await t.request('PATCH', `/v1/identities/${i.id}`, { key: a.api_key, body: { timezone: 'Nowhere/City', id: 'x' } });
    expect(bad.status).toBe(400);
    expect(Object.keys(bad.body.error.details).sort()).toEqual(['id', 'timezone']);
  });

  it('the guard’s identity read: concurrent misses share one query, and a change made while it runs is not cached', async () => {
    const i = await createIdentity(t, a.api_key, { label: 'before' });
    const service = t.app.get(IdentitiesService);
    const repo = t.app.get(IdentitiesRepository);
    const real = repo.findInWorkspace.bind(repo);
    let queries = 0;
    // One read can be held back (the next one after `hold` is set); every other goes through.
    let hold: Promise<void> | null = null;
    repo.findInWorkspace = async (ws: string, id: string) => {
      queries++;
      const h = hold;
      hold = null;
      const row = await real(ws, id);
      if (h) await h;
      return row;
    };
    try {
      // The creation's own read may have cached it: a change empties the cache first.
      await t.request('PATCH', `/v1/identities/${i.id}`, { key: a.api_key, body: { label: 'cold' } });
      queries = 0;
      const read = await Promise.all(Array.from({ length: 50 }, () => service.getCached(a.id, i.id)));
      expect(queries).toBe(1);
      expect(new Set(read).size).toBe(1);
      expect(read[0].label).toBe('cold');
      // A read held back while the identity changes: its (older) row is answered but not kept.
      await t.request('PATCH', `/v1/identities/${i.id}`, { key: a.api_key, body: { label: 'again' } });
      let open!: () => void;
      hold = new Promise((r) => (open = r));
      const slow = service.getCached(a.id, i.id);
      await new Promise((r) => setTimeout(r, 50));
      await t.request('PATCH', `/v1/identities/${i.id}`, { key: a.api_key, body: { label: 'after' } });
      open();
      expect((await slow).label).toBe('again');
      expect((await service.getCached(a.id, i.id)).label).toBe('after');
    } finally {
      repo.findInWorkspace = real;
    }
  });

  it('isolates workspaces on every identity route (404, nothing changed)', async () => {
    const i = await createIdentity(t, a.api_key, { label: 'mine' });
    const other = b.api_key;
    expect((await t.request('GET', `/v1/identities/${i.id}`, { key: other })).status).toBe(404);
    expect((await t.request('PATCH', `/v1/identities/${i.id}`, { key: other, body: { label: 'stolen' } })).status).toBe(404);
    expect((await t.request('DELETE', `/v1/identities/${i.id}`, { key: other })).status).toBe(404);
    const list = await t.request('GET', '/v1/identities?limit=200', { key: other });
    expect(list.body.data.map((x: { id: string }) => x.id)).not.toContain(i.id);
    const still = await t.request('GET', `/v1/identities/${i.id}`, { key: a.api_key });
    expect(still.body.label).toBe('mine');
    const nf = await t.request('GET', '/v1/identities/not-a-uuid', { key: a.api_key });
    expect(nf.status).toBe(404);
    expect(nf.body.error.error_label).toBe('NOT_FOUND');
  });

  it('deletes the identity and its Redis state', async () => {
    const i = await createIdentity(t, a.api_key);
    const keys = new RedisKeys(t.config.redis.keyPrefix);
    const redis = new Redis(t.config.redis.url!);
    const wkey = keys.window(a.id, i.id, 'LK_PROFILE_VISITS');
    await redis.zadd(wkey, Date.now(), 'a1');
    await redis.set(keys.identityCooldown(a.id, i.id), '{}');
    const del = await t.request('DELETE', `/v1/identities/${i.id}`, { key: a.api_key });
    expect(del.status).toBe(204);
    expect(await redis.exists(wkey, keys.identityCooldown(a.id, i.id))).toBe(0);
    expect((await t.request('GET', `/v1/identities/${i.id}`, { key: a.api_key })).status).toBe(404);
    await redis.quit();
  });

  it('requires a key', async () => {
    const r = await t.request('GET', '/v1/identities');
    expect(r.status).toBe(401);
    expect(r.body.error.error_label).toBe('UNAUTHORIZED');
  });
});
