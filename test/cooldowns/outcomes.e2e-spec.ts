import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ManualClock } from '../../src/common/clock.js';
import { createIdentity, createWorkspace, startTestApp, type TestApp } from '../support/test-app.js';
import { DAY, eventsOf, HOUR, LINKEDIN_429, workerCalls } from './cooldown-helpers.js';

// In the future of the real clock, so no real-time job of another test ever ends these cooldowns.
const T0 = Date.parse('2030-01-07T08:00:00.000Z');
const INVITES = ['LK_INVITATIONS_SENT', 'LK_INVITATIONS_WEEKLY'];

/** ends_at lies in [base, base + 10 %] after `from` (the policy's jitter), whole seconds up. */
function expectEnds(endsAt: string, from: number, baseMs: number) {
  const t = Date.parse(endsAt);
  expect(t).toBeGreaterThanOrEqual(from + baseMs);
  expect(t).toBeLessThanOrEqual(from + Math.ceil(baseMs * 1.1) + 1000);
}

describe('outcomes: each row of the signal table through HTTP', () => {
  const clock = new ManualClock(T0);
  let t: TestApp;
  let key: string;
  let w: ReturnType<typeof workerCalls>;

  beforeAll(async () => {
    t = await startTestApp({ clock });
    key = (await createWorkspace(t)).api_key;
    w = workerCalls(t, key);
  });
  afterAll(async () => {
    await t?.close();
  });

  it("internal (the seed's rate-limit 429): no cooldown, logged, the caller backs off by Retry-After", async () => {
    clock.set(T0);
    const i = await createIdentity(t, key);
    const body = {
      error: {
        code: 429,
        status: 'Too Many Requests',
        message: 'Rate limit exceeded (/v1/actions)',
        details: { 'Retry-After': '60', 'X-RateLimit-Type': '/v1/actions' },
      },
    };
    const r = await w.outcome(i.id, { action_slug: 'linkedin-visit-profile', status_code: 429, headers: { 'Retry-After': '60' }, body });
    expect(r.status).toBe(200);
    expect(r.body).toEqual({
      classification: {
        type: 'internal',
        status_code: 429,
        error_label: null,
        origin: 'api',
        retryable: true,
        retry_after_seconds: 60,
        signal: 'api_rate_limit',
        cooldown_rule: 'none',
      },
      cooldown: null,
      effect: 'none',
    });
    expect((await w.guard(i.id, 'linkedin-visit-profile', 'v1')).status).toBe(200);
    expect(await eventsOf(t, i.id)).toEqual([]);
  });

  it('detected (429 LIMIT_REACHED): no cooldown', async () => {
    const i = await createIdentity(t, key);
    const r = await w.outcome(i.id, { action_slug: 'linkedin-connect-profile', status_code: 429, error_label: 'LIMIT_REACHED' });
    expect(r.body).toMatchObject({ classification: { type: 'detected', error_label: 'LIMIT_REACHED', origin: 'smart-limits' }, cooldown: null });
    expect((await w.guard(i.id, 'linkedin-connect-profile', 'c1')).status).toBe(200);
  });

  it("passive, 1st strike: the action's limits for 4 h; other actions go on", async () => {
    clock.set(T0);
    const i = await createIdentity(t, key);
    const r = await w.outcome(i.id, { action_slug: 'linkedin-connect-profile', action_id: 'c-9', ...LINKEDIN_429 });
    expect(r.status).toBe(200);
    expect(r.body.classification).toMatchObject({
      type: 'passive',
      status_code: 429,
      error_label: 'STATUS_429',
      origin: 'linkedin',
      retryable: true,
    });
    expect(r.body.effect).toBe('started');
    expect(r.body.cooldown).toMatchObject({
      identity_id: i.id,
      scope: 'limits',
      limits: INVITES,
      reason: 'STATUS_429_STRIKE_1',
      level: 1,
      source: 'outcome',
      source_status: 429,
      action_slug: 'linkedin-connect-profile',
      started_at: new Date(T0).toISOString(),
      active: true,
    });
    expectEnds(r.body.cooldown.ends_at, T0, 4 * HOUR);
    const refused = await w.guard(i.id, 'linkedin-connect-profile', 'c-10');
    expect(refused.status).toBe(429);
    expect(refused.body.error).toMatchObject({
      error_label: 'COOLDOWN',
      details: { cooldown_id: r.body.cooldown.id, reason: 'STATUS_429_STRIKE_1', level: 1, ends_at: r.body.cooldown.ends_at },
    });
    const retryAfter = Number(refused.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThan(4 * 3600 - 5);
    expect(retryAfter).toBeLessThanOrEqual(Math.ceil((Date.parse(r.body.cooldown.ends_at) - T0) / 1000));
    expect((await w.guard(i.id, 'linkedin-visit-profile', 'v-1')).status).toBe(200);
    const events = await eventsOf(t, i.id);
    expect(events.map((e) => e.type)).toEqual(['cooldown.started']);
    expect(events[0].payload).toMatchObject({ identity_id: i.id, cooldown: { id: r.body.cooldown.id }, classification: { type: 'passive' } });
  });

  it('CUSTOM_INVITE_LIMIT_REACHED: LK_INVITE_NOTES only, 30 days; invitations without a note go on', async () => {
    clock.set(T0);
    const i = await createIdentity(t, key);
    const r = await w.outcome(i.id, {
      action_slug: 'linkedin-connect-profile-with-note',
      status_code: 429,
      error_label: 'CUSTOM_INVITE_LIMIT_REACHED',
    });
    expect(r.body.classification).toMatchObject({ type: 'weekly_limit', error_label: 'NOTE_LIMIT' });
    expect(r.body.cooldown).toMatchObject({ scope: 'limits', limits: ['LK_INVITE_NOTES'], reason: 'NOTE_LIMIT' });
    expectEnds(r.body.cooldown.ends_at, T0, 30 * DAY);
    expect((await w.guard(i.id, 'linkedin-connect-profile-with-note', 'n-1')).status).toBe(429);
    expect((await w.guard(i.id, 'linkedin-connect-profile', 'c-1')).status).toBe(200);
  });

  it('weekly invitation limit: invitation limits only, until the 7-day window frees', async () => {
    clock.set(T0);
    const i = await createIdentity(t, key);
    // The oldest invitation of the week was sent two days ago: one more fits in five days.
    expect((await w.guard(i.id, 'linkedin-connect-profile', 'old', { occurred_at: new Date(T0 - 2 * DAY).toISOString() })).status).toBe(200);
    const r = await w.outcome(i.id, {
      action_slug: 'linkedin-connect-profile',
      status_code: 400,
      body: "You've reached the weekly invitation limit",
    });
    expect(r.body.classification).toMatchObject({ type: 'weekly_limit', error_label: 'WEEKLY_LIMIT' });
    expect(r.body.cooldown).toMatchObject({ scope: 'limits', limits: [...INVITES, 'LK_INVITE_NOTES'], reason: 'WEEKLY_LIMIT' });
    expectEnds(r.body.cooldown.ends_at, T0, 5 * DAY);
    // Scope: invitations are blocked, messages and visits are not.
    expect((await w.guard(i.id, 'linkedin-connect-profile', 'c-1')).body.error.error_label).toBe('COOLDOWN');
    expect((await w.guard(i.id, 'linkedin-connect-profile-with-note', 'c-2')).status).toBe(429);
    expect((await w.guard(i.id, 'linkedin-message-profile', 'm-1')).status).toBe(200);
    expect((await w.guard(i.id, 'linkedin-visit-profile', 'v-1')).status).toBe(200);
  });

  it('a weekly limit with an empty window waits the whole week; at least 24 h when it frees sooner', async () => {
    clock.set(T0);
    const empty = await createIdentity(t, key);
    const a = await w.outcome(empty.id, { action_slug: 'linkedin-connect-profile', status_code: 422, body: 'Cannot resend yet' });
    expectEnds(a.body.cooldown.ends_at, T0, 7 * DAY);
    const soon = await createIdentity(t, key);
    await w.guard(soon.id, 'linkedin-connect-profile', 'old', { occurred_at: new Date(T0 - 7 * DAY + HOUR).toISOString() });
    const b = await w.outcome(soon.id, { action_slug: 'linkedin-connect-profile', status_code: 429, error_label: 'WEEKLY_LIMIT' });
    expectEnds(b.body.cooldown.ends_at, T0, DAY);
  });

  it('HTTP 999: the whole identity for 24 h', async () => {
    clock.set(T0);
    const i = await createIdentity(t, key);
    const r = await w.outcome(i.id, { action_slug: 'linkedin-visit-profile', status_code: 999, body: '<html></html>' });
    expect(r.body.classification).toMatchObject({ type: 'antibot', error_label: 'BLOCKED_ANTIBOT' });
    expect(r.body.cooldown).toMatchObject({ scope: 'identity', limits: [], reason: 'BLOCKED_ANTIBOT' });
    expectEnds(r.body.cooldown.ends_at, T0, DAY);
    const refused = await w.guard(i.id, 'linkedin-message-profile', 'm-1');
    expect(refused.body.error).toMatchObject({ error_label: 'COOLDOWN', details: { scope: 'identity', reason: 'BLOCKED_ANTIBOT' } });
  });

  it('checkpoint / challenge: the whole identity until a person clears it (no Retry-After)', async () => {
    clock.set(T0);
    const i = await createIdentity(t, key);
    const r = await w.outcome(i.id, {
      action_slug: 'linkedin-visit-profile',
      status_code: 302,
      headers: { Location: 'https://www.linkedin.com/checkpoint/challenge/AgHk?ut=2x' },
    });
    expect(r.body.classification).toMatchObject({ type: 'challenge', error_label: 'CHALLENGE', retryable: false });
    expect(r.body.cooldown).toMatchObject({ scope: 'identity', reason: 'CHALLENGE', ends_at: null, active: true });
    const refused = await w.guard(i.id, 'linkedin-visit-profile', 'v-1');
    expect(refused.status).toBe(429);
    expect(refused.headers.get('retry-after')).toBeNull();
    expect(refused.body.error.details.ends_at).toBeNull();
    // Still cooling down much later: only a person ends it.
    clock.set(T0 + 30 * DAY);
    expect((await w.guard(i.id, 'linkedin-visit-profile', 'v-2')).status).toBe(429);
    expect((await w.clear(i.id)).body.cleared).toHaveLength(1);
    expect((await w.guard(i.id, 'linkedin-visit-profile', 'v-3')).status).toBe(200);
  });

  it('account restricted: the whole identity for at least 48 h, and the warm-up restarts at 50 %', async () => {
    clock.set(T0);
    const i = await createIdentity(t, key, { warmup: 'standard', warmup_started_at: new Date(T0 - 20 * DAY).toISOString() });
    const before = await t.request('GET', `/v1/identities/${i.id}/limits`, { key });
    expect(before.body.limits.find((l: { slug: string }) => l.slug === 'LK_PROFILE_VISITS').max_limit).toBe(50);
    const r = await w.outcome(i.id, { action_slug: 'linkedin-visit-profile', status_code: 403, body: '<h1>Your account has been restricted</h1>' });
    expect(r.body.classification).toMatchObject({ type: 'restricted', error_label: 'RESTRICTED', retryable: false });
    expect(r.body.cooldown).toMatchObject({ scope: 'identity', reason: 'RESTRICTED' });
    expectEnds(r.body.cooldown.ends_at, T0, 48 * HOUR);
    // Day 1 of the restarted ramp: 0.5 + 0.5 × 1/5 of 50 visits.
    const after = await t.request('GET', `/v1/identities/${i.id}/limits`, { key });
    expect(after.body.limits.find((l: { slug: string }) => l.slug === 'LK_PROFILE_VISITS').max_limit).toBe(30);
  });

  it('401 / login redirect: the whole identity until reconnected (cleared)', async () => {
    clock.set(T0);
    const i = await createIdentity(t, key);
    const r = await w.outcome(i.id, { action_slug: 'linkedin-message-profile', status_code: 401, body: { status: 401 } });
    expect(r.body.classification).toMatchObject({ type: 'auth_expired', error_label: 'AUTH_EXPIRED' });
    expect(r.body.cooldown).toMatchObject({ scope: 'identity', reason: 'AUTH_EXPIRED', ends_at: null });
    const j = await createIdentity(t, key);
    const login = await w.outcome(j.id, {
      action_slug: 'linkedin-message-profile',
      status_code: 302,
      headers: { location: '/uas/login?session_redirect=%2Ffeed' },
    });
    expect(login.body.cooldown).toMatchObject({ reason: 'AUTH_EXPIRED' });
    expect((await w.guard(j.id, 'linkedin-visit-profile', 'v')).status).toBe(429);
  });

  it('5xx and timeouts: transient, no cooldown; successes are not logged', async () => {
    const i = await createIdentity(t, key);
    const a = await w.outcome(i.id, { action_slug: 'linkedin-visit-profile', status_code: 502, body: 'Bad Gateway' });
    expect(a.body).toMatchObject({ classification: { type: 'transient', retryable: true }, cooldown: null, effect: 'none' });
    const b = await w.outcome(i.id, { action_slug: 'linkedin-visit-profile', status_code: 0, error_label: 'ETIMEDOUT' });
    expect(b.body.classification).toMatchObject({ type: 'transient', signal: 'timeout' });
    const ok = await w.outcome(i.id, { action_slug: 'linkedin-visit-profile', status_code: 200, body: { id: 'profile' } });
    expect(ok.body).toMatchObject({ classification: { type: 'success' }, cooldown: null });
    expect((await w.guard(i.id, 'linkedin-visit-profile', 'v')).status).toBe(200);
  });
});
