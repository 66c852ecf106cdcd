import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startTestRedisCluster } from '../support/servers.js';
import { createIdentity, createWorkspace, startTestApp, type TestApp } from '../support/test-app.js';

async function hammer(apps: TestApp[], key: string, identityId: string, n: number) {
  const results = await Promise.all(
    Array.from({ length: n }, (_, k) =>
      apps[k % apps.length].request('POST', `/v1/identities/${identityId}/actions/linkedin-visit-profile/guard`, {
        key,
        body: { action_id: `c-${k}` },
      }),
    ),
  );
  return {
    allowed: results.filter((r) => r.status === 200 && r.body.recorded).length,
    refused: results.filter((r) => r.status === 429 && r.body.error.error_label === 'LIMIT_REACHED').length,
    other: results.filter((r) => r.status !== 200 && r.status !== 429).map((r) => `${r.status} ${r.text}`),
  };
}

describe('exactness under concurrency: two instances, one Redis', () => {
  let a: TestApp;
  let b: TestApp;
  beforeAll(async () => {
    a = await startTestApp({ keyPrefix: 'conc' });
    b = await startTestApp({ keyPrefix: 'conc' });
  });
  afterAll(async () => {
    await a?.close();
    await b?.close();
  });

  it.each([
    [60, 25],
    [10, 25],
    [25, 25],
  ])('%i concurrent guards on a limit of %i admit exactly min(N, L)', async (n, limit) => {
    const ws = await createWorkspace(a, { monthly_credits: 50_000_000 });
    const i = await createIdentity(a, ws.api_key, { pacing: 'off', limit_overrides: { LK_PROFILE_VISITS: limit } });
    const r = await hammer([a, b], ws.api_key, i.id, n);
    expect(r.other).toEqual([]);
    expect(r.allowed).toBe(Math.min(n, limit));
    expect(r.refused).toBe(n - Math.min(n, limit));
    const l = await b.request('GET', `/v1/identities/${i.id}/limits`, { key: ws.api_key });
    expect(l.body.limits.find((x: { slug: string }) => x.slug === 'LK_PROFILE_VISITS').consumed).toBe(Math.min(n, limit));
  });
});

describe('exactness under concurrency: Redis Cluster (6 nodes)', () => {
  let cluster: { nodes: string; stop(): Promise<void> };
  let a: TestApp;
  let b: TestApp;
  beforeAll(async () => {
    cluster = await startTestRedisCluster();
    a = await startTestApp({ env: { REDIS_CLUSTER_NODES: cluster.nodes } });
    b = await startTestApp({ env: { REDIS_CLUSTER_NODES: cluster.nodes } });
  }, 60_000);
  afterAll(async () => {
    await a?.close();
    await b?.close();
    await cluster?.stop();
  });

  it('admits exactly min(N, L) across instances, every key of a call on one slot', async () => {
    for (let w = 0; w < 3; w++) {
      // Several workspaces land on different slots (and nodes) of the cluster.
      const ws = await createWorkspace(a, { monthly_credits: 50_000_000 });
      const i = await createIdentity(a, ws.api_key, { pacing: 'off', limit_overrides: { LK_PROFILE_VISITS: 20 } });
      const r = await hammer([a, b], ws.api_key, i.id, 50);
      expect(r.other).toEqual([]);
      expect(r.allowed).toBe(20);
      expect(r.refused).toBe(30);
      const multi = await a.request('POST', `/v1/identities/${i.id}/actions/linkedin-message-profile/guard`, {
        key: ws.api_key,
        body: { action_id: 'm' },
      });
      expect(multi.status).toBe(200);
      const read = await b.request('GET', `/v1/identities/${i.id}/limits`, { key: ws.api_key });
      expect(read.status).toBe(200);
      const auto = await a.request('POST', '/v1/actions/linkedin-like-post/guard', { key: ws.api_key, body: { action_id: 'auto' } });
      expect(auto.status).toBe(200);
    }
  });
});
