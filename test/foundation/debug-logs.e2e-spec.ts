import { describe, expect, it } from '@jest/globals';
import { PassThrough } from 'node:stream';
import { startTestApp } from '../support/test-app.js';

// A file of its own: nestjs-pino keeps one root logger per process, so the first app's level wins.
describe('debug logs', () => {
  it('map every route', async () => {
    const stream = new PassThrough();
    let text = '';
    stream.on('data', (d) => (text += d.toString()));
    const t = await startTestApp({ env: { LOG_LEVEL: 'debug' }, logDestination: stream });
    await new Promise((r) => setTimeout(r, 50)); // the stream hands its data on asynchronously
    await t.close();
    const lines = text
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { level: number; msg?: string });
    const mapped = lines.filter((l) => /Mapped \{\/v1\/identities, POST\}/.test(l.msg ?? ''));
    expect(mapped).toHaveLength(1);
    expect(mapped[0].level).toBe(20);
  });
});
