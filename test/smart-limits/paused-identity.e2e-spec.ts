import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createIdentity, createWorkspace, startTestApp, type TestApp } from '../support/test-app.js';

describe('a paused identity', () => {
  let t: TestApp;
  let key: string;
  const guard = (id: string, body: Record<string, unknown>, action = 'linkedin-visit-profile') =>
    t.request('POST', `/v1/identities/${id}/actions/${action}/guard`, { key, body });

  beforeAll(async () => {
    t = await startTestApp();
    key = (await createWorkspace(t)).api_key;
  });
  afterAll(async () => {
    await t?.close();
  });

  it('is refused at its own guard with 409 IDENTITY_PAUSED and no Retry-After, until it is resumed', async () => {
    const i = await createIdentity(t, key, { label: 'Ana (sales)' });
    expect((await guard(i.id, { action_id: 'before' })).status).toBe(200);

    const paused = await t.request('PATCH', `/v1/identities/${i.id}`, { key, body: { status: 'paused' } });
    expect(paused.status).toBe(200);
    const refused = await guard(i.id, { action_id: 'during' });
    expect(refused.status).toBe(409);
    expect(refused.headers.get('retry-after')).toBeNull();
    expect(refused.body.error).toMatchObject({
      code: 409,
      error_label: 'IDENTITY_PAUSED',
      details: { identity_id: i.id, external_id: i.external_id, action: 'linkedin-visit-profile', status: 'paused' },
    });
    expect(refused.body.error.message).toContain('Ana (sales)');
    expect(refused.body.error.message).toContain('"status": "active"');
    // A dry run answers what a real call would get; a retry of an action recorded earlier too.
    expect((await guard(i.id, { action_id: 'dry', dry_run: true })).status).toBe(409);
    expect((await guard(i.id, { action_id: 'before' })).status).toBe(409);

    // Nothing was recorded while paused.
    const limits = await t.request('GET', `/v1/identities/${i.id}/actions/linkedin-visit-profile/limits`, { key });
    expect(limits.body.limits[0].consumed).toBe(1);

    await t.request('PATCH', `/v1/identities/${i.id}`, { key, body: { status: 'active' } });
    const resumed = await guard(i.id, { action_id: 'after' });
    expect(resumed.status).toBe(200);
    expect(resumed.body.limits[0].consumed).toBe(2);
  });

  it('still records a backfill of an action already done (manual activity must be counted)', async () => {
    const i = await createIdentity(t, key, { status: 'paused' });
    const occurred = new Date(Date.now() - 3_600_000).toISOString();
    const r = await guard(i.id, { action_id: 'manual-1', occurred_at: occurred });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ recorded: true });
    expect((await guard(i.id, { action_id: 'manual-2', occurred_at: occurred, dry_run: true })).status).toBe(409);
  });

  it('is refused for every action, and its unknown actions are still 404', async () => {
    const i = await createIdentity(t, key, { status: 'paused' });
    expect((await guard(i.id, { action_id: 'c' }, 'linkedin-connect-profile')).status).toBe(409);
    expect((await guard(i.id, { action_id: 'x' }, 'linkedin-no-such-action')).status).toBe(404);
  });

  it('auto mode skips it, and says so when every identity that could act is paused', async () => {
    const other = (await createWorkspace(t)).api_key;
    const auto = (body: Record<string, unknown>) => t.request('POST', '/v1/actions/linkedin-like-post/guard', { key: other, body });
    const paused = await createIdentity(t, other, { status: 'paused' });
    const refused = await auto({ action_id: 'a1' });
    expect(refused.status).toBe(409);
    expect(refused.body.error).toMatchObject({ error_label: 'IDENTITY_PAUSED', details: { paused_identity_ids: [paused.id] } });
    const active = await createIdentity(t, other);
    const picked = await auto({ action_id: 'a2', identity_ids: [paused.id, active.id] });
    expect(picked.status).toBe(200);
    expect(picked.body.identity_id).toBe(active.id);
  });
});
