import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createWorkspace, startTestApp, type TestApp } from '../support/test-app.js';

/** What a first-day integrator reads when something is off: one clear message, naming the way out. */
describe('messages an integrator reads', () => {
  let t: TestApp;
  let key: string;

  beforeAll(async () => {
    t = await startTestApp();
    key = (await createWorkspace(t)).api_key;
  });
  afterAll(async () => {
    await t?.close();
  });

  it('validation stops at a field’s type error: "lots" for an integer is one message', async () => {
    const r = await t.admin('POST', '/v1/workspaces', { name: 7, monthly_credits: 'lots' });
    expect(r.status).toBe(400);
    expect(r.body.error.details).toEqual({
      name: ['name must be a string'],
      monthly_credits: ['monthly_credits must be an integer number'],
    });
    // A value of the right type still gets every range problem it has.
    const range = await t.admin('POST', '/v1/workspaces', { name: '', monthly_credits: -1 });
    expect(range.body.error.details).toEqual({
      name: ['name must be longer than or equal to 1 characters'],
      monthly_credits: ['monthly_credits must not be less than 0'],
    });
    const guard = await t.request('POST', '/v1/identities/00000000-0000-4000-8000-000000000000/actions/linkedin-visit-profile/guard', {
      key,
      body: { action_id: 5, cost: 'two' },
    });
    expect(guard.status).toBe(400);
    for (const problems of Object.values(guard.body.error.details as Record<string, string[]>)) expect(problems).toHaveLength(1);
  });

  it('WEBHOOK_URL_REFUSED names the setting that allows private networks', async () => {
    const r = await t.request('POST', '/v1/webhooks', { key, body: { url: 'http://127.0.0.1:9/hook', events: ['cooldown.started'] } });
    expect(r.status).toBe(400);
    expect(r.body.error.error_label).toBe('WEBHOOK_URL_REFUSED');
    expect(r.body.error.message).toContain('WEBHOOK_ALLOW_PRIVATE_NETWORKS=true');
    expect(r.body.error.details.url[0]).toContain('WEBHOOK_ALLOW_PRIVATE_NETWORKS=true');
    // Other refusals are about the URL itself and do not point there.
    const ftp = await t.request('POST', '/v1/webhooks', { key, body: { url: 'ftp://hooks.example.com/', events: ['cooldown.started'] } });
    expect(ftp.body.error.error_label).toBe('WEBHOOK_URL_REFUSED');
    expect(ftp.body.error.message).not.toContain('WEBHOOK_ALLOW_PRIVATE_NETWORKS');
  });

  it('every action and limit slug in an OpenAPI example is a real one from the catalog', async () => {
    const doc = (await t.request('GET', '/openapi.json')).body;
    const catalog = (await t.request('GET', '/v1/catalog', { key })).body as { actions: { slug: string }[]; limits: { slug: string }[] };
    const actions = new Set(catalog.actions.map((a) => a.slug));
    const limits = new Set(catalog.limits.map((l) => l.slug));
    const strings: string[] = [];
    const collect = (v: unknown): void => {
      if (typeof v === 'string') strings.push(v);
      else if (Array.isArray(v)) v.forEach(collect);
      else if (v && typeof v === 'object') Object.values(v).forEach(collect);
    };
    const walk = (node: unknown): void => {
      if (Array.isArray(node)) node.forEach(walk);
      else if (node && typeof node === 'object') {
        for (const [k, v] of Object.entries(node)) {
          if (k === 'example' || k === 'examples') collect(v);
          walk(v);
        }
      }
    };
    walk(doc);
    const actionLike = strings.filter((s) => /^(linkedin|salesnavigator)[-._]/i.test(s));
    const limitLike = strings.filter((s) => /^LK_[A-Z_]+$/.test(s));
    expect(actionLike.length).toBeGreaterThan(0);
    expect(actionLike.filter((s) => !actions.has(s))).toEqual([]);
    expect(limitLike.filter((s) => !limits.has(s))).toEqual([]);
  });
});
