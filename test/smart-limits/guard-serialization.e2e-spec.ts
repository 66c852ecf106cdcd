import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { AutoGuardService } from '../../src/smart-limits/auto-guard.service.js';
import { type GuardResponse } from '../../src/smart-limits/guard.dto.js';
import { GuardService } from '../../src/smart-limits/guard.service.js';
import { createIdentity, createWorkspace, startTestApp, type TestApp } from '../support/test-app.js';

/**
 * The guard's 200 is written by a serializer compiled from its documented schema (issue 18): the
 * body carries exactly what the service answered, no field dropped, none changed.
 */
describe("the guard's answer, serialized from its schema", () => {
  let t: TestApp;
  let key: string;
  let answered: GuardResponse[] = [];
  let smuggle = false;

  beforeAll(async () => {
    t = await startTestApp();
    key = (await createWorkspace(t, { monthly_credits: 50_000_000 })).api_key;
    const guard = t.app.get(GuardService);
    const guardIdentity = guard.guardIdentity.bind(guard);
    guard.guardIdentity = async (...args) => {
      const outcome = await guardIdentity(...args);
      if (outcome.kind === 'allowed') answered.push(structuredClone(outcome.response));
      if (outcome.kind === 'allowed' && smuggle) Object.assign(outcome.response, { undocumented: true });
      return outcome;
    };
    const auto = t.app.get(AutoGuardService);
    const pick = auto.pick.bind(auto);
    auto.pick = async (...args) => {
      const r = await pick(...args);
      answered.push(structuredClone(r.response));
      return r;
    };
  });
  afterAll(async () => {
    await t?.close();
  });

  const post = async (path: string, body: Record<string, unknown>) => {
    answered = [];
    const r = await t.request('POST', path, { key, body });
    expect(r.status).toBe(200);
    return { r, service: answered[answered.length - 1] };
  };

  it('carries every field the service answered, as JSON.stringify writes them', async () => {
    const i = await createIdentity(t, key, { account_type: 'premium', pacing: 'off' });
    const guardPath = `/v1/identities/${i.id}/actions/linkedin-send-inmail/guard`;
    for (const body of [
      { action_id: 's-1' },
      { action_id: 's-1' },
      { action_id: 's-2', dry_run: true },
      { action_id: 's-3', cost: 3 },
      { action_id: 's-4', occurred_at: new Date(Date.now() - 60_000).toISOString() },
    ]) {
      const { r, service } = await post(guardPath, body);
      expect(r.body).toStrictEqual(service);
      // Byte for byte too where the documented order is the order the service builds (dry_run aside).
      if (!body.dry_run) expect(r.text).toBe(JSON.stringify(service));
    }
    const { r, service } = await post('/v1/actions/linkedin-visit-profile/guard', { action_id: 'auto-1', identity_ids: [i.id] });
    expect(r.body).toStrictEqual(service);
    expect(r.text).toBe(JSON.stringify(service));
  });

  it('writes the documented fields only', async () => {
    const i = await createIdentity(t, key, { pacing: 'off' });
    smuggle = true;
    try {
      const { r, service } = await post(`/v1/identities/${i.id}/actions/linkedin-visit-profile/guard`, { action_id: 'x-1' });
      expect(r.text).toBe(JSON.stringify(service));
      expect(r.text).not.toContain('undocumented');
    } finally {
      smuggle = false;
    }
  });
});
