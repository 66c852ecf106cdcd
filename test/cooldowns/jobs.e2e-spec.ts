import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Redis } from 'ioredis';
import { DataSource } from 'typeorm';
import { RedisKeys } from '../../src/redis/redis-keys.js';
import { createExtraDatabase, startTestRedis, type TestRedis } from '../support/servers.js';
import { createIdentity, createWorkspace, startTestApp, type TestApp } from '../support/test-app.js';
import { waitFor, workerCalls } from './cooldown-helpers.js';

// Real clock, jobs on, a private Redis (flushed and restarted here) and a private database (the
// expiry job ends whatever is due in its database; other test files' cooldowns are not its business).
describe('cooldown jobs with two instances', () => {
  let redis: TestRedis;
  let db: { url: string; drop(): Promise<void> };
  let a: TestApp;
  let b: TestApp | null;
  let client: Redis;
  let ws: { id: string; api_key: string };
  const keyPrefix = `cdjobs${process.pid}`;
  const start = () => startTestApp({ redisUrl: redis.url, databaseUrl: db.url, keyPrefix, env: { JOBS_ENABLED: 'true' } });

  beforeAll(async () => {
    redis = await startTestRedis();
    db = await createExtraDatabase(process.env.SL_TEST_PG_ADMIN_URL!, 'cdjobs');
    [a, b] = await Promise.all([start(), start()]);
    client = new Redis(redis.url, { maxRetriesPerRequest: 1 });
    ws = await createWorkspace(a);
  });
  afterAll(async () => {
    client?.disconnect();
    await b?.close();
    await a?.close();
    await redis?.stop();
    await db?.drop();
  });

  it('ends expired cooldowns within 5 s and records cooldown.ended exactly once', async () => {
    const wa = workerCalls(a, ws.api_key);
    const ids = await Promise.all(Array.from({ length: 12 }, () => createIdentity(a, ws.api_key, { pacing: 'off' }).then((i) => i.id)));
    const started = await Promise.all(ids.map((id) => wa.manual(id, { duration_seconds: 2, reason: 'short pause' })));
    expect(started.map((r) => r.status)).toEqual(ids.map(() => 201));
    expect((await wa.guard(ids[0], 'linkedin-visit-profile', 'during')).status).toBe(429);

    const ds = a.app.get(DataSource);
    const ended = async () => {
      const rows: { n: string }[] = await ds.query(
        `select count(*) as n from cooldowns where identity_id = any($1::uuid[]) and ended_by = 'expiry'`,
        [ids],
      );
      return Number(rows[0].n) === ids.length;
    };
    await waitFor('every cooldown ended by the job', ended, 15_000);

    const events: { identity_id: string; n: string; latest: Date; ends_at: Date; ended_at: Date }[] = await ds.query(
      `select e.identity_id, count(*) as n, max(e.created_at) as latest, max(c.ends_at) as ends_at, max(c.ended_at) as ended_at
       from outbox_events e join cooldowns c on c.id = (e.payload->'cooldown'->>'id')::uuid
       where e.type = 'cooldown.ended' and e.identity_id = any($1::uuid[]) group by e.identity_id`,
      [ids],
    );
    expect(events).toHaveLength(ids.length);
    for (const e of events) {
      expect(Number(e.n)).toBe(1);
      expect(new Date(e.ended_at).getTime()).toBe(new Date(e.ends_at).getTime());
      // Recorded within 5 s of the end (a tick every second, on either instance).
      expect(new Date(e.latest).getTime() - new Date(e.ends_at).getTime()).toBeLessThanOrEqual(5_000);
    }
    const history = await wa.history(ids[0]);
    expect(history.body.data[0]).toMatchObject({ ended_by: 'expiry', active: false });
    expect((await wa.guard(ids[0], 'linkedin-visit-profile', 'after')).status).toBe(200);
    const keys = new RedisKeys(keyPrefix);
    expect(await client.exists(...ids.map((id) => keys.identityCooldown(ws.id, id)))).toBe(0);
  });

  it('puts cooldowns back within 30 s after FLUSHALL', async () => {
    const w = workerCalls(a, ws.api_key);
    const i = await createIdentity(a, ws.api_key, { pacing: 'off' });
    await w.manual(i.id, { duration_seconds: 3600, reason: 'hold' });
    expect((await w.guard(i.id, 'linkedin-visit-profile', 'before')).status).toBe(429);
    const key = new RedisKeys(keyPrefix).identityCooldown(ws.id, i.id);
    await client.flushall();
    expect(await client.exists(key)).toBe(0);
    // Each poll is a new action: a retried id would be answered as a duplicate before any cooldown check.
    let n = 0;
    await waitFor('the mirror re-written', async () => (await w.guard(i.id, 'linkedin-visit-profile', `after-${n++}`)).status === 429, 30_000, 250);
    const pttl = await client.pttl(key);
    expect(pttl).toBeGreaterThan(3_500_000);
    expect(pttl).toBeLessThanOrEqual(3_600_000);
  });

  it('Redis stopped: 503 at once; started again (empty): cooldowns are back without a restart', async () => {
    const w = workerCalls(a, ws.api_key);
    const i = await createIdentity(a, ws.api_key, { pacing: 'off' });
    await w.manual(i.id, { duration_seconds: 3600, reason: 'hold', limit: 'LK_PROFILE_VISITS' });
    await redis.stop();
    const t0 = Date.now();
    const down = await w.guard(i.id, 'linkedin-visit-profile', 'down');
    expect(down.status).toBe(503);
    expect(down.body.error.error_label).toBe('STORE_UNAVAILABLE');
    expect(Date.now() - t0).toBeLessThan(5_000);
    await redis.start();
    // Re-mirrored on the client's 'ready', not on the next 10-second tick.
    let n = 0;
    await waitFor('refused again', async () => (await w.guard(i.id, 'linkedin-visit-profile', `up-${n++}`)).status === 429, 8_000, 100);
    expect((await w.guard(i.id, 'linkedin-message-profile', 'other-limit')).status).toBe(200);
  });

  it('a new instance on an empty Redis mirrors every running cooldown at start (a crash loses none)', async () => {
    const w = workerCalls(a, ws.api_key);
    const i = await createIdentity(a, ws.api_key, { pacing: 'off' });
    await w.outcome(i.id, { action_slug: 'linkedin-visit-profile', status_code: 302, headers: { location: '/checkpoint/challenge/x' } });
    await b!.close();
    b = null;
    await a.close();
    await client.flushall();
    a = await start();
    const key = new RedisKeys(keyPrefix).identityCooldown(ws.id, i.id);
    await waitFor('mirrored at start', async () => (await client.exists(key)) === 1, 5_000, 50);
    expect(await client.pttl(key)).toBe(-1);
    expect(JSON.parse((await client.get(key))!)).toMatchObject({ reason: 'CHALLENGE', scope: 'identity', ends_at: null });
  });
});
