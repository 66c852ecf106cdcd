import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ManualClock } from '../../src/common/clock.js';
import { createIdentity, createWorkspace, startTestApp, type TestApp } from '../support/test-app.js';

const T0 = Date.parse('2026-11-02T08:00:00.000Z');
const HOUR = 3_600_000;

/** When warm-up is what holds a limit down, the refusal and the reads say so. */
describe('warm-up in the guard’s words', () => {
  const clock = new ManualClock(T0);
  let t: TestApp;
  let key: string;
  const follow = (id: string, n: number) =>
    t.request('POST', `/v1/identities/${id}/actions/linkedin-follow-profile/guard`, { key, body: { action_id: `f${n}` } });
  const fill = async (id: string) => {
    for (let n = 0; ; n++) {
      const r = await follow(id, n);
      if (r.status !== 200) return r;
    }
  };

  beforeAll(async () => {
    t = await startTestApp({ clock });
    key = (await createWorkspace(t)).api_key;
  });
  afterAll(async () => {
    await t?.close();
  });

  it('LIMIT_REACHED on a ramp day names warm-up, its day and the full threshold', async () => {
    clock.set(T0 + HOUR);
    // A free account follows 30 a day; on day 1 of the standard ramp, 20 % of it: 6.
    const i = await createIdentity(t, key, { warmup: 'standard', warmup_started_at: new Date(T0).toISOString() });
    const refused = await fill(i.id);
    expect(refused.status).toBe(429);
    expect(refused.body.error.error_label).toBe('LIMIT_REACHED');
    expect(refused.body.error.details).toMatchObject({ limit: 'LK_FOLLOWS', max_limit: 6, warmup_factor: 0.2 });
    expect(refused.body.error.message).toBe(
      'LK_FOLLOWS is at its threshold for this identity (6 per 24 h): warm-up, day 1 allows 20 % of its full 30 (GET /v1/identities/{id}/health shows the ramp)',
    );

    const reads = await t.request('GET', `/v1/identities/${i.id}/limits`, { key });
    const bySlug = Object.fromEntries(reads.body.limits.map((l: { slug: string }) => [l.slug, l]));
    expect(bySlug.LK_FOLLOWS).toMatchObject({ max_limit: 6, warmup_factor: 0.2, has_reached_limit: true });
    // The standard ramp leaves weekly and monthly limits alone.
    expect(bySlug.LK_INVITATIONS_WEEKLY).toMatchObject({ max_limit: 100, warmup_factor: 1 });
    const one = await t.request('GET', `/v1/identities/${i.id}/actions/linkedin-follow-profile/limits`, { key });
    expect(one.body.limits[0]).toMatchObject({ slug: 'LK_FOLLOWS', warmup_factor: 0.2 });

    // Day 3: 60 %.
    clock.set(T0 + 2 * 24 * HOUR + HOUR);
    const later = await t.request('GET', `/v1/identities/${i.id}/limits`, { key });
    expect(later.body.limits.find((l: { slug: string }) => l.slug === 'LK_FOLLOWS')).toMatchObject({ max_limit: 18, warmup_factor: 0.6 });
  });

  it('says nothing of warm-up when it is not what limits', async () => {
    clock.set(T0 + HOUR);
    const full = await createIdentity(t, key, { warmup: 'none', limit_overrides: { LK_FOLLOWS: 2 } });
    const warming = await createIdentity(t, key, {
      warmup: 'standard',
      warmup_started_at: new Date(T0).toISOString(),
      limit_overrides: { LK_FOLLOWS: 2 },
    });
    for (const i of [full, warming]) {
      const refused = await fill(i.id);
      expect(refused.body.error.message).toBe('LK_FOLLOWS is at its threshold for this identity (2 per 24 h)');
      expect(refused.body.error.details.warmup_factor).toBe(1);
    }
  });
});
