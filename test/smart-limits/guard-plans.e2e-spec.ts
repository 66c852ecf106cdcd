import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ManualClock } from '../../src/common/clock.js';
import { createIdentity, createWorkspace, startTestApp, type TestApp } from '../support/test-app.js';

const DAY = 86_400_000;
const T0 = Date.parse('2026-11-02T08:00:00.000Z');

/**
 * The guard's plans (thresholds, pacing, keys) are cached per identity and action (issue 18): a change
 * of the identity is in force at the next guard on the instance that made it and, once its NOTIFY
 * arrives, on the others; the warm-up ramp's next day at its first millisecond.
 */
describe('cached guard plans', () => {
  const clock = new ManualClock(T0);
  let a: TestApp;
  let b: TestApp;
  let key: string;
  let n = 0;
  const guard = (t: TestApp, identityId: string, action: string, body: Record<string, unknown> = {}) =>
    t.request('POST', `/v1/identities/${identityId}/actions/${action}/guard`, { key, body: { action_id: `p-${n++}`, ...body } });
  const maxOf = (r: { body: { limits: { slug: string; max_limit: number }[] } }, slug: string) =>
    r.body.limits.find((l) => l.slug === slug)?.max_limit;
  const patch = async (id: string, body: Record<string, unknown>) => {
    const r = await a.request('PATCH', `/v1/identities/${id}`, { key, body });
    expect(r.status).toBe(200);
  };
  /** Instance b hears of a change through PostgreSQL NOTIFY: asked until it answers as a does. */
  const eventually = async (check: () => Promise<boolean>) => {
    for (let k = 0; k < 200 && !(await check()); k++) await new Promise((r) => setTimeout(r, 50));
    expect(await check()).toBe(true);
  };

  beforeAll(async () => {
    const keyPrefix = `plans${randomBytes(3).toString('hex')}`;
    a = await startTestApp({ clock, keyPrefix });
    b = await startTestApp({ clock, keyPrefix });
    key = (await createWorkspace(a, { monthly_credits: 50_000_000 })).api_key;
  });
  afterAll(async () => {
    await a?.close();
    await b?.close();
  });

  it('answers a changed threshold at the next guard, here and on another instance', async () => {
    clock.set(T0);
    const i = await createIdentity(a, key, { pacing: 'off' });
    expect(maxOf(await guard(a, i.id, 'linkedin-visit-profile'), 'LK_PROFILE_VISITS')).toBe(50);
    expect(maxOf(await guard(b, i.id, 'linkedin-visit-profile'), 'LK_PROFILE_VISITS')).toBe(50);
    await patch(i.id, { limit_overrides: { LK_PROFILE_VISITS: 7 } });
    expect(maxOf(await guard(a, i.id, 'linkedin-visit-profile'), 'LK_PROFILE_VISITS')).toBe(7);
    await eventually(async () => maxOf(await guard(b, i.id, 'linkedin-visit-profile'), 'LK_PROFILE_VISITS') === 7);
    await patch(i.id, { limit_overrides: {}, level: 'conservative' });
    const conservative = maxOf(await guard(a, i.id, 'linkedin-visit-profile'), 'LK_PROFILE_VISITS');
    expect(conservative).toBeLessThan(50);
    await eventually(async () => maxOf(await guard(b, i.id, 'linkedin-visit-profile'), 'LK_PROFILE_VISITS') === conservative);
  });

  it('answers a changed account type and a pause at the next guard', async () => {
    clock.set(T0);
    const i = await createIdentity(a, key, { account_type: 'premium', pacing: 'off' });
    expect((await guard(a, i.id, 'linkedin-send-inmail')).status).toBe(200);
    expect((await guard(b, i.id, 'linkedin-send-inmail')).status).toBe(200);
    await patch(i.id, { account_type: 'free' });
    const refused = await guard(a, i.id, 'linkedin-send-inmail');
    expect(refused.status).toBe(403);
    expect(refused.body.error.error_label).toBe('NO_VALID_ACCOUNT_CONFIGURED');
    await eventually(async () => (await guard(b, i.id, 'linkedin-send-inmail')).status === 403);
    await patch(i.id, { status: 'paused' });
    expect((await guard(a, i.id, 'linkedin-visit-profile')).body.error.error_label).toBe('IDENTITY_PAUSED');
    await eventually(async () => (await guard(b, i.id, 'linkedin-visit-profile')).status === 409);
  });

  it('follows the warm-up ramp to the millisecond, as the limits read (which does not cache) says', async () => {
    clock.set(T0);
    const i = await createIdentity(a, key, { pacing: 'off', warmup: 'standard', warmup_started_at: new Date(T0).toISOString() });
    const read = async () =>
      (await a.request('GET', `/v1/identities/${i.id}/actions/linkedin-visit-profile/limits`, { key })).body.limits.find(
        (l: { slug: string }) => l.slug === 'LK_PROFILE_VISITS',
      ).max_limit as number;
    clock.set(T0 + DAY - 1);
    const day1 = maxOf(await guard(a, i.id, 'linkedin-visit-profile'), 'LK_PROFILE_VISITS');
    expect(day1).toBe(await read());
    clock.set(T0 + DAY);
    const day2 = maxOf(await guard(a, i.id, 'linkedin-visit-profile'), 'LK_PROFILE_VISITS');
    expect(day2).toBe(await read());
    expect(day2).toBeGreaterThan(day1!);
    // A cost of several units puts them in the window; the plan made for one unit is not changed by it.
    const many = await guard(a, i.id, 'linkedin-visit-profile', { cost: 3 });
    const one = await guard(a, i.id, 'linkedin-visit-profile');
    const consumed = (r: typeof one) => r.body.limits.find((l: { slug: string }) => l.slug === 'LK_PROFILE_VISITS').consumed as number;
    expect(consumed(one) - consumed(many)).toBe(1);
  });
});
