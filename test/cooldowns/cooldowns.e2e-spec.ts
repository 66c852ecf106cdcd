import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { SmartLimitsClient } from 'smart-limits-client';
import { ManualClock } from '../../src/common/clock.js';
import { CooldownMirror } from '../../src/cooldowns/cooldown-mirror.service.js';
import { CooldownsService } from '../../src/cooldowns/cooldowns.service.js';
import { createIdentity, createWorkspace, startTestApp, type TestApp } from '../support/test-app.js';
import { DAY, eventsOf, HOUR, LINKEDIN_429, workerCalls } from './cooldown-helpers.js';

const T0 = Date.parse('2030-02-04T08:00:00.000Z');
const connect429 = { action_slug: 'linkedin-connect-profile', ...LINKEDIN_429 };

describe('cooldowns: escalation, Retry-After, manual, clear, history', () => {
  const clock = new ManualClock(T0);
  let t: TestApp;
  let ws: { id: string; api_key: string };
  let w: ReturnType<typeof workerCalls>;

  beforeAll(async () => {
    t = await startTestApp({ clock });
    ws = await createWorkspace(t);
    w = workerCalls(t, ws.api_key);
  });
  afterAll(async () => {
    await t?.close();
  });

  it("escalates with recurrence: 4 h on the action's limits, then 24 h, then 72 h on the whole identity and at_risk", async () => {
    clock.set(T0);
    const i = await createIdentity(t, ws.api_key);
    const first = await w.outcome(i.id, connect429);
    expect(first.body.cooldown).toMatchObject({ scope: 'limits', level: 1, reason: 'STATUS_429_STRIKE_1', at_risk: false });

    clock.set(T0 + 5 * HOUR);
    // Mirror TTLs run on Redis's real clock; re-mirroring at the injected time lifts it as the TTL would.
    await t.app.get(CooldownMirror).mirrorIdentity({ workspaceId: ws.id, identityId: i.id });
    expect((await w.guard(i.id, 'linkedin-connect-profile', 'after-first')).status).toBe(200);
    const second = await w.outcome(i.id, connect429);
    expect(second.body.cooldown).toMatchObject({ scope: 'limits', level: 2, reason: 'STATUS_429_STRIKE_2' });
    expect(Date.parse(second.body.cooldown.ends_at)).toBeGreaterThanOrEqual(T0 + 5 * HOUR + DAY);
    expect((await w.guard(i.id, 'linkedin-connect-profile', 'during-second')).status).toBe(429);
    expect((await w.guard(i.id, 'linkedin-visit-profile', 'visit')).status).toBe(200);

    // Escalation reads the history in PostgreSQL, not an instance's memory: another instance,
    // which saw neither earlier strike, escalates to the third.
    const other = await startTestApp({ clock, keyPrefix: t.config.redis.keyPrefix });
    let third;
    try {
      clock.set(T0 + 32 * HOUR);
      third = await workerCalls(other, ws.api_key).outcome(i.id, connect429);
    } finally {
      await other.close();
    }
    expect(third.body.cooldown).toMatchObject({ scope: 'identity', limits: [], level: 3, reason: 'STATUS_429_STRIKE_3', at_risk: true });
    expect(Date.parse(third.body.cooldown.ends_at)).toBeGreaterThanOrEqual(T0 + 32 * HOUR + 3 * DAY);
    const refused = await w.guard(i.id, 'linkedin-visit-profile', 'visit-2');
    expect(refused.body.error.details).toMatchObject({ scope: 'identity', level: 3, reason: 'STATUS_429_STRIKE_3' });

    const events = await eventsOf(t, i.id);
    expect(events.map((e) => e.type)).toEqual(['cooldown.started', 'cooldown.started', 'cooldown.started', 'identity.at_risk']);
    expect(events[3].payload).toMatchObject({ identity_id: i.id, cooldown_id: third.body.cooldown.id, reason: 'STATUS_429_STRIKE_3', level: 3 });
  });

  it('strikes decay after 72 h without incident', async () => {
    clock.set(T0);
    const i = await createIdentity(t, ws.api_key);
    await w.outcome(i.id, connect429);
    clock.set(T0 + 4 * DAY);
    const again = await w.outcome(i.id, connect429);
    expect(again.body.cooldown).toMatchObject({ level: 1, reason: 'STATUS_429_STRIKE_1' });
  });

  it('429s of actions already in flight join the running cooldown: one strike, not three', async () => {
    clock.set(T0);
    const i = await createIdentity(t, ws.api_key);
    const reports = await Promise.all([1, 2, 3].map((n) => w.outcome(i.id, { ...connect429, action_id: `inflight-${n}` })));
    expect(reports.map((r) => r.status)).toEqual([200, 200, 200]);
    expect(reports.map((r) => r.body.effect).sort()).toEqual(['absorbed', 'absorbed', 'started']);
    expect(new Set(reports.map((r) => r.body.cooldown.id)).size).toBe(1);
    expect(reports.every((r) => r.body.cooldown.level === 1)).toBe(true);
    const errors = await t.app.get(CooldownsService).recentErrors({ workspaceId: ws.id, identityId: i.id });
    expect(errors.map((e) => e.strike).sort()).toEqual([false, false, true]);
    expect(errors.map((e) => e.action_id).sort()).toEqual(['inflight-1', 'inflight-2', 'inflight-3']);
    // The next pushback after it is strike 2.
    clock.set(T0 + 5 * HOUR);
    expect((await w.outcome(i.id, connect429)).body.cooldown.level).toBe(2);
  });

  it("never shorter than LinkedIn's Retry-After (plus up to 10 % jitter); a later Retry-After extends the running one", async () => {
    clock.set(T0);
    const i = await createIdentity(t, ws.api_key);
    const r = await w.outcome(i.id, { ...connect429, headers: { 'Retry-After': '36000' } });
    expect(r.body.classification.retry_after_seconds).toBe(36000);
    const ends = Date.parse(r.body.cooldown.ends_at);
    expect(ends).toBeGreaterThanOrEqual(T0 + 10 * HOUR);
    expect(ends).toBeLessThanOrEqual(T0 + 11 * HOUR + 1000);
    const refused = await w.guard(i.id, 'linkedin-connect-profile', 'x');
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(36000 - 5);

    clock.set(T0 + HOUR);
    const longer = await w.outcome(i.id, { ...connect429, headers: { 'Retry-After': '72000' } });
    expect(longer.body.effect).toBe('extended');
    expect(longer.body.cooldown).toMatchObject({ level: 1, reason: 'STATUS_429_STRIKE_1' });
    expect(Date.parse(longer.body.cooldown.ends_at)).toBeGreaterThanOrEqual(T0 + 21 * HOUR);
    const history = (await w.history(i.id)).body.data;
    expect(history.map((c: { ended_by: string | null }) => c.ended_by)).toEqual([null, 'superseded']);
    const types = (await eventsOf(t, i.id)).map((e) => e.type);
    expect(types).toEqual(['cooldown.started', 'cooldown.ended', 'cooldown.started']);
    // The extension was the same incident: the next pushback is strike 2 and not yet a recurrence.
    clock.set(T0 + 24 * HOUR);
    expect((await w.outcome(i.id, connect429)).body.cooldown).toMatchObject({ level: 2, at_risk: false });
  });

  it('manual cooldowns (identity-wide or one limit), clear, and the history newest first', async () => {
    clock.set(T0);
    const i = await createIdentity(t, ws.api_key);
    const whole = await w.manual(i.id, { duration_seconds: 3600, reason: 'owner is travelling' });
    expect(whole.status).toBe(201);
    expect(whole.body).toMatchObject({
      scope: 'identity',
      limits: [],
      reason: 'owner is travelling',
      source: 'manual',
      started_at: new Date(T0).toISOString(),
      ends_at: new Date(T0 + HOUR).toISOString(),
      active: true,
    });
    const refused = await w.guard(i.id, 'linkedin-visit-profile', 'v');
    expect(refused.body.error.details).toMatchObject({ reason: 'owner is travelling', cooldown_id: whole.body.id });
    expect(Number(refused.headers.get('retry-after'))).toBeLessThanOrEqual(3600);

    clock.set(T0 + 1000);
    const one = await w.manual(i.id, { duration_seconds: 7200, reason: 'slow down visits', limit: 'LK_PROFILE_VISITS' });
    expect(one.body).toMatchObject({ scope: 'limits', limits: ['LK_PROFILE_VISITS'] });

    const h = await w.history(i.id);
    expect(h.status).toBe(200);
    expect(h.body.data.map((c: { id: string }) => c.id)).toEqual([one.body.id, whole.body.id]);
    const paged = await w.history(i.id, '?limit=1');
    expect(paged.body.data).toHaveLength(1);
    const next = await w.history(i.id, `?limit=1&cursor=${paged.body.next_cursor}`);
    expect(next.body.data[0].id).toBe(whole.body.id);
    expect(next.body.next_cursor).toBeNull();

    const cleared = await w.clear(i.id);
    expect(cleared.status).toBe(200);
    expect(cleared.body.cleared.map((c: { ended_by: string }) => c.ended_by)).toEqual(['cleared', 'cleared']);
    expect((await w.guard(i.id, 'linkedin-visit-profile', 'v2')).status).toBe(200);
    const after = await w.history(i.id);
    expect(after.body.data.every((c: { active: boolean; ended_at: string }) => !c.active && c.ended_at === new Date(T0 + 1000).toISOString())).toBe(
      true,
    );
    expect((await w.clear(i.id)).body.cleared).toEqual([]);
    const types = (await eventsOf(t, i.id)).map((e) => e.type);
    expect(types).toEqual(['cooldown.started', 'cooldown.started', 'cooldown.ended', 'cooldown.ended']);
  });

  it('validates input and keeps workspaces apart', async () => {
    const i = await createIdentity(t, ws.api_key);
    const bad = await w.manual(i.id, { duration_seconds: 0, reason: '', limit: 'lower' });
    expect(bad.status).toBe(400);
    expect(Object.keys(bad.body.error.details).sort()).toEqual(['duration_seconds', 'limit', 'reason']);
    const unknown = await w.manual(i.id, { duration_seconds: 60, reason: 'x', limit: 'LK_NOPE' });
    expect(unknown.status).toBe(400);
    expect(unknown.body.error.details).toEqual({ limit: ['unknown limit; see GET /v1/catalog'] });
    expect((await w.history(i.id, '?cursor=bogus')).status).toBe(400);

    const other = await createWorkspace(t);
    const o = workerCalls(t, other.api_key);
    expect((await o.history(i.id)).status).toBe(404);
    expect((await o.manual(i.id, { duration_seconds: 60, reason: 'x' })).status).toBe(404);
    expect((await o.clear(i.id)).status).toBe(404);
    expect((await o.outcome(i.id, connect429)).status).toBe(404);
    expect((await w.history('not-a-uuid')).status).toBe(404);
  });
});

describe('outcome and classify bodies', () => {
  let t: TestApp;
  let key: string;
  beforeAll(async () => {
    t = await startTestApp({ clock: new ManualClock(T0) });
    key = (await createWorkspace(t)).api_key;
  });
  afterAll(async () => {
    await t?.close();
  });

  it('POST /v1/classify classifies without recording', async () => {
    const r = await t.request('POST', '/v1/classify', { key, body: { action_slug: 'anything', status_code: 999 } });
    expect(r.status).toBe(200);
    expect(r.body).toEqual({
      classification: {
        type: 'antibot',
        status_code: 999,
        error_label: 'BLOCKED_ANTIBOT',
        origin: 'linkedin',
        retryable: true,
        retry_after_seconds: null,
        signal: 'http_999',
        cooldown_rule: 'antibot',
      },
    });
    expect((await t.request('POST', '/v1/classify', { key: null, body: { action_slug: 'x', status_code: 999 } })).status).toBe(401);
  });

  it('a body up to 16 KiB is read; larger gets 400 naming the field, in the envelope', async () => {
    const i = await createIdentity(t, key);
    const limit = 16 * 1024;
    const ok = await t.request('POST', '/v1/classify', {
      key,
      body: { action_slug: 'x', status_code: 403, body: 'a'.repeat(limit - 40) + ' account has been restricted' },
    });
    expect(ok.body.classification.type).toBe('restricted');
    for (const path of ['/v1/classify', `/v1/identities/${i.id}/outcomes`]) {
      const big = await t.request('POST', path, {
        key,
        body: { action_slug: 'linkedin-visit-profile', status_code: 429, body: 'é'.repeat(limit / 2 + 1) },
      });
      expect(big.status).toBe(400);
      expect(big.body.error).toMatchObject({ code: 400, error_label: 'VALIDATION_FAILED' });
      expect(big.body.error.details.body[0]).toMatch(/16 KiB/);
      const bigObject = await t.request('POST', path, {
        key,
        body: { action_slug: 'linkedin-visit-profile', status_code: 429, body: { html: 'x'.repeat(limit) } },
      });
      expect(bigObject.status).toBe(400);
    }
    // Nothing was recorded by the refused reports.
    expect((await t.request('GET', `/v1/identities/${i.id}/cooldowns`, { key })).body.data).toEqual([]);
  });

  it('the worker client trims a whole page to the 16 KiB the service reads', async () => {
    const i = await createIdentity(t, key);
    const client = new SmartLimitsClient({ baseUrl: t.baseUrl, apiKey: key });
    const page = '<html><h1>Your account has been restricted</h1>' + '<p>ü</p>'.repeat(10_000) + '</html>';
    const r = await client.reportOutcome(i.id, 'linkedin-visit-profile', { statusCode: 403, body: page });
    expect(r).toMatchObject({ classification: { type: 'restricted' }, cooldown: { reason: 'RESTRICTED' }, effect: 'started' });
  });

  it('lists every field problem', async () => {
    const i = await createIdentity(t, key);
    const r = await t.request('POST', `/v1/identities/${i.id}/outcomes`, {
      key,
      body: { status_code: 1000, headers: { a: { nested: true } }, body: 12, error_label: 5, extra: 1 },
    });
    expect(r.status).toBe(400);
    expect(Object.keys(r.body.error.details).sort()).toEqual(['action_slug', 'body', 'error_label', 'extra', 'headers', 'status_code']);
    const unknownAction = await t.request('POST', `/v1/identities/${i.id}/outcomes`, {
      key,
      body: { action_slug: 'linkedin-fly', status_code: 429 },
    });
    expect(unknownAction.status).toBe(400);
    expect(unknownAction.body.error.details).toEqual({ action_slug: ['unknown action; see GET /v1/catalog'] });
    const big = await t.request('POST', `/v1/identities/${i.id}/outcomes`, {
      key,
      raw: JSON.stringify({ action_slug: 'x', status_code: 429, body: 'x'.repeat(70_000) }),
      headers: { 'content-type': 'application/json' },
    });
    expect(big.status).toBe(413);
    expect(big.body.error.code).toBe(413);
  });
});
