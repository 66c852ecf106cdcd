import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { PassThrough } from 'node:stream';
import { createExtraDatabase } from '../support/servers.js';
import { createIdentity, createWorkspace, startTestApp, type TestApp } from '../support/test-app.js';
import { type Receiver, startReceiver } from './receiver.js';

describe('identity fields in webhook data', () => {
  let db: { url: string; drop(): Promise<void> };
  let t: TestApp;
  let receiver: Receiver;
  const logs = new PassThrough();
  let logText = '';
  logs.on('data', (d) => (logText += d.toString()));

  beforeAll(async () => {
    db = await createExtraDatabase(process.env.SL_TEST_PG_ADMIN_URL!, 'whid');
    t = await startTestApp({
      databaseUrl: db.url,
      env: { JOBS_ENABLED: 'true', WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'true', LOG_LEVEL: 'warn' },
      logDestination: logs,
    });
    receiver = await startReceiver();
  });
  afterAll(async () => {
    await t?.close();
    await receiver?.close();
    await db?.drop();
  });

  it('a start that allows private networks says so in a warning', () => {
    const warning = logText
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { level: number; msg: string })
      .find((l) => l.msg.includes('WEBHOOK_ALLOW_PRIVATE_NETWORKS=true'));
    expect(warning?.level).toBe(40);
    expect(warning?.msg).toContain('keep it off in production');
  });

  it('every event about an identity carries its identity_id, external_id and label', async () => {
    const ws = await createWorkspace(t);
    const key = ws.api_key;
    const events = ['cooldown.started', 'cooldown.ended', 'limit.warning', 'limit.reached', 'identity.at_risk'];
    expect((await t.request('POST', '/v1/webhooks', { key, body: { url: receiver.url, events } })).status).toBe(201);
    const who = await createIdentity(t, key, { external_id: 'crm-4711', label: 'Ana (sales)', limit_overrides: { LK_FOLLOWS: 5 } });

    // 4 of 5 → limit.warning, 5 of 5 → limit.reached.
    for (let n = 0; n < 5; n++) {
      const r = await t.request('POST', `/v1/identities/${who.id}/actions/linkedin-follow-profile/guard`, { key, body: { action_id: `f${n}` } });
      expect(r.status).toBe(200);
    }
    // LinkedIn 429s on two actions → cooldown.started and identity.at_risk; clearing → cooldown.ended.
    for (const action_slug of ['linkedin-follow-profile', 'linkedin-like-post']) {
      const r = await t.request('POST', `/v1/identities/${who.id}/outcomes`, { key, body: { action_slug, status_code: 429 } });
      expect(r.status).toBe(200);
    }
    expect((await t.request('POST', `/v1/identities/${who.id}/cooldowns/clear`, { key })).status).toBe(200);

    const mine = (all: Receiver['received']) => all.filter((r) => r.body.data?.identity_id === who.id);
    await receiver.waitFor((all) => events.every((type) => mine(all).some((r) => r.body.type === type)), 20_000);
    for (const r of mine(receiver.received)) {
      expect(r.body.data).toMatchObject({ identity_id: who.id, external_id: 'crm-4711', label: 'Ana (sales)' });
    }
  }, 30_000);
});
