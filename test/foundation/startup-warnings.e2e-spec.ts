import { afterAll, describe, expect, it } from '@jest/globals';
import { startTestApp, type TestApp } from '../support/test-app.js';

describe('start-up', () => {
  let t: TestApp | undefined;
  afterAll(async () => {
    await t?.close();
  });

  it('prints no process warning (e.g. FSTWRN004, an error handler overridden in the same scope)', async () => {
    // Fastify reports through process.emitWarning (process-warning); record every call made while starting.
    const warnings: string[] = [];
    const emitWarning = process.emitWarning;
    const record = (w: string | (Error & { code?: string }), ...rest: unknown[]): void => {
      const named = rest.filter((r): r is string => typeof r === 'string');
      const code = typeof w === 'string' ? named.join(' ') : (w.code ?? w.name);
      warnings.push(`${code}: ${typeof w === 'string' ? w : w.message}`);
    };
    process.emitWarning = record;
    try {
      t = await startTestApp();
      expect((await t.request('GET', '/health/live')).status).toBe(200);
    } finally {
      process.emitWarning = emitWarning;
    }
    expect(warnings.filter((w) => w.includes('FSTWRN'))).toEqual([]);
  });
});
