import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  CooldownError,
  InFlightError,
  LimitReachedError,
  OutsideWorkingHoursError,
  TooSoonError,
  RateLimitedError,
  signPayload,
  SmartLimitsClient,
  StoreUnavailableError,
  verifySignature,
} from '../../src/client/index.js';
import { RedisKeys } from '../../src/redis/redis-keys.js';
import { Redis } from 'ioredis';
import { startTestRedis, type TestRedis } from '../support/servers.js';
import { createIdentity, createWorkspace, startTestApp, type TestApp } from '../support/test-app.js';

describe('worker client against the real service', () => {
  let t: TestApp;
  let ws: { id: string; api_key: string };
  const sleeps: number[] = [];
  const client = (o: Partial<ConstructorParameters<typeof SmartLimitsClient>[0]> = {}) =>
    new SmartLimitsClient({ baseUrl: t.baseUrl, apiKey: ws.api_key, sleep: async (ms) => void sleeps.push(ms), random: () => 0.5, ...o });
  beforeAll(async () => {
    t = await startTestApp();
    ws = await createWorkspace(t);
  });
  afterAll(async () => {
    await t?.close();
  });

  it('guards and releases', async () => {
    const i = await createIdentity(t, ws.api_key, { pacing: 'off', limit_overrides: { LK_PROFILE_VISITS: 1 } });
    const c = client();
    const g = await c.guard(i.id, 'linkedin-visit-profile', { actionId: 'x1' });
    expect(g).toMatchObject({ allowed: true, recorded: true });
    expect(await c.release(i.id, 'linkedin-visit-profile', 'x1')).toBe(true);
    expect(await c.release(i.id, 'linkedin-visit-profile', 'x1')).toBe(false);
  });

  it('schedule() plans at the earliest time (the same one for a retry); runScheduled() waits until it, runs and reports', async () => {
    const i = await createIdentity(t, ws.api_key);
    const c = client();
    const first = await c.schedule(i.id, 'linkedin-visit-profile', { actionId: 'plan-1' });
    const second = await c.schedule(i.id, 'linkedin-visit-profile', { actionId: 'plan-2', notAfter: new Date(Date.now() + 3_600_000) });
    // The gap (30 s + the first one's jitter) separates them.
    expect(second.scheduledAt.getTime() - first.scheduledAt.getTime()).toBeGreaterThanOrEqual(30_000);
    expect((await c.schedule(i.id, 'linkedin-visit-profile', { actionId: 'plan-2' })).scheduledAt).toEqual(second.scheduledAt);
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
    const third = await c.schedule(i.id, 'linkedin-visit-profile', { actionId: 'plan-3' });
    await expect(
      c.runScheduled(third, async () => {
        throw new Error('browser crashed');
      }),
    ).rejects.toThrow('browser crashed');
    const list = await t.request('GET', `/v1/identities/${i.id}/schedule`, { key: ws.api_key });
    expect(list.body.actions.map((a: { action_id: string }) => a.action_id)).not.toContain('plan-3');
    // No time before not_after: the refusal the guard would give.
    const late = await c.schedule(i.id, 'linkedin-visit-profile', { actionId: 'plan-4', notAfter: new Date(Date.now() + 1_000) }).catch((e) => e);
    expect(late).toBeInstanceOf(TooSoonError);
  });

  it('throws LimitReachedError with availableAt and never retries it', async () => {
    const i = await createIdentity(t, ws.api_key, { pacing: 'off', limit_overrides: { LK_PROFILE_VISITS: 1 } });
    const c = client();
    await c.guard(i.id, 'linkedin-visit-profile', { actionId: 'a' });
    sleeps.length = 0;
    const err = await c.guard(i.id, 'linkedin-visit-profile', { actionId: 'b' }).catch((e) => e);
    expect(err).toBeInstanceOf(LimitReachedError);
    expect(err.availableAt).toBeInstanceOf(Date);
    expect(err.limit).toBe('LK_PROFILE_VISITS');
    expect(err.retryAfterSeconds).toBeGreaterThan(0);
    expect(sleeps).toEqual([]);
  });

  it('throws TooSoonError, InFlightError and OutsideWorkingHoursError with availableAt, never retried; next() says when', async () => {
    const i = await createIdentity(t, ws.api_key);
    const c = client();
    sleeps.length = 0;
    await c.guard(i.id, 'linkedin-visit-profile', { actionId: 'v1' });
    const soon = await c.guard(i.id, 'linkedin-visit-profile', { actionId: 'v2' }).catch((e) => e);
    expect(soon).toBeInstanceOf(TooSoonError);
    expect(soon.availableAt).toBeInstanceOf(Date);
    expect(soon.limit).toBe('LK_PROFILE_VISITS');
    expect(soon.blockedBy.map((b: { rule: string }) => b.rule)).toEqual(['gap']);
    await c.guard(i.id, 'linkedin-like-post', { actionId: 'like-1' });
    const flight = await c.guard(i.id, 'linkedin-follow-profile', { actionId: 'follow-1' }).catch((e) => e);
    expect(flight).toBeInstanceOf(InFlightError);
    expect(flight.inFlightActionId).toBe('like-1');
    expect(flight.leaseEndsAt).toBeInstanceOf(Date);
    expect(flight.availableAt!.getTime()).toBe(flight.leaseEndsAt!.getTime());
    const n = await c.next(i.id, 'linkedin-follow-profile');
    expect(n).toMatchObject({ allowed_now: false, available_at: flight.availableAt!.toISOString() });
    const closed = await createIdentity(t, ws.api_key, { schedule: { days: [1], start: '00:00', end: '00:01', start_jitter_minutes: 0 } });
    const now = new Date();
    if (!(now.getUTCDay() === 1 && now.getUTCHours() === 0 && now.getUTCMinutes() === 0)) {
      const shut = await c.guard(closed.id, 'linkedin-visit-profile', { actionId: 'x' }).catch((e) => e);
      expect(shut).toBeInstanceOf(OutsideWorkingHoursError);
      expect(shut.opensAt).toBeInstanceOf(Date);
      expect(shut.availableAt).toEqual(shut.opensAt);
    }
    expect(sleeps).toEqual([]);
  });

  it('run() reports the outcome with its action_id, so the lease frees at once', async () => {
    const i = await createIdentity(t, ws.api_key);
    const c = client();
    await c.run(i.id, 'linkedin-like-post', async () => 200, { actionId: 'r-like' });
    const g = await c.guard(i.id, 'linkedin-follow-profile', { actionId: 'r-follow' });
    expect(g.recorded).toBe(true);
  });

  it('throws CooldownError without retrying', async () => {
    const i = await createIdentity(t, ws.api_key, { pacing: 'off' });
    const redis = new Redis(t.config.redis.url!);
    await redis.set(
      new RedisKeys(t.config.redis.keyPrefix).identityCooldown(ws.id, i.id),
      JSON.stringify({ reason: 'BLOCKED_ANTIBOT', level: 1, ends_at: null }),
      'PX',
      60_000,
    );
    await redis.quit();
    sleeps.length = 0;
    const err = await client()
      .guard(i.id, 'linkedin-visit-profile', { actionId: 'c' })
      .catch((e) => e);
    expect(err).toBeInstanceOf(CooldownError);
    expect(err.reason).toBe('BLOCKED_ANTIBOT');
    expect(sleeps).toEqual([]);
  });

  it('honours Retry-After with jitter on internal 429s, a bounded number of times', async () => {
    const tight = await createWorkspace(t);
    await t.admin('PATCH', `/v1/workspaces/${tight.id}`, {
      custom_limits: { '/v1/actions': { per_second: 1, per_minute: 1 }, '/v1/identities': { per_second: 100, per_minute: 1000 } },
    });
    const i = await createIdentity(t, tight.api_key, { pacing: 'off' });
    const c = new SmartLimitsClient({
      baseUrl: t.baseUrl,
      apiKey: tight.api_key,
      maxAttempts: 3,
      maxRetryWaitMs: 600_000,
      sleep: async (ms) => void sleeps.push(ms),
      random: () => 0.5,
    });
    await c.guard(i.id, 'linkedin-visit-profile', { actionId: 'r1' });
    sleeps.length = 0;
    const err = await c.guard(i.id, 'linkedin-visit-profile', { actionId: 'r2' }).catch((e) => e);
    expect(err).toBeInstanceOf(RateLimitedError);
    expect(sleeps).toHaveLength(2);
    // Retry-After (seconds) × 1.1 with random 0.5.
    expect(sleeps[0]).toBe(err.retryAfterSeconds * 1000 * 1.1);
  });

  it('run() releases the slot when the action fails before reaching LinkedIn', async () => {
    const i = await createIdentity(t, ws.api_key, { pacing: 'off', limit_overrides: { LK_PROFILE_VISITS: 1 } });
    const c = client();
    await expect(c.run(i.id, 'linkedin-visit-profile', async () => Promise.reject(new Error('browser crashed')), { actionId: 'v1' })).rejects.toThrow(
      'browser crashed',
    );
    const l = await t.request('GET', `/v1/identities/${i.id}/limits`, { key: ws.api_key });
    expect(l.body.limits.find((x: { slug: string }) => x.slug === 'LK_PROFILE_VISITS').consumed).toBe(0);
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
    const c = client({ pacePerMinute: 600 });
    sleeps.length = 0;
    for (let k = 0; k < 3; k++) await c.guard(i.id, 'linkedin-visit-profile', { actionId: `p${k}` });
    // The 2nd and 3rd calls wait for their slot (≈100 ms apart); the first does not.
    expect(sleeps.length).toBe(2);
    for (const s of sleeps) expect(s).toBeLessThanOrEqual(200);
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

  it('retries 503 a bounded number of times, then throws StoreUnavailableError', async () => {
    const ws = await createWorkspace(t);
    const i = await createIdentity(t, ws.api_key, { pacing: 'off' });
    await redis.stop();
    const sleeps: number[] = [];
    const c = new SmartLimitsClient({
      baseUrl: t.baseUrl,
      apiKey: ws.api_key,
      maxAttempts: 2,
      sleep: async (ms) => void sleeps.push(ms),
      random: () => 0,
    });
    const err = await c.guard(i.id, 'linkedin-visit-profile', { actionId: 'd1' }).catch((e) => e);
    expect(err).toBeInstanceOf(StoreUnavailableError);
    expect(sleeps).toEqual([1000]);
  });
});
