import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { verifySignature } from 'smart-limits-client/webhooks';
import { WebhookDispatcher } from '../../src/notifications/webhook-dispatcher.js';
import { createExtraDatabase } from '../support/servers.js';
import { createIdentity, createWorkspace, startTestApp, type TestApp } from '../support/test-app.js';
import { type Receiver, startReceiver } from './receiver.js';

/** Real time, real scheduled jobs, two service instances on one database. */
describe('webhook delivery with several instances', () => {
  let db: { url: string; drop(): Promise<void> };
  let sql: pg.Client;
  let a: TestApp;
  let b: TestApp;
  let receiver: Receiver;

  beforeAll(async () => {
    db = await createExtraDatabase(process.env.SL_TEST_PG_ADMIN_URL!, 'whinst');
    const keyPrefix = `wh${randomBytes(3).toString('hex')}`;
    const env = { JOBS_ENABLED: 'true', WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'true' };
    [a, b] = await Promise.all([startTestApp({ databaseUrl: db.url, keyPrefix, env }), startTestApp({ databaseUrl: db.url, keyPrefix, env })]);
    sql = new pg.Client({ connectionString: db.url });
    await sql.connect();
    receiver = await startReceiver();
  });
  afterAll(async () => {
    await a?.close();
    await b?.close();
    await sql?.end();
    await receiver?.close();
    await db?.drop();
  });

  async function pendingCount(workspaceId: string): Promise<number> {
    const r = await sql.query(
      `select count(*)::int as n from webhook_deliveries d join webhook_subscriptions s on s.id = d.subscription_id where s.workspace_id = $1 and d.status = 'pending'`,
      [workspaceId],
    );
    return r.rows[0].n;
  }

  it('delivers each event exactly once while both instances dispatch', async () => {
    const ws = await createWorkspace(a);
    const hook = (
      await a.request('POST', '/v1/webhooks', {
        key: ws.api_key,
        body: { url: receiver.url, events: ['cooldown.started', 'cooldown.ended', 'identity.at_risk'] },
      })
    ).body;
    const identities = await Promise.all(Array.from({ length: 10 }, () => createIdentity(a, ws.api_key)));
    // Slow answers make both instances' rounds overlap.
    receiver.delayMs = 10;
    const sent: Record<string, string[]> = {};
    for (let n = 0; n < 15; n++) {
      for (const i of identities) {
        const type = ['cooldown.started', 'cooldown.ended', 'identity.at_risk'][n % 3];
        const r = await sql.query(`insert into outbox_events (workspace_id, type, identity_id, payload) values ($1, $2, $3, $4) returning id`, [
          ws.id,
          type,
          i.id,
          { n },
        ]);
        (sent[i.id] ??= []).push(r.rows[0].id);
      }
    }
    // Besides the 1-second jobs of both instances, force overlapping rounds.
    await Promise.all([a, b, a, b].map((x) => x.app.get(WebhookDispatcher).runOnce()));
    for (let i = 0; i < 200 && (await pendingCount(ws.id)) > 0; i++) await new Promise((r) => setTimeout(r, 50));
    expect(await pendingCount(ws.id)).toBe(0);
    receiver.delayMs = 0;
    await new Promise((r) => setTimeout(r, 1500)); // two more ticks of each instance: nothing is sent again

    const mine = receiver.received.filter((r) => r.body.workspace_id === ws.id);
    const ids = mine.map((r) => r.body.id);
    expect(ids).toHaveLength(150);
    expect(new Set(ids).size).toBe(150);
    for (const i of identities) expect(mine.filter((r) => r.body.data.identity_id === i.id).map((r) => r.body.id)).toEqual(sent[i.id]);
    for (const r of mine.slice(0, 5)) expect(verifySignature(hook.secret, r.headers['smartlimits-signature'] as string, r.raw)).toBe(true);
    const attempts = await sql.query(
      `select count(*)::int as n from webhook_delivery_attempts x join webhook_deliveries d on d.id = x.delivery_id where d.subscription_id = $1`,
      [hook.id],
    );
    expect(attempts.rows[0].n).toBe(150);
  });

  it('sends what was raised while the receiver was down once it is back, signed', async () => {
    const ws = await createWorkspace(b);
    const hook = (
      await b.request('POST', '/v1/webhooks', { key: ws.api_key, body: { url: receiver.url, events: ['cooldown.started', 'cooldown.ended'] } })
    ).body;
    const who = await createIdentity(b, ws.api_key);
    await receiver.down();
    const ids: string[] = [];
    for (const type of ['cooldown.started', 'cooldown.ended', 'cooldown.started']) {
      ids.push(
        (
          await sql.query(`insert into outbox_events (workspace_id, type, identity_id, payload) values ($1, $2, $3, '{}') returning id`, [
            ws.id,
            type,
            who.id,
          ])
        ).rows[0].id,
      );
    }
    // Wait for the jobs to try (and fail) the first one.
    for (let i = 0; i < 100; i++) {
      const r = await sql.query(`select attempts from webhook_deliveries where event_id = $1`, [ids[0]]);
      if (r.rows[0]?.attempts >= 1) break;
      await new Promise((res) => setTimeout(res, 50));
    }
    await receiver.up();
    // The first retry comes 5–10 s after the failure.
    await receiver.waitFor((all) => ids.every((id) => all.some((r) => r.body.id === id)), 30_000);
    const got = receiver.received.filter((r) => r.body.workspace_id === ws.id);
    expect(got.map((r) => r.body.id)).toEqual(ids);
    for (const r of got) expect(verifySignature(hook.secret, r.headers['smartlimits-signature'] as string, r.raw)).toBe(true);
  }, 45_000);
});
