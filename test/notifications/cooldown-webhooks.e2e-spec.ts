import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { verifySignature } from 'smart-limits-client/webhooks';
import { createExtraDatabase } from '../support/servers.js';
import { createIdentity, createWorkspace, startTestApp, type TestApp } from '../support/test-app.js';
import { type Receiver, startReceiver } from './receiver.js';

/** Issue 6's "done when", end to end: real cooldowns, real jobs, a real receiver. */
describe('cooldown notifications', () => {
  let db: { url: string; drop(): Promise<void> };
  let t: TestApp;
  let receiver: Receiver;

  beforeAll(async () => {
    db = await createExtraDatabase(process.env.SL_TEST_PG_ADMIN_URL!, 'whcd');
    t = await startTestApp({ databaseUrl: db.url, env: { JOBS_ENABLED: 'true', WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'true' } });
    receiver = await startReceiver();
  });
  afterAll(async () => {
    await t?.close();
    await receiver?.close();
    await db?.drop();
  });

  const ofType = (type: string, identityId: string) => (all: Receiver['received']) =>
    all.some((r) => r.body.type === type && r.body.data.identity_id === identityId);

  it('a 2-second manual cooldown sends cooldown.started at once and cooldown.ended shortly after it expires, signed', async () => {
    const ws = await createWorkspace(t);
    const hook = (
      await t.request('POST', '/v1/webhooks', { key: ws.api_key, body: { url: receiver.url, events: ['cooldown.started', 'cooldown.ended'] } })
    ).body;
    const who = await createIdentity(t, ws.api_key);
    const started = await t.request('POST', `/v1/identities/${who.id}/cooldowns`, {
      key: ws.api_key,
      body: { duration_seconds: 2, reason: 'manual pause' },
    });
    expect(started.status).toBe(201);
    const endsAt = Date.parse(started.body.ends_at);
    expect(Number.isFinite(endsAt)).toBe(true);

    await receiver.waitFor(ofType('cooldown.started', who.id), 5_000);
    // Expiry job and dispatcher both tick every second: well within 5 s of the end.
    await receiver.waitFor(ofType('cooldown.ended', who.id), endsAt + 5_000 - Date.now());

    const got = receiver.received.filter((r) => r.body.workspace_id === ws.id);
    expect(got.map((r) => r.body.type)).toEqual(['cooldown.started', 'cooldown.ended']);
    for (const r of got) expect(verifySignature(hook.secret, r.headers['smartlimits-signature'] as string, r.raw)).toBe(true);
    expect(got[1].body.data).toMatchObject({ identity_id: who.id, ended_by: 'expiry' });
  });

  it('events raised while the receiver is down arrive, in order, once it is back', async () => {
    const ws = await createWorkspace(t);
    await t.request('POST', '/v1/webhooks', { key: ws.api_key, body: { url: receiver.url, events: ['cooldown.started', 'cooldown.ended'] } });
    const who = await createIdentity(t, ws.api_key);
    await receiver.down();
    try {
      expect(
        (await t.request('POST', `/v1/identities/${who.id}/cooldowns`, { key: ws.api_key, body: { duration_seconds: 1, reason: 'while down' } }))
          .status,
      ).toBe(201);
      // Let the cooldown end and the first attempt fail.
      await new Promise((r) => setTimeout(r, 3_000));
    } finally {
      await receiver.up();
    }
    await receiver.waitFor(ofType('cooldown.ended', who.id), 30_000);
    const got = receiver.received.filter((r) => r.body.workspace_id === ws.id);
    expect(got.map((r) => r.body.type)).toEqual(['cooldown.started', 'cooldown.ended']);
  }, 45_000);
});
