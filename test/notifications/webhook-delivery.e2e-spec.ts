import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import pg from 'pg';
import { ManualClock } from '../../src/common/clock.js';
import { DEFAULT_RETRY_POLICY } from '../../src/notifications/retry-policy.js';
import { verifySignature } from 'smart-limits-client/webhooks';
import { WebhookDispatcher } from '../../src/notifications/webhook-dispatcher.js';
import { createExtraDatabase } from '../support/servers.js';
import { createIdentity, createWorkspace, startTestApp, type TestApp } from '../support/test-app.js';
import { type Receiver, startReceiver } from './receiver.js';

/**
 * The dispatcher driven by hand under a ManualClock: each `runOnce()` sends what is due at the
 * clock's time, so backoff and the 24-hour horizon are checked without waiting.
 */
describe('webhook delivery', () => {
  const clock = new ManualClock(Date.parse('2026-11-23T08:00:00Z'));
  let db: { url: string; drop(): Promise<void> };
  let sql: pg.Client;
  let t: TestApp;
  let receiver: Receiver;
  const dispatch = () => t.app.get(WebhookDispatcher).runOnce();

  beforeAll(async () => {
    db = await createExtraDatabase(process.env.SL_TEST_PG_ADMIN_URL!, 'whdel');
    t = await startTestApp({ databaseUrl: db.url, clock, env: { WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'true' } });
    sql = new pg.Client({ connectionString: db.url });
    await sql.connect();
    receiver = await startReceiver();
  });
  afterAll(async () => {
    await t?.close();
    await sql?.end();
    await receiver?.close();
    await db?.drop();
  });

  /** What a producer (cooldowns, API limits) does: one outbox row, in its own transaction. */
  async function emit(workspaceId: string, type: string, identityId: string | null, payload: Record<string, unknown>): Promise<string> {
    const r = await sql.query(`insert into outbox_events (workspace_id, type, identity_id, payload) values ($1, $2, $3, $4) returning id`, [
      workspaceId,
      type,
      identityId,
      payload,
    ]);
    return r.rows[0].id;
  }

  async function setup(events = ['cooldown.started', 'cooldown.ended']) {
    const ws = await createWorkspace(t);
    const hook = await t.request('POST', '/v1/webhooks', { key: ws.api_key, body: { url: receiver.url, events } });
    expect(hook.status).toBe(201);
    return { ws, hook: hook.body as { id: string; secret: string } };
  }

  const deliveries = async (key: string, hookId: string) =>
    (await t.request('GET', `/v1/webhooks/${hookId}/deliveries?limit=100`, { key })).body.data as any[];

  it('delivers every event after a receiver outage, in order per identity', async () => {
    const { ws, hook } = await setup();
    const [a, b] = [await createIdentity(t, ws.api_key, { pacing: 'off' }), await createIdentity(t, ws.api_key, { pacing: 'off' })];
    await receiver.down();
    const sent: Record<string, string[]> = { [a.id]: [], [b.id]: [] };
    for (let n = 0; n < 5; n++) {
      for (const who of [a, b]) {
        sent[who.id].push(await emit(ws.id, n % 2 ? 'cooldown.ended' : 'cooldown.started', who.id, { n, cooldown: { id: `c${n}` } }));
      }
    }
    // Not subscribed: never delivered.
    await emit(ws.id, 'limit.warning', a.id, {});

    // Down: only the head of each identity's queue is tried; the rest wait behind it.
    expect(await dispatch()).toBe(2);
    clock.advance(10 * 60_000);
    expect(await dispatch()).toBe(2);
    let ds = await deliveries(ws.api_key, hook.id);
    expect(ds).toHaveLength(10);
    const tried = ds.filter((d) => d.attempts.length > 0);
    expect(tried.map((d) => d.event_id).sort()).toEqual([sent[a.id][0], sent[b.id][0]].sort());
    expect(
      tried.every(
        (d) =>
          d.status === 'pending' && d.attempts.length === 2 && d.attempts.every((x: any) => x.status_code === null && /ECONNREFUSED/.test(x.error)),
      ),
    ).toBe(true);

    await receiver.up();
    clock.advance(60 * 60_000);
    await dispatch();
    const mine = receiver.received.filter((r) => r.body.workspace_id === ws.id);
    for (const who of [a, b]) {
      expect(mine.filter((r) => r.body.data.identity_id === who.id).map((r) => r.body.id)).toEqual(sent[who.id]);
    }
    expect(mine).toHaveLength(10);
    for (const r of mine) expect(verifySignature(hook.secret, r.headers['smartlimits-signature'] as string, r.raw, { now: clock.now() })).toBe(true);
    ds = await deliveries(ws.api_key, hook.id);
    expect(ds.every((d) => d.status === 'delivered')).toBe(true);
  });

  it("does not overtake an identity's event that another instance is still fanning out", async () => {
    const { ws } = await setup();
    const who = await createIdentity(t, ws.api_key, { pacing: 'off' });
    const first = await emit(ws.id, 'cooldown.started', who.id, {});
    const second = await emit(ws.id, 'cooldown.ended', who.id, {});
    // Another instance's fan-out holds the first event (row locked, not yet dispatched).
    const other = new pg.Client({ connectionString: db.url });
    await other.connect();
    try {
      await other.query('begin');
      await other.query('select id from outbox_events where id = $1 for update', [first]);
      await dispatch();
      expect(receiver.received.some((r) => r.body.id === second)).toBe(false);
    } finally {
      await other.query('rollback');
      await other.end();
    }
    await dispatch();
    expect(receiver.received.filter((r) => r.body.workspace_id === ws.id).map((r) => r.body.id)).toEqual([first, second]);
  });

  it('backs off exponentially with jitter, then fails the delivery at the 24-hour horizon', async () => {
    const { ws, hook } = await setup(['quota.warning']);
    const doomed = await emit(ws.id, 'quota.warning', null, { group: '/v1/actions' });
    receiver.answer = (r) => (r.body.id === doomed ? 503 : 204);
    try {
      const start = clock.now().getTime();
      for (let i = 0; i < 200; i++) {
        await dispatch();
        const [d] = await deliveries(ws.api_key, hook.id);
        if (d.status !== 'pending') break;
        clock.set(Date.parse(d.next_attempt_at));
      }
      const [d] = await deliveries(ws.api_key, hook.id);
      expect(d.status).toBe('failed');
      expect(d.next_attempt_at).toBeNull();
      expect(d.attempts.every((a: any) => a.status_code === 503 && a.error.startsWith('HTTP 503'))).toBe(true);
      const times = d.attempts.map((a: any) => Date.parse(a.attempted_at));
      expect(times[0]).toBe(start);
      // The last attempt is at the horizon, not before, not after.
      expect(times[times.length - 1] - times[0]).toBe(DEFAULT_RETRY_POLICY.horizonMs);
      const gaps = times.slice(1).map((x: number, i: number) => x - times[i]);
      // Waits double (between half and all of base·2^(n−1)) up to the cap, and never shrink
      // except the final one, cut short by the horizon.
      for (let n = 1; n <= 6; n++) {
        const full = DEFAULT_RETRY_POLICY.baseDelayMs * 2 ** (n - 1);
        expect(gaps[n - 1]).toBeGreaterThanOrEqual(full / 2);
        expect(gaps[n - 1]).toBeLessThanOrEqual(full);
      }
      for (const g of gaps.slice(0, -1)) expect(g).toBeLessThanOrEqual(DEFAULT_RETRY_POLICY.maxDelayMs);
      expect(new Set(gaps.slice(0, 6)).size).toBeGreaterThan(1);
      expect(times.length).toBeGreaterThan(20);
      // Nothing more is tried once failed.
      clock.advance(48 * 3600_000);
      await dispatch();
      expect((await deliveries(ws.api_key, hook.id))[0].attempts).toHaveLength(times.length);
    } finally {
      receiver.answer = () => 204;
    }
  });

  it("lets an identity's later events through once an earlier one has failed for good", async () => {
    const { ws, hook } = await setup();
    const who = await createIdentity(t, ws.api_key, { pacing: 'off' });
    const first = await emit(ws.id, 'cooldown.started', who.id, { n: 1 });
    const second = await emit(ws.id, 'cooldown.ended', who.id, { n: 2 });
    receiver.answer = (r) => (r.body.id === first ? 500 : 204);
    try {
      for (let i = 0; i < 200 && !receiver.received.some((r) => r.body.id === second); i++) {
        await dispatch();
        clock.advance(DEFAULT_RETRY_POLICY.maxDelayMs);
      }
      const ds = await deliveries(ws.api_key, hook.id);
      expect(ds.find((d) => d.event_id === first).status).toBe('failed');
      const secondDelivery = ds.find((d) => d.event_id === second);
      expect(secondDelivery.status).toBe('delivered');
      // It waited for the first to be settled.
      const failedAt = Math.max(...ds.find((d) => d.event_id === first).attempts.map((a: any) => Date.parse(a.attempted_at)));
      expect(Date.parse(secondDelivery.attempts[0].attempted_at)).toBeGreaterThanOrEqual(failedAt);
    } finally {
      receiver.answer = () => 204;
    }
  });

  it('checks the target again at delivery time (refused when it is private and that is not allowed)', async () => {
    // Registered on an instance that allows private networks, delivered by one that does not.
    const strict = await startTestApp({ databaseUrl: db.url, clock });
    try {
      const { ws, hook } = await setup(['cooldown.started']);
      const id = await emit(ws.id, 'cooldown.started', null, {});
      await strict.app.get(WebhookDispatcher).runOnce();
      const [d] = await deliveries(ws.api_key, hook.id);
      expect(d.event_id).toBe(id);
      expect(d.status).toBe('pending');
      expect(d.attempts[0]).toMatchObject({
        status_code: null,
        error: expect.stringContaining('refused: url must not point to a loopback, private'),
      });
      expect(receiver.received.some((r) => r.body.id === id)).toBe(false);
    } finally {
      await strict.close();
    }
  });

  it('does not follow redirects and records non-2xx answers', async () => {
    const { ws, hook } = await setup(['cooldown.started']);
    await emit(ws.id, 'cooldown.started', null, {});
    receiver.answer = () => 302;
    try {
      await dispatch();
    } finally {
      receiver.answer = () => 204;
    }
    const [d] = await deliveries(ws.api_key, hook.id);
    expect(d.attempts[0]).toMatchObject({ status_code: 302, error: 'HTTP 302: redirects are not followed' });
    expect(d.status).toBe('pending');
  });

  it('records limit.warning and limit.reached from the guard, reached once per fill', async () => {
    const { ws, hook } = await setup(['limit.warning', 'limit.reached']);
    const who = await createIdentity(t, ws.api_key, { pacing: 'off', limit_overrides: { LK_PROFILE_VISITS: 5 } });
    for (let n = 1; n <= 7; n++) {
      const r = await t.request('POST', `/v1/identities/${who.id}/actions/linkedin-visit-profile/guard`, {
        key: ws.api_key,
        body: { action_id: `v${n}` },
      });
      expect(r.status).toBe(n <= 5 ? 200 : 429);
    }
    // The events are written off the request path: wait for both rows.
    for (let i = 0; i < 100; i++) {
      const { rows } = await sql.query(`select count(*)::int as n from outbox_events where identity_id = $1`, [who.id]);
      if (rows[0].n >= 2) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    await dispatch();
    const got = receiver.received.filter((r) => r.body.workspace_id === ws.id);
    expect(got.map((r) => [r.body.type, r.body.data.consumed, r.body.data.max])).toEqual([
      ['limit.warning', 4, 5],
      ['limit.reached', 5, 5],
    ]);
    expect(got[1].body.data).toMatchObject({ identity_id: who.id, limit: 'LK_PROFILE_VISITS', action: 'linkedin-visit-profile' });
    expect(await deliveries(ws.api_key, hook.id)).toHaveLength(2);
  });
});
