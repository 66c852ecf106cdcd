import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { type LocalServer, startPrivatePostgres } from '../../src/bootstrap/local-servers.js';
import { createIdentity, createWorkspace, startTestApp, type TestApp } from '../support/test-app.js';
import { LINKEDIN_429, workerCalls } from './cooldown-helpers.js';

// A PostgreSQL of its own, stopped halfway: the shared one must keep serving the other tests.
describe('PostgreSQL unreachable', () => {
  let dir: string;
  let pg: LocalServer;
  let t: TestApp;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'sl-cd-pg-'));
    pg = await startPrivatePostgres(join(dir, 'pg'));
    t = await startTestApp({ databaseUrl: pg.url, env: { DASHBOARD_REFRESH_SECONDS: '1' } });
  }, 120_000);
  afterAll(async () => {
    await t?.close();
    await pg?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('the guard keeps answering from Redis; outcome reports get 503 STORE_UNAVAILABLE, nothing half-applied', async () => {
    const ws = await createWorkspace(t);
    const w = workerCalls(t, ws.api_key);
    const cooling = await createIdentity(t, ws.api_key, { pacing: 'off' });
    const healthy = await createIdentity(t, ws.api_key, { pacing: 'off' });
    expect((await w.outcome(cooling.id, { action_slug: 'linkedin-connect-profile', ...LINKEDIN_429 })).body.effect).toBe('started');
    expect((await w.guard(cooling.id, 'linkedin-connect-profile', 'c-0')).status).toBe(429);
    expect((await w.guard(healthy.id, 'linkedin-connect-profile', 'h-0')).status).toBe(200);

    const overview = await t.request('GET', '/v1/dashboard', { key: ws.api_key });
    expect(overview.body.counts).toMatchObject({ total: 2, cooldown: 1 });

    await pg.stop();

    // Past the identity cache's freshness: the guard falls back to the copies it holds.
    await new Promise((r) => setTimeout(r, 5_500));
    for (let n = 1; n <= 3; n++) {
      const refused = await w.guard(cooling.id, 'linkedin-connect-profile', `c-${n}`);
      expect(refused.status).toBe(429);
      expect(refused.body.error.error_label).toBe('COOLDOWN');
      const allowed = await w.guard(healthy.id, 'linkedin-connect-profile', `h-${n}`);
      expect(allowed.status).toBe(200);
      expect(allowed.body.recorded).toBe(true);
    }

    const report = await w.outcome(healthy.id, { action_slug: 'linkedin-connect-profile', ...LINKEDIN_429 });
    expect(report.status).toBe(503);
    expect(report.body.error).toMatchObject({ code: 503, error_label: 'STORE_UNAVAILABLE', details: { store: 'postgres', retryable: true } });
    expect(report.headers.get('retry-after')).toBe('1');
    // Nothing reached Redis either: the identity is not cooling down.
    expect((await w.guard(healthy.id, 'linkedin-connect-profile', 'h-after')).status).toBe(200);
    // A success needs no database.
    expect((await w.outcome(healthy.id, { action_slug: 'linkedin-connect-profile', status_code: 201 })).status).toBe(200);
    expect((await w.history(cooling.id)).status).toBe(503);

    // The dashboard: an identity's live health needs the database (503, bounded); the overview
    // keeps serving its last snapshot, which says how old it is.
    const health = await t.request('GET', `/v1/identities/${cooling.id}/health`, { key: ws.api_key });
    expect(health.status).toBe(503);
    expect(health.body.error).toMatchObject({ error_label: 'STORE_UNAVAILABLE', details: { store: 'postgres' } });
    const stale = await t.request('GET', '/v1/dashboard', { key: ws.api_key });
    expect(stale.status).toBe(200);
    expect(stale.body.generated_at).toBe(overview.body.generated_at);
    expect(stale.body.identities).toEqual(overview.body.identities);
  });
});
