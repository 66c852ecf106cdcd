import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { OpenApiResponseValidator } from '../support/openapi-validator.js';
import { createIdentity, createWorkspace, startTestApp, type TestApp } from '../support/test-app.js';

/** The served document itself: what generated clients and the validation hook rely on. */
describe('the OpenAPI document', () => {
  let t: TestApp;
  let doc: any;
  beforeAll(async () => {
    t = await startTestApp();
    doc = (await t.request('GET', '/openapi.json')).body;
  });
  afterAll(async () => {
    await t?.close();
  });

  const operations = () =>
    Object.entries(doc.paths as Record<string, Record<string, any>>).flatMap(([path, item]) =>
      Object.entries(item).map(([method, op]) => ({ path, method, op })),
    );

  it('is OpenAPI 3.1 with servers, a license and both ways of sending a key', () => {
    expect(doc.openapi).toBe('3.1.0');
    expect(doc.servers.length).toBeGreaterThan(0);
    expect(doc.info.license.name).toBeTruthy();
    expect(doc.components.securitySchemes.workspace).toEqual(expect.objectContaining({ type: 'http', scheme: 'bearer' }));
    expect(doc.components.securitySchemes.workspace.bearerFormat).toBeUndefined();
    expect(doc.components.securitySchemes.workspaceKey).toEqual(expect.objectContaining({ type: 'apiKey', in: 'header', name: 'X-API-Key' }));
    for (const p of ['/health/live', '/health/ready', '/metrics']) expect(doc.paths[p].get.security).toEqual([]);
  });

  it('has one error schema, referenced everywhere, and no 3.0 leftovers', () => {
    const text = JSON.stringify(doc);
    expect(text).not.toContain('"nullable"');
    expect(text).not.toContain('"bearerFormat"');
    // The envelope's fields are spelled out once, in components.schemas.ErrorEnvelope.
    expect(text.split('"error_id"').length - 1).toBe(1);
  });

  it("names operations for generated clients, and each resource's path parameter one way", () => {
    const ids = operations().map((o) => o.op.operationId);
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) expect(id).toMatch(/^[a-z][A-Za-z]+$/);
    expect(ids).toEqual(expect.arrayContaining(['guardAction', 'listIdentities', 'reportOutcome', 'createWorkspace']));
    // One name for each resource's parameter: /identities/{identityId} everywhere, never {id} here and {identityId} there.
    const names = new Map<string, Set<string>>();
    for (const { path } of operations()) {
      const segments = path.split('/');
      segments.forEach((s, i) => {
        const param = /^\{(\w+)\}$/.exec(s)?.[1];
        if (param) names.set(segments[i - 1], (names.get(segments[i - 1]) ?? new Set()).add(param));
      });
    }
    for (const [collection, params] of names) expect(`${collection}: ${[...params].join(', ')}`).toBe(`${collection}: ${[...params][0]}`);
    expect(names.get('identities')).toEqual(new Set(['identityId']));
  });

  it('documents the statuses every route of a kind can answer', () => {
    for (const { path, method, op } of operations()) {
      const statuses = Object.keys(op.responses);
      const where = `${method.toUpperCase()} ${path}`;
      expect(`${where}: ${statuses.includes('500')}`).toBe(`${where}: true`);
      if (op.requestBody) for (const s of ['400', '413', '415']) expect(`${where} ${s}: ${statuses.includes(s)}`).toBe(`${where} ${s}: true`);
      if (op.security?.length) for (const s of ['401', '429', '503']) expect(`${where} ${s}: ${statuses.includes(s)}`).toBe(`${where} ${s}: true`);
    }
  });

  it('the validation hook catches an undocumented status, a body off its schema and a missing header', async () => {
    const v = new OpenApiResponseValidator(doc);
    const ws = await createWorkspace(t);
    const identity = await createIdentity(t, ws.api_key);
    const r = await t.request('GET', `/v1/identities/${identity.id}`, { key: ws.api_key });
    const headers = Object.fromEntries(r.headers.entries());
    const answer = { method: 'GET', url: `/v1/identities/${identity.id}`, status: 200, headers, body: r.text };
    expect(v.check(answer)).toEqual([]);
    expect(v.check({ ...answer, status: 418 }).join()).toMatch(/status 418 is not documented/);
    expect(v.check({ ...answer, body: JSON.stringify({ ...r.body, created_at: 'yesterday' }) }).join()).toMatch(
      /created_at must match format "date-time"/,
    );
    expect(v.check({ ...answer, body: JSON.stringify({ ...r.body, level: 'reckless' }) }).join()).toMatch(
      /level must be equal to one of the allowed values/,
    );
    expect(v.check({ ...answer, body: JSON.stringify({ ...r.body, secret_field: 1 }) }).join()).toMatch(/must NOT have additional properties/);
    const ipLimited = { error: { code: 429, status: 'Too Many Requests', error_label: 'ip_rate_limited', message: 'slow down' } };
    const admin = {
      method: 'GET',
      url: '/v1/workspaces/00000000-0000-4000-8000-000000000000',
      status: 429,
      headers,
      body: JSON.stringify(ipLimited),
    };
    expect(v.check(admin)).toEqual([]);
    expect(v.check({ ...admin, body: JSON.stringify({ error: { ...ipLimited.error, error_label: 'IP_RATE_LIMITED' } }) }).join()).toMatch(
      /allowed values/,
    );
    const { 'x-ratelimit-remaining': _, ...without } = headers;
    expect(v.check({ ...answer, headers: without }).join()).toMatch(/required header X-RateLimit-Remaining is missing/);
    expect(v.check({ ...answer, url: '/v1/nowhere' }).join()).toMatch(/does not have/);
  });
});
