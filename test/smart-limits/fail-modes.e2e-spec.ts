import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startTestRedis, type TestRedis } from '../support/servers.js';
import { createIdentity, createWorkspace, startTestApp, type TestApp } from '../support/test-app.js';

async function waitUntil(fn: () => Promise<boolean>): Promise<boolean> {
  for (let k = 0; k < 100; k++) {
    if (await fn()) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return false;
}

describe.each(['closed', 'open'])('Redis unreachable with GUARD_FAIL_MODE=%s', (mode) => {
  let redis: TestRedis;
  let t: TestApp;
  beforeAll(async () => {
    redis = await startTestRedis();
    t = await startTestApp({ redisUrl: redis.url, env: { GUARD_FAIL_MODE: mode } });
  });
  afterAll(async () => {
    await t?.close();
    await redis?.stop();
  });

  it('answers at once (no hang) and recovers without restart', async () => {
    const ws = await createWorkspace(t);
    const i = await createIdentity(t, ws.api_key);
    const guard = (id: string) =>
      t.request('POST', `/v1/identities/${i.id}/actions/linkedin-visit-profile/guard`, { key: ws.api_key, body: { action_id: id } });
    expect((await guard('before')).status).toBe(200);
    await redis.stop();
    const down = await guard('during');
    if (mode === 'closed') {
      expect(down.status).toBe(503);
      expect(down.body.error).toMatchObject({ code: 503, error_label: 'STORE_UNAVAILABLE' });
      expect(down.headers.get('retry-after')).toBe('1');
    } else {
      expect(down.status).toBe(200);
      expect(down.body).toMatchObject({ allowed: true, recorded: false, fail_open: true });
    }
    // Reads are never "fail open": they say the store is down.
    expect((await t.request('GET', `/v1/identities/${i.id}/limits`, { key: ws.api_key })).status).toBe(503);
    await redis.start();
    expect(await waitUntil(async () => (await guard('after')).body.recorded === true)).toBe(true);
    const l = await t.request('GET', `/v1/identities/${i.id}/limits`, { key: ws.api_key });
    // The restarted Redis came back empty: the first guard rebuilt the identity from the journal
    // ('before'), then recorded 'after'; what was allowed while it was down ('during', fail open) was never recorded.
    expect(l.body.limits.find((x: { slug: string }) => x.slug === 'LK_PROFILE_VISITS').consumed).toBe(2);
  });
});
