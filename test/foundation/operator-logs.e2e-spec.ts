import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { freePort } from '../../src/bootstrap/local-servers.js';
import { ADMIN_KEY, createWorkspace, startTestApp, type TestApp } from '../support/test-app.js';

type Line = Record<string, any> & { level: number; msg: string };

function collector() {
  const stream = new PassThrough();
  let text = '';
  stream.on('data', (d) => (text += d.toString()));
  const lines = () =>
    text
      .trim()
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as Line);
  return { stream, lines };
}

describe('what the logs tell an operator', () => {
  describe('at info', () => {
    const logs = collector();
    let t: TestApp;
    beforeAll(async () => {
      t = await startTestApp({ env: { LOG_LEVEL: 'info' }, logDestination: logs.stream });
    });
    afterAll(async () => {
      await t?.close();
    });

    it('route mapping and module loading stay out of it', () => {
      expect(logs.lines().filter((l) => /Mapped \{|dependencies initialized|Starting Nest/.test(l.msg))).toEqual([]);
    });

    it('request lines of error answers carry their error_label', async () => {
      const ws = await createWorkspace(t);
      await t.request('GET', '/v1/identities/not-an-id', { key: ws.api_key, headers: { 'x-request-id': 'err-404' } });
      await t.request('POST', '/v1/identities', { key: ws.api_key, body: { external_id: 5 }, headers: { 'x-request-id': 'err-400' } });
      await t.request('GET', '/v1/identities', { key: ADMIN_KEY, headers: { 'x-request-id': 'err-401' } });
      await t.request('GET', '/v1/identities', { key: ws.api_key, headers: { 'x-request-id': 'ok-200' } });
      await new Promise((r) => setTimeout(r, 50));
      const byId = (id: string) => logs.lines().find((l) => l.req?.id === id && l.msg === 'request completed');
      expect(byId('err-404')).toMatchObject({ statusCode: 404, error_label: 'NOT_FOUND' });
      expect(byId('err-400')).toMatchObject({ statusCode: 400, error_label: 'VALIDATION_FAILED' });
      expect(byId('err-401')).toMatchObject({ statusCode: 401, error_label: 'UNAUTHORIZED' });
      expect(byId('ok-200')).toBeDefined();
      expect(byId('ok-200')!.error_label).toBeUndefined();
    });
  });

  it('a start logs one summary of its stores and non-default settings, and a stop says when it is done', async () => {
    const main = join(process.cwd(), 'dist/src/main.js');
    expect(existsSync(main)).toBe(true); // npm test builds first
    const port = await freePort();
    const child = spawn(process.execPath, [main], {
      env: {
        PATH: process.env.PATH,
        NODE_ENV: 'test',
        PORT: String(port),
        HOST: '127.0.0.1',
        REDIS_URL: process.env.SL_TEST_REDIS_URL,
        REDIS_KEY_PREFIX: 'oplogs',
        DATABASE_URL: process.env.SL_TEST_DATABASE_URL,
        ADMIN_API_KEY: ADMIN_KEY,
        LOG_LEVEL: 'info',
        JOBS_ENABLED: 'false',
        GUARD_FAIL_MODE: 'open',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d.toString()));
    child.stderr.on('data', (d) => (err += d.toString()));
    const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
    try {
      const until = Date.now() + 30_000;
      while (!err.includes('listening on')) {
        if (Date.now() > until || child.exitCode !== null) throw new Error(`no start:\n${err}\n${out}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
    const lines = out
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Line);
    const summaries = lines.filter((l) => l.msg.startsWith('started: '));
    expect(summaries).toHaveLength(1);
    const redisPort = new URL(process.env.SL_TEST_REDIS_URL!).port;
    expect(summaries[0].msg).toContain(`listening on http://127.0.0.1:${port}`);
    expect(summaries[0].msg).toContain(`Redis 127.0.0.1:${redisPort}`);
    expect(summaries[0].msg).toContain('PostgreSQL ');
    expect(summaries[0].msg).toContain('non-default settings: NODE_ENV=test, GUARD_FAIL_MODE=open, JOBS_ENABLED=false, REDIS_KEY_PREFIX=oplogs');
    expect(summaries[0].settings).toMatchObject({ GUARD_FAIL_MODE: 'open' });
    expect(lines.filter((l) => /Mapped \{/.test(l.msg))).toEqual([]);
    expect(out + err).not.toContain(ADMIN_KEY);
    expect(err).toMatch(/SIGTERM received, shutting down\n/);
    expect(err).toMatch(/shutdown complete in \d+ ms\n$/);
  }, 60_000);
});
