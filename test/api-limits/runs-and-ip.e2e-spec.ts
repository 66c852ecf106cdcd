import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ManualClock } from '../../src/common/clock.js';
import { createWorkspace, startTestApp, type TestApp } from '../support/test-app.js';

const T0 = Date.parse('2026-11-04T10:00:00.000Z');

describe('run leases', () => {
  const clock = new ManualClock(T0);
  let t: TestApp;
  let t2: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ clock, keyPrefix: 'runs' });
    t2 = await startTestApp({ clock, keyPrefix: 'runs' });
  });
  afterAll(async () => {
    await t?.close();
    await t2?.close();
  });

  it('holds exactly the allowed number under concurrency, across instances', async () => {
    clock.set(T0);
    const ws = await createWorkspace(t, { monthly_credits: 1000 }); // Trial: 2 concurrent runs
    await t.admin('PATCH', `/v1/workspaces/${ws.id}`, { custom_limits: { '/v1/workspaces': { per_second: 1000, per_minute: 100000 } } });
    const results = await Promise.all(
      Array.from({ length: 12 }, (_, k) => (k % 2 ? t : t2).request('POST', '/v1/runs', { key: ws.api_key, body: { run_id: `r${k}`, batches: 1 } })),
    );
    expect(results.filter((r) => r.status === 201)).toHaveLength(2);
    const refused = results.filter((r) => r.status === 429);
    expect(refused).toHaveLength(10);
    expect(refused[0].body.error.error_label).toBe('CONCURRENT_RUNS_LIMIT');
    expect(Number(refused[0].headers.get('retry-after'))).toBe(60);
  });

  it('refuses more batches than the tier allows, renews with heartbeats, frees, and expires crashed runs', async () => {
    clock.set(T0);
    const ws = await createWorkspace(t, { monthly_credits: 25_000 }); // Silver: 5 runs, 3 batches
    const take = (run_id: string, batches = 1) => t.request('POST', '/v1/runs', { key: ws.api_key, body: { run_id, batches, lease_seconds: 30 } });
    const over = await take('big', 4);
    expect(over.status).toBe(400);
    expect(over.body.error.error_label).toBe('BATCHES_PER_RUN_EXCEEDED');
    for (let k = 0; k < 5; k++) expect((await take(`s${k}`, 3)).status).toBe(201);
    expect((await take('s5')).status).toBe(429);
    // Taking a slot again with the same run id is idempotent.
    expect((await take('s0')).status).toBe(201);
    // s0 keeps beating; the others crash.
    clock.set(T0 + 20_000);
    const hb = await t.request('POST', '/v1/runs/s0/heartbeat', { key: ws.api_key, body: { lease_seconds: 30 } });
    expect(hb.status).toBe(200);
    expect(hb.body.expires_at).toBe(new Date(T0 + 50_000).toISOString());
    clock.set(T0 + 31_000);
    const after = await take('s6');
    expect(after.status).toBe(201);
    expect(after.body.active_runs).toBe(2);
    expect((await t.request('POST', '/v1/runs/s1/heartbeat', { key: ws.api_key, body: {} })).status).toBe(404);
    expect((await t.request('DELETE', '/v1/runs/s0', { key: ws.api_key })).status).toBe(204);
    expect((await t.request('DELETE', '/v1/runs/s0', { key: ws.api_key })).status).toBe(404);
    const bad = await t.request('POST', '/v1/runs', { key: ws.api_key, body: { run_id: 'bad id!', batches: 0 } });
    expect(bad.status).toBe(400);
    expect(Object.keys(bad.body.error.details).sort()).toEqual(['batches', 'run_id']);
  });
});

describe('per-IP limit before authentication', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ env: { IP_RATE_LIMIT_PER_MINUTE: '5' } });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('answers ip_rate_limited past the per-minute figure, even without a key', async () => {
    const statuses: number[] = [];
    for (let k = 0; k < 5; k++) statuses.push((await t.request('GET', '/v1/identities')).status);
    expect(statuses).toEqual([401, 401, 401, 401, 401]);
    const r = await t.request('GET', '/v1/identities');
    expect(r.status).toBe(429);
    expect(r.body.error).toMatchObject({ code: 429, error_label: 'ip_rate_limited' });
    expect(Number(r.headers.get('retry-after'))).toBeGreaterThan(0);
    // Health probes are never limited.
    expect((await t.request('GET', '/health/live')).status).toBe(200);
  });
});
