import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createServer, type Server, type Socket } from 'node:net';
import {
  actionIdFor,
  AlreadyInvitedError,
  CooldownError,
  IdentityPausedError,
  InFlightError,
  LimitReachedError,
  NotFoundError,
  OutsideWorkingHoursError,
  RateLimitedError,
  ServiceUnreachableError,
  signPayload,
  SmartLimitsClient,
  SmartLimitsError,
  StoreUnavailableError,
  TooSoonError,
  ValidationError,
  verifySignature,
  type ClientOptions,
} from 'smart-limits-client';
import { startTestRedis, type TestRedis } from '../support/servers.js';
import { createIdentity, createWorkspace, startTestApp, type TestApp } from '../support/test-app.js';

const VISIT = 'linkedin-visit-profile';
const CONNECT = 'linkedin-connect-profile';
const LIKE = 'linkedin-like-post';

/** A client whose waits are recorded instead of slept, with jitter fixed at 10 % (random 0.5). */
function recordingClient(baseUrl: string, apiKey: string, o: Partial<ClientOptions> = {}) {
  const sleeps: number[] = [];
  const client = new SmartLimitsClient({ baseUrl, apiKey, sleep: async (ms) => void sleeps.push(ms), random: () => 0.5, ...o });
  return { client, sleeps };
}

/** An HTTP status error as HTTP libraries throw them (got, ky, …): what `run` reads. */
class HttpStatusError extends Error {
  constructor(
    readonly statusCode: number,
    readonly body?: string,
  ) {
    super(`LinkedIn answered ${statusCode}`);
  }
}

describe('worker client against the real service', () => {
  let t: TestApp;
  let ws: { id: string; api_key: string };
  const client = (o: Partial<ClientOptions> = {}) => recordingClient(t.baseUrl, ws.api_key, o);
  const consumed = async (identityId: string, slug: string) => {
    const l = await client().client.limits(identityId);
    return l.limits.find((x) => x.slug === slug)?.consumed;
  };
  beforeAll(async () => {
    t = await startTestApp();
    ws = await createWorkspace(t);
  });
  afterAll(async () => {
    await t?.close();
  });

  it('schedule() plans at the earliest time (the same one for a retry); runScheduled() waits until it, runs and reports', async () => {
    const i = await createIdentity(t, ws.api_key);
    const { client: c, sleeps } = client();
    const first = await c.schedule(i.id, VISIT, { actionId: 'plan-1' });
    const second = await c.schedule(i.id, VISIT, { actionId: 'plan-2', notAfter: new Date(Date.now() + 3_600_000) });
    // The gap (30 s + the first one's jitter) separates them.
    expect(second.scheduledAt.getTime() - first.scheduledAt.getTime()).toBeGreaterThanOrEqual(30_000);
    expect((await c.schedule(i.id, VISIT, { actionId: 'plan-2' })).scheduledAt).toEqual(second.scheduledAt);
    // The same plan from an idempotency key: the derived id, the same time on a retry.
    const keyed = await c.schedule(i.id, VISIT, { idempotencyKey: 'campaign-7/person-1' });
    expect(keyed.actionId).toBe(actionIdFor(i.id, VISIT, 'campaign-7/person-1'));
    expect((await c.schedule(i.id, VISIT, { idempotencyKey: 'campaign-7/person-1' })).scheduledAt).toEqual(keyed.scheduledAt);
    const planned = await c.plannedActions(i.id);
    expect(planned.actions.map((a) => a.action_id)).toEqual(expect.arrayContaining(['plan-2', keyed.actionId]));
    sleeps.length = 0;
    let ran = 0;
    const done = await c.runScheduled(second, async () => {
      ran++;
      return 200;
    });
    expect(ran).toBe(1);
    expect(sleeps).toHaveLength(1);
    expect(sleeps[0]).toBeGreaterThan(25_000);
    expect(done.outcome).toMatchObject({ classification: expect.any(Object) });
    // An action that fails before reaching LinkedIn gives its planned slot back.
    const third = await c.schedule(i.id, VISIT, { actionId: 'plan-3' });
    await expect(
      c.runScheduled(third, async () => {
        throw new Error('browser crashed');
      }),
    ).rejects.toThrow('browser crashed');
    expect((await c.plannedActions(i.id)).actions.map((a) => a.action_id)).not.toContain('plan-3');
    // No time before not_after: the refusal the guard would give.
    const late = await c.schedule(i.id, VISIT, { actionId: 'plan-4', notAfter: new Date(Date.now() + 1_000) }).catch((e: unknown) => e);
    expect(late).toBeInstanceOf(TooSoonError);
  });

  it('throws TooSoonError, InFlightError and OutsideWorkingHoursError with availableAt, never retried; next() says when', async () => {
    const i = await createIdentity(t, ws.api_key);
    const { client: c, sleeps } = client();
    await c.guard(i.id, VISIT, { actionId: 'v1' });
    const soon = await c.guard(i.id, VISIT, { actionId: 'v2' }).catch((e: unknown) => e);
    expect(soon).toBeInstanceOf(TooSoonError);
    const tooSoon = soon as TooSoonError;
    expect(tooSoon.availableAt).toBeInstanceOf(Date);
    expect(tooSoon.limit).toBe('LK_PROFILE_VISITS');
    expect(tooSoon.blockedBy.map((b) => b.rule)).toEqual(['gap']);
    await c.guard(i.id, LIKE, { actionId: 'like-1' });
    const flight = (await c.guard(i.id, 'linkedin-follow-profile', { actionId: 'follow-1' }).catch((e: unknown) => e)) as InFlightError;
    expect(flight).toBeInstanceOf(InFlightError);
    expect(flight.inFlightActionId).toBe('like-1');
    expect(flight.leaseEndsAt).toBeInstanceOf(Date);
    expect(flight.availableAt?.getTime()).toBe(flight.leaseEndsAt?.getTime());
    const n = await c.next(i.id, 'linkedin-follow-profile');
    expect(n).toMatchObject({ allowed_now: false, available_at: flight.availableAt?.toISOString() });
    // Open one minute a week (Monday 00:00 UTC): closed now unless the test runs in that minute.
    const closed = await createIdentity(t, ws.api_key, {
      timezone: 'UTC',
      schedule: { days: [1], start: '00:00', end: '00:01', start_jitter_minutes: 0 },
    });
    const now = new Date();
    if (!(now.getUTCDay() === 1 && now.getUTCHours() === 0 && now.getUTCMinutes() === 0)) {
      const shut = (await c.guard(closed.id, VISIT, { actionId: 'x' }).catch((e: unknown) => e)) as OutsideWorkingHoursError;
      expect(shut).toBeInstanceOf(OutsideWorkingHoursError);
      expect(shut.opensAt).toBeInstanceOf(Date);
      expect(shut.availableAt).toEqual(shut.opensAt);
    }
    expect(sleeps).toEqual([]);
  });

  it('run() reports the outcome with its action_id, so the in-flight lease frees at once', async () => {
    const i = await createIdentity(t, ws.api_key);
    const { client: c } = client();
    await c.run(i.id, LIKE, { actionId: 'r-like' }, async () => 200);
    const g = await c.guard(i.id, 'linkedin-follow-profile', { actionId: 'r-follow' });
    expect(g.recorded).toBe(true);
  });

  it('guards and releases', async () => {
    const i = await createIdentity(t, ws.api_key, { pacing: 'off', limit_overrides: { LK_PROFILE_VISITS: 1 } });
    const { client: c } = client();
    const g = await c.guard(i.id, VISIT, { actionId: 'x1' });
    expect(g).toMatchObject({ allowed: true, recorded: true });
    expect(await c.release(i.id, VISIT, 'x1')).toBe(true);
    expect(await c.release(i.id, VISIT, 'x1')).toBe(false);
  });

  it('throws LimitReachedError with availableAt and never retries it', async () => {
    const i = await createIdentity(t, ws.api_key, { pacing: 'off', limit_overrides: { LK_PROFILE_VISITS: 1 } });
    const { client: c, sleeps } = client();
    await c.guard(i.id, VISIT, { actionId: 'a' });
    const err = await c.guard(i.id, VISIT, { actionId: 'b' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(LimitReachedError);
    const e = err as LimitReachedError;
    expect(e.availableAt).toBeInstanceOf(Date);
    expect(e.limit).toBe('LK_PROFILE_VISITS');
    expect(e.retryAfterSeconds).toBeGreaterThan(0);
    expect(e.requestId).toEqual(expect.any(String));
    expect(sleeps).toEqual([]);
  });

  it('CooldownError of a whole identity: scope identity, no limits, a message that says so, never retried', async () => {
    const i = await createIdentity(t, ws.api_key, { pacing: 'off' });
    const { client: c, sleeps } = client();
    await c.cooldowns.start(i.id, { duration_seconds: 3600, reason: 'owner is travelling' });
    const err = await c.guard(i.id, VISIT, { actionId: 'c' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CooldownError);
    const e = err as CooldownError;
    expect(e.scope).toBe('identity');
    expect(e.limits).toEqual([]);
    expect(e.limit).toBeNull();
    expect(e.reason).toBe('owner is travelling');
    expect(e.endsAt).toBeInstanceOf(Date);
    expect(e.message).toMatch(/^This identity is cooling down \(owner is travelling\) until \d{4}-/);
    expect(sleeps).toEqual([]);
  });

  it('CooldownError of one limit: scope limits, names the limit; the identity’s other actions still run', async () => {
    const i = await createIdentity(t, ws.api_key, { pacing: 'off' });
    const { client: c } = client();
    await c.cooldowns.start(i.id, { duration_seconds: 3600, reason: 'STATUS_429_STRIKE_1', limit: 'LK_PROFILE_VISITS' });
    const err = await c.guard(i.id, VISIT, { actionId: 'v' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CooldownError);
    const e = err as CooldownError;
    expect(e.scope).toBe('limits');
    expect(e.limits).toEqual(['LK_PROFILE_VISITS']);
    expect(e.limit).toBe('LK_PROFILE_VISITS');
    expect(e.message).toMatch(/^LK_PROFILE_VISITS is cooling down for this identity \(STATUS_429_STRIKE_1\) until \d{4}-/);
    expect(await c.guard(i.id, LIKE, { actionId: 'l' })).toMatchObject({ allowed: true, recorded: true });
  });

  it('honours Retry-After with jitter on internal 429s, a bounded number of times', async () => {
    const tight = await createWorkspace(t);
    await t.admin('PATCH', `/v1/workspaces/${tight.id}`, {
      custom_limits: { '/v1/actions': { per_second: 1, per_minute: 1 }, '/v1/identities': { per_second: 100, per_minute: 1000 } },
    });
    const i = await createIdentity(t, tight.api_key, { pacing: 'off' });
    const { client: c, sleeps } = recordingClient(t.baseUrl, tight.api_key, { maxAttempts: 3, maxRetryWaitMs: 600_000 });
    await c.guard(i.id, VISIT, { actionId: 'r1' });
    sleeps.length = 0;
    const err = await c.guard(i.id, VISIT, { actionId: 'r2' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RateLimitedError);
    expect(sleeps).toHaveLength(2);
    // Retry-After (seconds) × 1.1 with random 0.5.
    expect(sleeps[0]).toBe((err as RateLimitedError).retryAfterSeconds! * 1000 * 1.1);
  });

  it('gives the identity routes the same Retry-After handling', async () => {
    const tight = await createWorkspace(t);
    const { client: c, sleeps } = recordingClient(t.baseUrl, tight.api_key, { maxAttempts: 2, maxRetryWaitMs: 600_000 });
    const i = await c.identities.create({ external_id: 'tight-1', warmup: 'none' });
    await t.admin('PATCH', `/v1/workspaces/${tight.id}`, { custom_limits: { '/v1/identities': { per_second: 1, per_minute: 1 } } });
    await c.identities.get(i.id);
    const err = await c.identities.get(i.id).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RateLimitedError);
    expect(sleeps).toEqual([(err as RateLimitedError).retryAfterSeconds! * 1000 * 1.1]);
  });

  it('run() requires the caller’s action id, so a crash-and-retry counts the action once', async () => {
    const i = await createIdentity(t, ws.api_key, { pacing: 'off' });
    const { client: c } = client();
    // @ts-expect-error: an action id (or an idempotency key) is required by the types too.
    await expect(c.run(i.id, VISIT, {}, async () => 200)).rejects.toThrow(TypeError);
    // A worker guarded job-7, then crashed before LinkedIn answered; its retry runs under the same id.
    await c.guard(i.id, VISIT, { actionId: 'job-7' });
    const retry = await c.run(i.id, VISIT, { actionId: 'job-7' }, async () => 200);
    expect(retry.guard).toMatchObject({ duplicate: true, recorded: false, action_id: 'job-7' });
    expect(await consumed(i.id, 'LK_PROFILE_VISITS')).toBe(1);
  });

  it('run() derives a stable action id from an idempotency key', async () => {
    const i = await createIdentity(t, ws.api_key, { pacing: 'off' });
    const { client: c } = client();
    const first = await c.run(i.id, VISIT, { idempotencyKey: 'campaign-3/lead-917/visit' }, async () => 200);
    const again = await c.run(i.id, VISIT, { idempotencyKey: 'campaign-3/lead-917/visit' }, async () => 200);
    expect(first.guard.action_id).toBe(actionIdFor(i.id, VISIT, 'campaign-3/lead-917/visit'));
    expect(again.guard).toMatchObject({ duplicate: true, action_id: first.guard.action_id });
    expect(await consumed(i.id, 'LK_PROFILE_VISITS')).toBe(1);
  });

  it('run() reports a success with a typed classification and no cooldown', async () => {
    const i = await createIdentity(t, ws.api_key, { pacing: 'off' });
    const { client: c } = client();
    const r = await c.run(i.id, VISIT, { actionId: 'ok-1' }, async () => 200);
    expect(r.result).toBe(200);
    expect(r.outcome?.classification.type).toBe('success');
    expect(r.outcome?.cooldown).toBeNull();
    expect(r.outcome?.effect).toBe('none');
  });

  it('run() releases the slot when the action fails before reaching LinkedIn', async () => {
    const i = await createIdentity(t, ws.api_key, { pacing: 'off', limit_overrides: { LK_PROFILE_VISITS: 1 } });
    const { client: c } = client();
    await expect(c.run(i.id, VISIT, { actionId: 'v1' }, async () => Promise.reject(new Error('browser crashed')))).rejects.toThrow('browser crashed');
    expect(await consumed(i.id, 'LK_PROFILE_VISITS')).toBe(0);
  });

  it('run() releases the slot when the action resolves to null (it did not happen) and reports nothing', async () => {
    const i = await createIdentity(t, ws.api_key, { pacing: 'off' });
    const { client: c } = client();
    const r = await c.run(i.id, VISIT, { actionId: 'skip-1' }, async () => null);
    expect(r).toMatchObject({ result: null, outcome: null, guard: { recorded: true } });
    expect(await consumed(i.id, 'LK_PROFILE_VISITS')).toBe(0);
  });

  it('run() reports the status an action throws, then rethrows it: a LinkedIn 429 cools the invitation limits', async () => {
    const i = await createIdentity(t, ws.api_key, { pacing: 'off' });
    const { client: c } = client();
    const thrown = new HttpStatusError(429, 'Too Many Requests');
    await expect(c.run(i.id, CONNECT, { actionId: 'inv-1' }, async () => Promise.reject(thrown))).rejects.toBe(thrown);
    // Counted (LinkedIn was reached) and cooling: the next invitation is parked, a visit still runs.
    expect(await consumed(i.id, 'LK_INVITATIONS_SENT')).toBe(1);
    const err = await c.guard(i.id, CONNECT, { actionId: 'inv-2' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CooldownError);
    expect((err as CooldownError).scope).toBe('limits');
    expect((err as CooldownError).limits).toContain('LK_INVITATIONS_SENT');
    expect(await c.guard(i.id, VISIT, { actionId: 'visit-1' })).toMatchObject({ allowed: true });
    const history = await c.cooldowns.list(i.id);
    expect(history.data[0]).toMatchObject({ source: 'outcome', source_status: 429, action_slug: CONNECT, active: true });
  });

  it('manages identities: create, get, list page by page, update, pause (the guard refuses with IdentityPausedError) and resume', async () => {
    const own = await createWorkspace(t);
    const { client: c } = recordingClient(t.baseUrl, own.api_key);
    const made = [];
    for (let k = 0; k < 3; k++) made.push(await c.identities.create({ external_id: `acct-${k}`, account_type: 'premium', warmup: 'none' }));
    expect(made[0]).toMatchObject({ external_id: 'acct-0', account_type: 'premium', status: 'active' });
    expect((await c.identities.get(made[1].id)).external_id).toBe('acct-1');
    const page = await c.identities.list({ limit: 2 });
    expect(page.data).toHaveLength(2);
    expect(page.next_cursor).toEqual(expect.any(String));
    const all = [];
    for await (const x of c.identities.all({ limit: 2 })) all.push(x.external_id);
    expect(all.sort()).toEqual(['acct-0', 'acct-1', 'acct-2']);
    expect((await c.identities.update(made[2].id, { level: 'conservative' })).level).toBe('conservative');

    expect((await c.identities.pause(made[0].id)).status).toBe('paused');
    expect((await c.identities.list({ status: 'paused' })).data.map((x) => x.id)).toEqual([made[0].id]);
    const paused = await c.guard(made[0].id, VISIT, { actionId: 'while-paused' }).catch((e: unknown) => e);
    expect(paused).toBeInstanceOf(IdentityPausedError);
    expect(paused).toMatchObject({ status: 409, errorLabel: 'IDENTITY_PAUSED', retryable: false });
    expect((await c.identities.resume(made[0].id)).status).toBe('active');
    expect(await c.guard(made[0].id, VISIT, { actionId: 'while-paused' })).toMatchObject({ allowed: true, recorded: true });

    await expect(c.identities.get('00000000-0000-4000-8000-000000000000')).rejects.toBeInstanceOf(NotFoundError);
    const invalid = await c.identities.create({ external_id: '' }).catch((e: unknown) => e);
    expect(invalid).toBeInstanceOf(ValidationError);
    expect(Object.keys((invalid as ValidationError).fields)).toContain('external_id');
  });

  it('reads an identity’s health and limits, the catalog and the service’s readiness', async () => {
    const i = await createIdentity(t, ws.api_key, { pacing: 'off' });
    const { client: c } = client();
    expect((await c.identities.health(i.id)).status).toBe('healthy');
    expect((await c.limits(i.id)).limits.map((l) => l.slug)).toContain('LK_INVITATIONS_SENT');
    const catalog = await c.catalog();
    expect(catalog.actions?.map((a) => a.slug)).toContain(CONNECT);
    expect(await c.health()).toMatchObject({ status: 'ready' });
  });

  it('invitations: a guard target refuses the same person twice (AlreadyInvitedError); outcomes and the pending list are reported', async () => {
    const i = await createIdentity(t, ws.api_key, { pacing: 'off' });
    const { client: c, sleeps } = client();
    await c.run(i.id, CONNECT, { actionId: 'inv-a', target: 'urn:li:person:7' }, async () => 200);
    const again = await c.guard(i.id, CONNECT, { actionId: 'inv-b', target: 'urn:li:person:7' }).catch((e: unknown) => e);
    expect(again).toBeInstanceOf(AlreadyInvitedError);
    expect(again).toMatchObject({ invitationStatus: 'pending', target: 'urn:li:person:7', retryable: false });
    expect(sleeps).toEqual([]);
    expect((await c.reportInvitation(i.id, 'urn:li:person:7', 'accepted')).invitation.status).toBe('accepted');
    expect((await c.syncPendingInvitations(i.id, [])).pending).toBe(0);
  });

  it('exports the webhook signature verifier', () => {
    const body = JSON.stringify({ id: 'e1', type: 'cooldown.started' });
    const now = Math.floor(Date.now() / 1000);
    const header = signPayload('whsec_test', body, now);
    expect(verifySignature('whsec_test', header, body)).toBe(true);
    expect(verifySignature('whsec_other', header, body)).toBe(false);
    expect(verifySignature('whsec_test', header, body + ' ')).toBe(false);
  });

  it('paces calls at a steady rate', async () => {
    const i = await createIdentity(t, ws.api_key, { pacing: 'off' });
    const { client: c, sleeps } = client({ pacePerMinute: 600 });
    for (let k = 0; k < 3; k++) await c.guard(i.id, VISIT, { actionId: `p${k}` });
    // The 2nd and 3rd calls wait for their slot (≈100 ms apart); the first does not.
    expect(sleeps.length).toBe(2);
    for (const s of sleeps) expect(s).toBeLessThanOrEqual(200);
  });
});

describe('worker client managing webhooks', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ env: { WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'true' } });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('creates, lists, reads, tests and deletes a webhook', async () => {
    const ws = await createWorkspace(t);
    const { client: c } = recordingClient(t.baseUrl, ws.api_key);
    const hook = await c.webhooks.create({ url: 'http://127.0.0.1:9/hooks/smart-limits', events: ['cooldown.started', 'identity.at_risk'] });
    expect(hook.secret).toMatch(/^whsec_/);
    expect((await c.webhooks.list()).map((w) => w.id)).toEqual([hook.id]);
    expect(await c.webhooks.get(hook.id)).toMatchObject({ url: hook.url, events: ['cooldown.started', 'identity.at_risk'] });
    const sent = await c.webhooks.test(hook.id);
    const deliveries = await c.webhooks.deliveries(hook.id);
    expect(deliveries.data.map((d) => d.id)).toContain(sent.delivery_id);
    await c.webhooks.delete(hook.id);
    await expect(c.webhooks.get(hook.id)).rejects.toBeInstanceOf(NotFoundError);
  });
});

describe('worker client when the service cannot be reached', () => {
  const listen = (onConnection: (s: Socket) => void) =>
    new Promise<Server>((res) => {
      const srv = createServer(onConnection);
      srv.listen(0, '127.0.0.1', () => res(srv));
    });
  const portOf = (srv: Server) => (srv.address() as { port: number }).port;
  const close = (srv: Server) => new Promise<void>((res) => srv.close(() => res()));

  it('connection refused: a ServiceUnreachableError (a SmartLimitsError, never a TypeError), retried like a 503', async () => {
    // A port that was just free: nothing listens on it.
    const srv = await listen(() => undefined);
    const port = portOf(srv);
    await close(srv);
    const { client: c, sleeps } = recordingClient(`http://127.0.0.1:${port}`, 'sl_live_x', { maxAttempts: 3 });
    const err = await c.guard('00000000-0000-4000-8000-000000000000', VISIT, { actionId: 'u1' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ServiceUnreachableError);
    expect(err).toBeInstanceOf(SmartLimitsError);
    expect(err).not.toBeInstanceOf(TypeError);
    const e = err as ServiceUnreachableError;
    expect(e).toMatchObject({ status: 0, requestSent: false });
    expect(e.message).toContain('ECONNREFUSED');
    // No Retry-After without an answer: 2 s then 4 s, with the same 10 % jitter.
    expect(sleeps).toEqual([2200, 4400]);
    // Never sent, so even an outcome report (not idempotent) is retried.
    sleeps.length = 0;
    await expect(c.reportOutcome('00000000-0000-4000-8000-000000000000', VISIT, { statusCode: 200 })).rejects.toBeInstanceOf(ServiceUnreachableError);
    expect(sleeps).toHaveLength(2);
  });

  it('an unknown host: a ServiceUnreachableError', async () => {
    const { client: c } = recordingClient('http://smart-limits.invalid', 'sl_live_x', { maxAttempts: 1 });
    const err = await c.catalog().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ServiceUnreachableError);
    expect((err as ServiceUnreachableError).requestSent).toBe(false);
  });

  it('no answer in time: retried for idempotent calls only (an outcome may have been recorded)', async () => {
    const sockets: Socket[] = [];
    const silent = await listen((s) => void sockets.push(s));
    try {
      const { client: c, sleeps } = recordingClient(`http://127.0.0.1:${portOf(silent)}`, 'sl_live_x', { maxAttempts: 2, timeoutMs: 200 });
      const guard = await c.guard('00000000-0000-4000-8000-000000000000', VISIT, { actionId: 't1' }).catch((e: unknown) => e);
      expect(guard).toBeInstanceOf(ServiceUnreachableError);
      expect((guard as ServiceUnreachableError).requestSent).toBe('unknown');
      expect(sleeps).toHaveLength(1);
      sleeps.length = 0;
      const outcome = await c.reportOutcome('00000000-0000-4000-8000-000000000000', VISIT, { statusCode: 429 }).catch((e: unknown) => e);
      expect(outcome).toBeInstanceOf(ServiceUnreachableError);
      expect(sleeps).toEqual([]);
    } finally {
      for (const s of sockets) s.destroy();
      await close(silent);
    }
  });
});

describe('worker client when Redis is down', () => {
  let redis: TestRedis;
  let t: TestApp;
  beforeAll(async () => {
    redis = await startTestRedis();
    t = await startTestApp({ redisUrl: redis.url });
  });
  afterAll(async () => {
    await t?.close();
    await redis?.stop();
  });

  it('retries 503 a bounded number of times, then throws StoreUnavailableError; health says so at once', async () => {
    const ws = await createWorkspace(t);
    const i = await createIdentity(t, ws.api_key, { pacing: 'off' });
    await redis.stop();
    const { client: c, sleeps } = recordingClient(t.baseUrl, ws.api_key, { maxAttempts: 2, random: () => 0 });
    const err = await c.guard(i.id, VISIT, { actionId: 'd1' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StoreUnavailableError);
    expect(sleeps).toEqual([1000]);
    sleeps.length = 0;
    const health = await c.health().catch((e: unknown) => e);
    expect(health).toBeInstanceOf(StoreUnavailableError);
    expect((health as StoreUnavailableError).details?.checks).toMatchObject({ database: 'up' });
    expect(sleeps).toEqual([]);
  });
});
