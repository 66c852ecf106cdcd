import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Redis } from 'ioredis';
import { MetricsService } from '../../src/health/metrics.service.js';
import { JournalService } from '../../src/journal/journal.service.js';
import { startTestRedis, startTestRedisCluster, type TestRedis } from '../support/servers.js';
import { createIdentity, createWorkspace, startTestApp, type TestApp } from '../support/test-app.js';
import { waitFor, workerCalls } from '../cooldowns/cooldown-helpers.js';

const VISIT = 'linkedin-visit-profile';

const rebuilds = async (t: TestApp) => {
  const text = await t.app.get(MetricsService).registry.getSingleMetricAsString('smart_limits_identity_rebuild_seconds');
  return Number(/smart_limits_identity_rebuild_seconds_count (\d+)/.exec(text)?.[1] ?? 0);
};

/**
 * Redis forgets (FLUSHALL, or a restart without persistence): the guard notices in its own call and
 * rebuilds the identity from PostgreSQL before deciding. Its own redis-server: these tests wipe it.
 */
describe('Redis data loss never becomes over-admission', () => {
  let redis: TestRedis;
  let raw: Redis;
  let a: TestApp;
  let b: TestApp;
  let ws: { id: string; api_key: string };

  beforeAll(async () => {
    redis = await startTestRedis();
    raw = new Redis(redis.url, { lazyConnect: false, maxRetriesPerRequest: 1 });
    // Two instances on one Redis and one database (same key prefix: the same Redis state).
    a = await startTestApp({ redisUrl: redis.url, keyPrefix: 'loss' });
    b = await startTestApp({ redisUrl: redis.url, keyPrefix: 'loss' });
    ws = await createWorkspace(a);
  }, 60_000);
  afterAll(async () => {
    raw?.disconnect();
    await a?.close();
    await b?.close();
    await redis?.stop();
  });

  /** An identity at its threshold and one in a cooldown, and what the guard answers each before the loss. */
  async function identitiesAtTheEdge(t: TestApp) {
    const w = workerCalls(t, ws.api_key);
    const full = await createIdentity(t, ws.api_key, { pacing: 'off', limit_overrides: { LK_PROFILE_VISITS: 3 } });
    for (let k = 0; k < 3; k++) expect((await w.guard(full.id, VISIT, `f-${k}`)).status).toBe(200);
    const refused = await w.guard(full.id, VISIT, 'f-before');
    expect(refused.body.error.error_label).toBe('LIMIT_REACHED');
    const cooling = await createIdentity(t, ws.api_key, { pacing: 'off' });
    expect((await w.manual(cooling.id, { duration_seconds: 3600, reason: 'owner travelling' })).status).toBe(201);
    const cooled = await w.guard(cooling.id, VISIT, 'c-before');
    expect(cooled.body.error.error_label).toBe('COOLDOWN');
    // Paced (a 10 min gap): its jitter comes from the recorded member, so a rebuild keeps the same time.
    const paced = await createIdentity(t, ws.api_key, { pacing_overrides: { LK_PROFILE_VISITS: 600 } });
    expect((await w.guard(paced.id, VISIT, 'p-0')).status).toBe(200);
    const soon = await w.guard(paced.id, VISIT, 'p-before');
    expect(soon.body.error.error_label).toBe('TOO_SOON');
    return {
      w,
      full,
      cooling,
      paced,
      availableAt: refused.body.error.details.available_at as string,
      endsAt: cooled.body.error.details.ends_at as string,
      soonAt: soon.body.error.details.available_at as string,
    };
  }

  async function expectRefusedAfterLoss(t: TestApp, s: Awaited<ReturnType<typeof identitiesAtTheEdge>>) {
    const w = workerCalls(t, ws.api_key);
    const full = await w.guard(s.full.id, VISIT, 'f-after');
    expect([full.status, full.body.error?.error_label]).toEqual([429, 'LIMIT_REACHED']);
    expect(full.body.error.details.available_at).toBe(s.availableAt);
    const cooling = await w.guard(s.cooling.id, VISIT, 'c-after');
    expect([cooling.status, cooling.body.error?.error_label]).toEqual([429, 'COOLDOWN']);
    expect(cooling.body.error.details.ends_at).toBe(s.endsAt);
    const paced = await w.guard(s.paced.id, VISIT, 'p-after');
    expect([paced.status, paced.body.error?.error_label]).toEqual([429, 'TOO_SOON']);
    expect(paced.body.error.details.available_at).toBe(s.soonAt);
    // Nothing was admitted: the windows hold what they held, no more.
    const limits = await t.request('GET', `/v1/identities/${s.full.id}/actions/${VISIT}/limits`, { key: ws.api_key });
    expect(limits.body.limits.find((l: any) => l.slug === 'LK_PROFILE_VISITS')).toMatchObject({ consumed: 3, remaining: 0 });
    // Retries of what was recorded before the loss are still duplicates, not new actions.
    const retry = await w.guard(s.full.id, VISIT, 'f-0');
    expect([retry.status, retry.body.duplicate]).toEqual([200, true]);
  }

  it('after FLUSHALL: the very next guard of each is refused, with the same available_at; 0 admitted', async () => {
    const s = await identitiesAtTheEdge(a);
    await raw.flushall();
    await expectRefusedAfterLoss(a, s);
  });

  it('after FLUSHALL: an outreach action in flight still holds the identity until its lease ends (another instance answers)', async () => {
    const w = workerCalls(a, ws.api_key);
    const i = await createIdentity(a, ws.api_key);
    const first = await w.guard(i.id, 'linkedin-connect-profile', 'inv-in-flight');
    expect(first.status).toBe(200);
    const before = await w.guard(i.id, 'linkedin-message-profile', 'msg-before');
    expect(before.body.error).toMatchObject({ error_label: 'IN_FLIGHT', details: { action_id: 'inv-in-flight' } });
    const leaseEnds = before.body.error.details.lease_ends_at as string;
    await new Promise((r) => setTimeout(r, 400)); // past the journal's batch interval
    await raw.flushall();
    const after = await workerCalls(b, ws.api_key).guard(i.id, 'linkedin-message-profile', 'msg-after');
    expect(after.status).toBe(429);
    expect(after.body.error).toMatchObject({
      error_label: 'IN_FLIGHT',
      details: { action_id: 'inv-in-flight', lease_ends_at: leaseEnds, available_at: leaseEnds },
    });
    // Reads are not outreach: they go on; the action's own outcome frees the lease as before.
    expect((await w.guard(i.id, VISIT, 'visit-after')).status).toBe(200);
    await w.outcome(i.id, { action_slug: 'linkedin-connect-profile', action_id: 'inv-in-flight', status_code: 201 });
    expect((await w.guard(i.id, 'linkedin-message-profile', 'msg-after')).status).toBe(200);
    // An identity that acted unpaced takes no lease, and gets none back.
    const unpaced = await createIdentity(a, ws.api_key, { pacing: 'off' });
    expect((await w.guard(unpaced.id, 'linkedin-connect-profile', 'u-1')).status).toBe(200);
    await new Promise((r) => setTimeout(r, 400));
    await raw.flushall();
    expect((await w.guard(unpaced.id, 'linkedin-message-profile', 'u-2')).status).toBe(200);
  });

  it('after Redis is killed and started empty on the same port: the same', async () => {
    const s = await identitiesAtTheEdge(a);
    await redis.stop();
    await redis.start();
    // While the client reconnects the guard answers 503 (fail closed), never 200.
    const w = workerCalls(a, ws.api_key);
    await waitFor(
      'the guard answers again',
      async () => {
        const r = await w.guard(s.full.id, VISIT, 'f-probe');
        expect([429, 503]).toContain(r.status);
        return r.status === 429;
      },
      15_000,
    );
    await expectRefusedAfterLoss(a, s);
  });

  it('two instances, 50 concurrent guards right after a flush: one rebuild, exact counts', async () => {
    const z = await createIdentity(a, ws.api_key, { pacing: 'off', limit_overrides: { LK_PROFILE_VISITS: 30 } });
    // Recorded through both instances: each one's batch must reach the journal before the rebuild reads it.
    for (let k = 0; k < 20; k++) expect((await workerCalls(k % 2 ? a : b, ws.api_key).guard(z.id, VISIT, `z-${k}`)).status).toBe(200);
    await raw.flushall();
    const before = (await rebuilds(a)) + (await rebuilds(b));
    const results = await Promise.all(Array.from({ length: 50 }, (_, k) => workerCalls(k % 2 ? a : b, ws.api_key).guard(z.id, VISIT, `burst-${k}`)));
    const statuses = results.map((r) => r.status);
    expect(statuses.filter((s) => s === 200)).toHaveLength(10);
    expect(statuses.filter((s) => s === 429)).toHaveLength(40);
    expect((await rebuilds(a)) + (await rebuilds(b)) - before).toBe(1);
    const limits = await a.request('GET', `/v1/identities/${z.id}/actions/${VISIT}/limits`, { key: ws.api_key });
    expect(limits.body.limits[0]).toMatchObject({ consumed: 30, remaining: 0 });
  });

  it('releases, backfills and costs are journaled: a rebuild restores exactly what stands', async () => {
    const w = workerCalls(a, ws.api_key);
    const r = await createIdentity(a, ws.api_key, { pacing: 'off' });
    expect((await w.guard(r.id, 'linkedin-extract-search-results', 'r-7', { cost: 7 })).status).toBe(200);
    expect((await w.guard(r.id, VISIT, 'r-released')).status).toBe(200);
    const rel = await a.request('POST', `/v1/identities/${r.id}/actions/${VISIT}/release`, { key: ws.api_key, body: { action_id: 'r-released' } });
    expect(rel.body.released).toBe(true);
    // Recorded again after its release: a new recording, which stands.
    expect((await w.guard(r.id, VISIT, 'r-again')).status).toBe(200);
    expect(
      (await a.request('POST', `/v1/identities/${r.id}/actions/${VISIT}/release`, { key: ws.api_key, body: { action_id: 'r-again' } })).body.released,
    ).toBe(true);
    expect((await w.guard(r.id, VISIT, 'r-again')).body.recorded).toBe(true);
    const occurred = new Date(Date.now() - 3 * 3_600_000).toISOString();
    expect((await w.guard(r.id, VISIT, 'r-backfill', { occurred_at: occurred })).body.recorded).toBe(true);
    const read = async () =>
      Object.fromEntries(
        ((await a.request('GET', `/v1/identities/${r.id}/limits`, { key: ws.api_key })).body.limits as any[]).map((l) => [
          l.slug,
          [l.consumed, l.first_consumption_at],
        ]),
      );
    const before = await read();
    expect(before.LK_SEARCH_RESULTS[0]).toBe(7);
    expect(before.LK_PROFILE_VISITS[0]).toBe(2);
    await raw.flushall();
    // The first guard after the loss rebuilds (a dry run records nothing).
    expect((await w.guard(r.id, VISIT, 'r-dry', { dry_run: true })).status).toBe(200);
    expect(await read()).toEqual(before);

    const listed = (await a.request('GET', `/v1/identities/${r.id}/actions`, { key: ws.api_key })).body.data;
    expect(listed.map((x: any) => [x.action_id, x.kind, x.released_at !== null])).toEqual([
      ['r-again', 'now', false],
      ['r-again', 'now', true],
      ['r-released', 'now', true],
      ['r-7', 'now', false],
      ['r-backfill', 'backfill', false],
    ]);
  });

  it('a new identity needs no rebuild; one whose marker alone is gone gets one, which keeps what the windows hold', async () => {
    const n = await createIdentity(a, ws.api_key, { pacing: 'off' });
    const before = await rebuilds(a);
    expect((await workerCalls(a, ws.api_key).guard(n.id, VISIT, 'n-1')).status).toBe(200);
    expect(await rebuilds(a)).toBe(before);
    await a.app.get(JournalService).flush();
    const marker = (await raw.keys(`loss:{${ws.id}}:i:${n.id}:m2`))[0];
    expect(marker).toBeDefined();
    await raw.del(marker);
    expect((await workerCalls(a, ws.api_key).guard(n.id, VISIT, 'n-2')).status).toBe(200);
    expect(await rebuilds(a)).toBe(before + 1);
    const limits = await a.request('GET', `/v1/identities/${n.id}/actions/${VISIT}/limits`, { key: ws.api_key });
    expect(limits.body.limits[0]).toMatchObject({ consumed: 2 });
  });
});

describe('Redis Cluster data loss', () => {
  let cluster: { nodes: string; stop(): Promise<void> };
  let t: TestApp;

  beforeAll(async () => {
    cluster = await startTestRedisCluster();
    t = await startTestApp({ env: { REDIS_CLUSTER_NODES: cluster.nodes } });
  }, 90_000);
  afterAll(async () => {
    await t?.close();
    await cluster?.stop();
  });

  it('every node flushed: the rebuild runs on the identity slot, and the next guard is refused as before', async () => {
    const ws = await createWorkspace(t);
    const w = workerCalls(t, ws.api_key);
    const full = await createIdentity(t, ws.api_key, { pacing: 'off', limit_overrides: { LK_PROFILE_VISITS: 2 } });
    for (let k = 0; k < 2; k++) expect((await w.guard(full.id, VISIT, `cf-${k}`)).status).toBe(200);
    const before = await w.guard(full.id, VISIT, 'cf-before');
    expect(before.body.error.error_label).toBe('LIMIT_REACHED');
    for (const node of cluster.nodes.split(',')) {
      const [host, port] = node.split(':');
      const c = new Redis({ host, port: Number(port) });
      await c.flushall();
      c.disconnect();
    }
    const after = await w.guard(full.id, VISIT, 'cf-after');
    expect([after.status, after.body.error?.error_label]).toEqual([429, 'LIMIT_REACHED']);
    expect(after.body.error.details.available_at).toBe(before.body.error.details.available_at);
  });
});
