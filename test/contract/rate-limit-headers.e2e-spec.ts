import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createIdentity, createWorkspace, startTestApp, type TestApp } from '../support/test-app.js';

/**
 * The README says every answer carries the X-RateLimit-* and IETF RateLimit fields. These are the
 * answers that used to lack them; the validation hook checks the same on every other answer.
 */
describe('rate-limit fields on every answer', () => {
  let t: TestApp;
  let key: string;
  beforeAll(async () => {
    t = await startTestApp();
    key = (await createWorkspace(t)).api_key;
  });
  afterAll(async () => {
    await t?.close();
  });

  const fields = (h: Headers) => ({
    limit: h.get('x-ratelimit-limit'),
    remaining: h.get('x-ratelimit-remaining'),
    reset: h.get('x-ratelimit-reset'),
    type: h.get('x-ratelimit-type'),
    policy: h.get('ratelimit-policy'),
    state: h.get('ratelimit'),
  });
  const described = (type: RegExp) => ({
    limit: expect.stringMatching(/^\d+$/),
    remaining: expect.stringMatching(/^\d+$/),
    reset: expect.stringMatching(/^\d+$/),
    type: expect.stringMatching(type),
    policy: expect.stringMatching(/;q=\d+;w=\d+/),
    state: expect.stringMatching(/;r=\d+;t=\d+/),
  });

  it('on guard refusals before its script runs (400, 403, 404), and on 401 and 413: the per-IP limit', async () => {
    const free = await createIdentity(t, key, { account_type: 'free' });
    const guard = (identity: string, action: string, body: unknown) =>
      t.request('POST', `/v1/identities/${identity}/actions/${action}/guard`, { key, body });
    const answers = [
      await guard(free.id, 'linkedin-connect-profile', { action_id: '' }),
      await guard(free.id, 'linkedin-send-inmail', { action_id: 'a1' }),
      await guard('00000000-0000-4000-8000-000000000000', 'linkedin-connect-profile', { action_id: 'a1' }),
      await t.request('GET', '/v1/identities', { key: 'sl_live_wrong' }),
      await t.request('POST', '/v1/identities', {
        key,
        raw: JSON.stringify({ external_id: 'x'.repeat(70_000) }),
        headers: { 'content-type': 'application/json' },
      }),
    ];
    expect(answers.map((r) => r.status)).toEqual([400, 403, 404, 401, 413]);
    for (const r of answers) expect(fields(r.headers)).toEqual(described(/^ip$/));
  });

  it('on a COOLDOWN refusal (the /v1/actions API limit the guard counted) and an auto-mode LIMIT_REACHED', async () => {
    const cooling = await createIdentity(t, key);
    await t.request('POST', `/v1/identities/${cooling.id}/cooldowns`, { key, body: { duration_seconds: 600, reason: 'test' } });
    const cooldown = await t.request('POST', `/v1/identities/${cooling.id}/actions/linkedin-visit-profile/guard`, { key, body: { action_id: 'c1' } });
    expect([cooldown.status, cooldown.body.error.error_label]).toEqual([429, 'COOLDOWN']);
    expect(fields(cooldown.headers)).toEqual(described(/^\/v1\/actions$/));
    expect(cooldown.headers.get('retry-after')).toMatch(/^\d+$/);

    const full = await createIdentity(t, key, { limit_overrides: { LK_PROFILE_VISITS: 1 } });
    const auto = (id: string) =>
      t.request('POST', '/v1/actions/linkedin-visit-profile/guard', { key, body: { action_id: id, identity_ids: [full.id] } });
    expect((await auto('v1')).status).toBe(200);
    const refused = await auto('v2');
    expect([refused.status, refused.body.error.error_label]).toEqual([429, 'LIMIT_REACHED']);
    // The pool's read found no room, so no guard ran and no workspace limit counted the call: the
    // answer describes the per-IP limit (with a candidate tried, the /v1/actions limit, as above).
    expect(fields(refused.headers)).toEqual(described(/^ip$/));
  });
});
