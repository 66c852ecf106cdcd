import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createIdentity, createWorkspace, startTestApp, type TestApp } from '../support/test-app.js';

describe('CATALOG_FILE extends the catalog at boot', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sl-catalog-'));
  const file = join(dir, 'catalog.json');
  let t: TestApp;
  beforeAll(async () => {
    writeFileSync(
      file,
      JSON.stringify({
        limits: [
          {
            slug: 'LK_EVENT_INVITES',
            name: 'Event invitations',
            window_seconds: 86400,
            default_max: { free: 2, premium: 4, sales_navigator: 4, recruiter: 4 },
            min_gap_seconds: 45,
            jitter_seconds: 5,
            bursts: [{ window_seconds: 600, max: 1 }],
          },
        ],
        actions: [
          {
            slug: 'linkedin-invite-to-event',
            limits: ['LK_EVENT_INVITES'],
            account_types: ['free', 'premium', 'sales_navigator', 'recruiter'],
            single_flight: true,
          },
        ],
      }),
    );
    t = await startTestApp({ env: { CATALOG_FILE: file } });
  });
  afterAll(async () => {
    await t?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('serves and enforces the added action and limit', async () => {
    const ws = await createWorkspace(t);
    const c = await t.request('GET', '/v1/catalog', { key: ws.api_key });
    expect(c.body.limits).toHaveLength(18);
    expect(c.body.limits.find((l: { slug: string }) => l.slug === 'LK_EVENT_INVITES')).toMatchObject({
      min_gap_seconds: 45,
      jitter_seconds: 5,
      bursts: [{ window_seconds: 600, max: 1 }],
      per_action: false,
    });
    expect(c.body.actions.find((a: { slug: string }) => a.slug === 'linkedin-invite-to-event')).toMatchObject({ single_flight: true });
    expect(c.body.pacing).toEqual({ in_flight_seconds: 120, start_jitter_minutes: 30 });
    const i = await createIdentity(t, ws.api_key, { limit_overrides: { LK_EVENT_INVITES: 1 } });
    const g = (id: string) =>
      t.request('POST', `/v1/identities/${i.id}/actions/linkedin-invite-to-event/guard`, { key: ws.api_key, body: { action_id: id } });
    expect((await g('e1')).status).toBe(200);
    expect((await g('e2')).status).toBe(429);
  });

  it('refuses to start with an invalid catalog file, naming the problem', async () => {
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, JSON.stringify({ limits: [{ slug: 'bad slug', window_seconds: -1 }] }));
    await expect(startTestApp({ env: { CATALOG_FILE: bad } })).rejects.toThrow(/bad\.json/);
  });
});
