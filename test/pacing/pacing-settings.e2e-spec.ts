import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createIdentity, createWorkspace, startTestApp, type TestApp } from '../support/test-app.js';

const WEEKDAYS = { days: [1, 2, 3, 4, 5], start: '09:00', end: '18:00' };

describe('pacing settings: identity fields and the workspace default schedule', () => {
  let t: TestApp;
  let ws: { id: string; api_key: string };
  beforeAll(async () => {
    t = await startTestApp();
    ws = await createWorkspace(t);
  });
  afterAll(async () => {
    await t?.close();
  });

  it('creates an identity with pacing defaults: no own schedule, standard pacing, no overrides', async () => {
    const r = await t.request('POST', '/v1/identities', { key: ws.api_key, body: { external_id: 'pace-defaults' } });
    expect(r.status).toBe(201);
    expect(r.body).toMatchObject({ schedule: null, pacing: 'standard', pacing_overrides: {} });
  });

  it('stores schedule, pacing and pacing_overrides, and changes them with PATCH', async () => {
    const body = {
      external_id: 'pace-all',
      timezone: 'Europe/Paris',
      schedule: { days: [5, 1, 3], start: '08:30', end: '17:00', start_jitter_minutes: 10 },
      pacing: 'off',
      pacing_overrides: { LK_INVITATIONS_SENT: 120, LK_PROFILE_VISITS: 0 },
    };
    const r = await t.request('POST', '/v1/identities', { key: ws.api_key, body });
    expect(r.status).toBe(201);
    expect(r.body).toMatchObject({ ...body, schedule: { ...body.schedule, days: [1, 3, 5] } });
    const p = await t.request('PATCH', `/v1/identities/${r.body.id}`, { key: ws.api_key, body: { schedule: null, pacing: 'standard' } });
    expect(p.status).toBe(200);
    expect(p.body).toMatchObject({ schedule: null, pacing: 'standard', pacing_overrides: body.pacing_overrides });
    const g = await t.request('GET', `/v1/identities/${r.body.id}`, { key: ws.api_key });
    expect(g.body).toEqual(p.body);
  });

  it('lists every problem of bad pacing fields in one 400', async () => {
    const r = await t.request('POST', '/v1/identities', {
      key: ws.api_key,
      body: {
        external_id: 'pace-bad',
        schedule: { days: [0, 1, 1], start: '9am', end: '25:00', tz: 'UTC' },
        pacing: 'fast',
        pacing_overrides: { LK_NOPE: 5, LK_INVITATIONS_SENT: -1 },
      },
    });
    expect(r.status).toBe(400);
    const d = r.body.error.details;
    expect(d.schedule.join(' ')).toMatch(/days/);
    expect(d.schedule.join(' ')).toMatch(/start/);
    expect(d.schedule.join(' ')).toMatch(/end/);
    expect(d.schedule.join(' ')).toMatch(/tz unknown field/);
    expect(d.pacing).toBeDefined();
    expect(d.pacing_overrides.join(' ')).toMatch(/unknown limit slug LK_NOPE/);
    expect(d.pacing_overrides.join(' ')).toMatch(/LK_INVITATIONS_SENT must be an integer/);
  });

  it('refuses a schedule that ends before it starts, and one without days', async () => {
    const identity = await createIdentity(t, ws.api_key);
    for (const schedule of [{ days: [1], start: '18:00', end: '09:00' }, { days: [], start: '09:00', end: '18:00' }, 'weekdays']) {
      const r = await t.request('PATCH', `/v1/identities/${identity.id}`, { key: ws.api_key, body: { schedule } });
      expect(r.status).toBe(400);
      expect(r.body.error.details.schedule).toBeDefined();
    }
  });

  it('sets the workspace default schedule with the admin key (PATCH /v1/workspaces/{id})', async () => {
    const r = await t.admin('PATCH', `/v1/workspaces/${ws.id}`, { schedule: WEEKDAYS });
    expect(r.status).toBe(200);
    expect(r.body.schedule).toEqual(WEEKDAYS);
    expect((await t.admin('GET', `/v1/workspaces/${ws.id}`)).body.schedule).toEqual(WEEKDAYS);
    const bad = await t.admin('PATCH', `/v1/workspaces/${ws.id}`, { schedule: { days: [8], start: '09:00', end: '08:00' } });
    expect(bad.status).toBe(400);
    expect(bad.body.error.details.schedule.join(' ')).toMatch(/days.*end|end.*days/);
  });

  it('sets it with the workspace key (PATCH /v1/workspace) and reads it in GET /v1/workspace', async () => {
    const sat = { days: [6], start: '10:00', end: '12:00' };
    const r = await t.request('PATCH', '/v1/workspace', { key: ws.api_key, body: { schedule: sat } });
    expect(r.status).toBe(200);
    expect(r.body.workspace.schedule).toEqual(sat);
    expect((await t.request('GET', '/v1/workspace', { key: ws.api_key })).body.workspace.schedule).toEqual(sat);
    const cleared = await t.request('PATCH', '/v1/workspace', { key: ws.api_key, body: { schedule: null } });
    expect(cleared.body.workspace.schedule).toBeNull();
  });

  it('does not let the workspace key change what only the operator may', async () => {
    const r = await t.request('PATCH', '/v1/workspace', { key: ws.api_key, body: { monthly_credits: 10_000_000 } });
    expect(r.status).toBe(400);
    expect(r.body.error.details.monthly_credits).toEqual(['unknown field']);
    const bad = await t.request('PATCH', '/v1/workspace', { key: ws.api_key, body: { schedule: { days: [1], start: '09:00' } } });
    expect(bad.status).toBe(400);
    expect(bad.body.error.details.schedule.join(' ')).toMatch(/end/);
  });
});
