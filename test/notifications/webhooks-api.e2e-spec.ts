import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { PassThrough } from 'node:stream';
import { ManualClock } from '../../src/common/clock.js';
import { verifySignature } from 'smart-limits-client/webhooks';
import { WebhookDispatcher } from '../../src/notifications/webhook-dispatcher.js';
import { createExtraDatabase } from '../support/servers.js';
import { createWorkspace, startTestApp, type TestApp } from '../support/test-app.js';
import { type Receiver, startReceiver } from './receiver.js';

describe('webhooks API', () => {
  const logs = new PassThrough();
  let logText = '';
  logs.on('data', (d) => (logText += d.toString()));
  const clock = new ManualClock();
  let db: { url: string; drop(): Promise<void> };
  let t: TestApp; // private targets allowed (the receiver is on 127.0.0.1)
  let strict: TestApp; // the default: private targets refused
  let receiver: Receiver;
  let key: string;

  beforeAll(async () => {
    // Its own database: no other test's dispatcher may claim these deliveries.
    db = await createExtraDatabase(process.env.SL_TEST_PG_ADMIN_URL!, 'whapi');
    t = await startTestApp({ databaseUrl: db.url, clock, env: { WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'true', LOG_LEVEL: 'debug' }, logDestination: logs });
    strict = await startTestApp({ databaseUrl: db.url, clock });
    receiver = await startReceiver();
    key = (await createWorkspace(t)).api_key;
  });
  afterAll(async () => {
    await t?.close();
    await strict?.close();
    await receiver?.close();
    await db?.drop();
  });

  const create = (app: TestApp, k: string, body: unknown) => app.request('POST', '/v1/webhooks', { key: k, body });

  it('creates a webhook and shows its secret only once', async () => {
    const r = await create(t, key, { url: receiver.url, events: ['cooldown.started', 'limit.reached'] });
    expect(r.status).toBe(201);
    expect(r.body).toEqual({
      id: expect.any(String),
      url: receiver.url,
      events: ['cooldown.started', 'limit.reached'],
      created_at: expect.any(String),
      secret: expect.stringMatching(/^whsec_[A-Za-z0-9_-]{32}$/),
    });

    const list = await t.request('GET', '/v1/webhooks', { key });
    expect(list.status).toBe(200);
    expect(list.body.data).toContainEqual({
      id: r.body.id,
      url: receiver.url,
      events: ['cooldown.started', 'limit.reached'],
      created_at: r.body.created_at,
    });
    expect(list.text).not.toContain(r.body.secret);
    const one = await t.request('GET', `/v1/webhooks/${r.body.id}`, { key });
    expect(one.status).toBe(200);
    expect(one.text).not.toContain(r.body.secret);
    expect(one.body).not.toHaveProperty('secret');
  });

  it('lists every problem of a bad body and knows the event names', async () => {
    const r = await create(t, key, { url: 42, events: ['cooldown.started', 'cooldown.forever', 'cooldown.started'], extra: true });
    expect(r.status).toBe(400);
    expect(Object.keys(r.body.error.details).sort()).toEqual(['events', 'extra', 'url']);
    expect(r.body.error.details.events.join(' ')).toContain('cooldown.ended');
    expect((await create(t, key, { url: receiver.url, events: [] })).status).toBe(400);
    expect((await create(t, key, { url: receiver.url })).status).toBe(400);
    expect((await create(t, key, { url: receiver.url, events: ['webhook.test'] })).status).toBe(400);
  });

  it('lists a refused URL together with every other field problem, at once', async () => {
    const r = await create(strict, key, { url: 'http://127.0.0.1:9/hook', events: ['cooldown.forever'], extra: 1 });
    expect(r.status).toBe(400);
    expect(r.body.error.error_label).toBe('VALIDATION_FAILED');
    expect(Object.keys(r.body.error.details).sort()).toEqual(['events', 'extra', 'url']);
    expect(r.body.error.details.url.join(' ')).toMatch(/127\.0\.0\.1|loopback|private/i);
    expect(r.body.error.message).toContain('3 fields');
  });

  it.each([
    ['http://127.0.0.1:9/hook'],
    ['http://localhost:9/hook'],
    ['http://[::1]/hook'],
    ['http://10.0.0.8/hook'],
    ['http://192.168.1.20/hook'],
    ['http://169.254.169.254/latest/meta-data/'],
    ['http://[fd00::1]/hook'],
    ['http://[::ffff:127.0.0.1]/hook'],
    ['http://2130706433/hook'],
    ['http://224.0.0.1/hook'],
  ])('refuses a private target %s by default', async (url) => {
    const r = await create(strict, key, { url, events: ['cooldown.started'] });
    expect(r.status).toBe(400);
    expect(r.body.error.error_label).toBe('WEBHOOK_URL_REFUSED');
    expect(r.body.error.details.url).toHaveLength(1);
  });

  it.each([['ftp://example.com/x'], ['file:///etc/passwd'], ['not a url'], ['https://user:pw@example.com/x'], ['http://no-such-host.invalid/x']])(
    'refuses %s',
    async (url) => {
      const r = await create(strict, key, { url, events: ['cooldown.started'] });
      expect(r.status).toBe(400);
      expect(r.body.error.error_label).toBe('WEBHOOK_URL_REFUSED');
    },
  );

  it("answers 404 for another workspace's webhook, on every route", async () => {
    const mine = await create(t, key, { url: receiver.url, events: ['cooldown.ended'] });
    const other = (await createWorkspace(t)).api_key;
    for (const [method, path] of [
      ['GET', `/v1/webhooks/${mine.body.id}`],
      ['DELETE', `/v1/webhooks/${mine.body.id}`],
      ['POST', `/v1/webhooks/${mine.body.id}/test`],
      ['GET', `/v1/webhooks/${mine.body.id}/deliveries`],
      ['GET', '/v1/webhooks/not-a-uuid'],
      ['DELETE', '/v1/webhooks/00000000-0000-4000-8000-000000000000'],
    ]) {
      const r = await t.request(method, path, { key: other });
      expect([path, r.status]).toEqual([path, 404]);
    }
    expect((await t.request('GET', '/v1/webhooks', { key: other })).body.data).toEqual([]);
    expect((await t.request('GET', `/v1/webhooks/${mine.body.id}`, { key })).status).toBe(200);
  });

  it('sends a signed test event that verifies with the secret, and logs every attempt', async () => {
    const ws = await createWorkspace(t);
    const hook = await create(t, ws.api_key, { url: receiver.url, events: ['cooldown.started'] });
    const queued = await t.request('POST', `/v1/webhooks/${hook.body.id}/test`, { key: ws.api_key });
    expect(queued.status).toBe(202);
    await t.app.get(WebhookDispatcher).runOnce();

    const got = receiver.received.find((r) => r.body.id === queued.body.event_id)!;
    expect(got).toBeDefined();
    expect(got.body).toEqual({
      id: queued.body.event_id,
      type: 'webhook.test',
      created_at: expect.any(String),
      workspace_id: ws.id,
      data: expect.objectContaining({ webhook_id: hook.body.id }),
    });
    expect(got.headers['smartlimits-event-id']).toBe(queued.body.event_id);
    const sig = got.headers['smartlimits-signature'] as string;
    expect(sig).toMatch(/^t=\d+,v1=[0-9a-f]{64}$/);
    expect(verifySignature(hook.body.secret, sig, got.raw, { now: clock.now() })).toBe(true);
    expect(verifySignature(hook.body.secret, sig, got.raw.replace('webhook.test', 'webhook.tesT'), { now: clock.now() })).toBe(false);

    const d = await t.request('GET', `/v1/webhooks/${hook.body.id}/deliveries`, { key: ws.api_key });
    expect(d.status).toBe(200);
    expect(d.body).toEqual({
      data: [
        {
          id: queued.body.delivery_id,
          event_id: queued.body.event_id,
          event_type: 'webhook.test',
          status: 'delivered',
          next_attempt_at: null,
          created_at: expect.any(String),
          delivered_at: clock.now().toISOString(),
          attempts: [{ attempt: 1, attempted_at: clock.now().toISOString(), status_code: 204, latency_ms: expect.any(Number), error: null }],
        },
      ],
      next_cursor: null,
    });
    // The other webhooks of the workspace never see a test event.
    expect(receiver.received.filter((r) => r.body.id === queued.body.event_id)).toHaveLength(1);
  });

  it('pages deliveries newest first', async () => {
    const ws = await createWorkspace(t);
    const hook = await create(t, ws.api_key, { url: receiver.url, events: ['quota.warning'] });
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push((await t.request('POST', `/v1/webhooks/${hook.body.id}/test`, { key: ws.api_key })).body.event_id);
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: any = await t.request('GET', `/v1/webhooks/${hook.body.id}/deliveries?limit=2${cursor ? `&cursor=${cursor}` : ''}`, {
        key: ws.api_key,
      });
      expect(page.status).toBe(200);
      expect(page.body.data.length).toBeLessThanOrEqual(2);
      seen.push(...page.body.data.map((d: { event_id: string }) => d.event_id));
      cursor = page.body.next_cursor;
    } while (cursor);
    expect(seen).toEqual([...ids].reverse());
    expect((await t.request('GET', `/v1/webhooks/${hook.body.id}/deliveries?cursor=bogus`, { key: ws.api_key })).status).toBe(400);
    expect((await t.request('GET', `/v1/webhooks/${hook.body.id}/deliveries?limit=0`, { key: ws.api_key })).status).toBe(400);
  });

  it('deletes a webhook: gone from the list, its pending deliveries dropped', async () => {
    const ws = await createWorkspace(t);
    const hook = await create(t, ws.api_key, { url: receiver.url, events: ['cooldown.started'] });
    const queued = await t.request('POST', `/v1/webhooks/${hook.body.id}/test`, { key: ws.api_key });
    expect((await t.request('DELETE', `/v1/webhooks/${hook.body.id}`, { key: ws.api_key })).status).toBe(204);
    expect((await t.request('DELETE', `/v1/webhooks/${hook.body.id}`, { key: ws.api_key })).status).toBe(404);
    expect((await t.request('GET', '/v1/webhooks', { key: ws.api_key })).body.data).toEqual([]);
    await t.app.get(WebhookDispatcher).runOnce();
    expect(receiver.received.some((r) => r.body.id === queued.body.event_id)).toBe(false);
  });

  it('caps the webhooks of a workspace', async () => {
    const ws = await createWorkspace(t);
    for (let i = 0; i < 20; i++) expect((await create(t, ws.api_key, { url: receiver.url, events: ['cooldown.started'] })).status).toBe(201);
    const r = await create(t, ws.api_key, { url: receiver.url, events: ['cooldown.started'] });
    expect(r.status).toBe(409);
    expect(r.body.error.error_label).toBe('WEBHOOK_LIMIT');
  });

  it('documents the event payload in OpenAPI', async () => {
    const doc = (await t.request('GET', '/openapi.json')).body;
    expect(doc.components.schemas.WebhookEventPayload.required).toEqual(expect.arrayContaining(['id', 'type', 'created_at', 'workspace_id', 'data']));
    expect(JSON.stringify(doc.paths['/v1/webhooks'].post.callbacks)).toContain('WebhookEventPayload');
  });

  it('never writes a secret to the log', async () => {
    const ws = await createWorkspace(t);
    const hook = await create(t, ws.api_key, { url: receiver.url, events: ['cooldown.started'] });
    await t.request('POST', `/v1/webhooks/${hook.body.id}/test`, { key: ws.api_key });
    receiver.answer = () => 500; // a failed attempt logs too
    await t.app.get(WebhookDispatcher).runOnce();
    receiver.answer = () => 204;
    await t.request('GET', '/v1/webhooks', { key: ws.api_key });
    await new Promise((r) => setTimeout(r, 100));
    expect(logText).toContain(hook.body.id);
    expect(logText).not.toContain(hook.body.secret);
    expect(logText).not.toContain('whsec_');
  });
});
