import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { PassThrough } from 'node:stream';
import { ADMIN_KEY, createIdentity, createWorkspace, startTestApp, type TestApp } from '../support/test-app.js';

describe('structured logs', () => {
  const stream = new PassThrough();
  let text = '';
  stream.on('data', (d) => (text += d.toString()));
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ env: { LOG_LEVEL: 'info' }, logDestination: stream });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('are JSON lines with a request id and never carry keys', async () => {
    const ws = await createWorkspace(t);
    await createIdentity(t, ws.api_key);
    await t.request('GET', '/v1/identities', { headers: { 'x-api-key': ws.api_key, 'x-request-id': 'trace-me-42' } });
    await new Promise((r) => setTimeout(r, 50));
    const lines = text
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, any>);
    const mine = lines.find((l) => l.req?.id === 'trace-me-42');
    expect(mine).toBeDefined();
    expect(mine!.statusCode).toBe(200);
    expect(lines.every((l) => l.req === undefined || typeof l.req.id === 'string')).toBe(true);
    expect(text).not.toContain(ws.api_key);
    expect(text).not.toContain(ADMIN_KEY);
  });
});
