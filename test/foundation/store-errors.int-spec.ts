import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Redis } from 'ioredis';
import pg from 'pg';
import { endpointGroupFor } from '../../src/api-limits/endpoint-group.js';
import { freePort, redisPing } from '../../src/bootstrap/local-servers.js';
import { ApiError } from '../../src/common/errors/api-error.js';
import { storeOfError, storeUnavailableOr } from '../../src/common/errors/store-errors.js';
import { RedisKeys } from '../../src/redis/redis-keys.js';
import { ScriptReplyError } from '../../src/redis/redis-script.js';
import { httpStatusOf, thrown } from '../redis-scripts/script-test-kit.js';
import { createIdentity, createWorkspace, startTestApp, type TestApp } from '../support/test-app.js';

/** A TCP server that accepts connections and never answers (a hung store). */
async function silentServer(): Promise<{ port: number; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((s) => {
    sockets.add(s);
    s.on('error', () => undefined);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  return {
    port,
    close: () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  };
}

const redisUrl = () => process.env.SL_TEST_REDIS_URL!;
const pgUrl = () => process.env.SL_TEST_DATABASE_URL!;

describe('storeOfError with real errors', () => {
  let closedPort: number;
  let silent: Awaited<ReturnType<typeof silentServer>>;
  beforeAll(async () => {
    closedPort = await freePort();
    silent = await silentServer();
  });
  afterAll(async () => {
    await silent.close();
  });

  it('recognises ioredis failures: refused (offline queue off), max retries, closed, command timeout', async () => {
    const offline = new Redis(closedPort, '127.0.0.1', { enableOfflineQueue: false, maxRetriesPerRequest: 0, retryStrategy: () => null });
    offline.on('error', () => undefined);
    const notWriteable = await thrown(() => offline.get('k'));
    expect((notWriteable as Error).message).toMatch(/Stream isn't writeable/);
    expect(storeOfError(notWriteable)).toBe('redis');
    offline.disconnect();

    const retrying = new Redis(closedPort, '127.0.0.1', { maxRetriesPerRequest: 0, retryStrategy: () => 10 });
    retrying.on('error', () => undefined);
    const maxRetries = await thrown(() => retrying.get('k'));
    expect((maxRetries as Error).name).toBe('MaxRetriesPerRequestError');
    expect(storeOfError(maxRetries)).toBe('redis');
    retrying.disconnect();

    const live = new Redis(redisUrl());
    await live.ping();
    live.disconnect();
    const closed = await thrown(() => live.get('k'));
    expect((closed as Error).message).toBe('Connection is closed.');
    expect(storeOfError(closed)).toBe('redis');

    const hung = new Redis(silent.port, '127.0.0.1', { enableReadyCheck: false, commandTimeout: 50, maxRetriesPerRequest: 0 });
    hung.on('error', () => undefined);
    const timeout = await thrown(() => hung.get('k'));
    expect((timeout as Error).message).toBe('Command timed out');
    expect(storeOfError(timeout)).toBe('redis');
    hung.disconnect();
  });

  it('recognises a cluster that is down (CLUSTERDOWN reply from a node without slots)', async () => {
    const port = await freePort();
    const dir = mkdtempSync(join(tmpdir(), 'sl-clusterdown-'));
    const node = spawn(
      'redis-server',
      [
        '--port',
        String(port),
        '--bind',
        '127.0.0.1',
        '--cluster-enabled',
        'yes',
        '--cluster-config-file',
        join(dir, 'nodes.conf'),
        '--save',
        '',
        '--dir',
        dir,
      ],
      { stdio: 'ignore' },
    );
    try {
      for (let k = 0; k < 500 && !(await redisPing('127.0.0.1', port, 200)); k++) await new Promise((r) => setTimeout(r, 20));
      const c = new Redis(port, '127.0.0.1', { maxRetriesPerRequest: 0 });
      const down = await thrown(() => c.get('k'));
      expect((down as Error).message).toMatch(/^CLUSTERDOWN /);
      expect(storeOfError(down)).toBe('redis');
      c.disconnect();
    } finally {
      node.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('does not take a Lua error reply, a wrong-type reply, a bad script reply or a TypeError for an outage', async () => {
    const c = new Redis(redisUrl());
    try {
      const lua = await thrown(() => c.eval("return redis.call('NOPE')", 0));
      expect((lua as Error).message).toMatch(/^ERR .*user_script/i);
      expect(storeOfError(lua)).toBeNull();
      const key = `t:{${Math.random()}}:str`;
      await c.set(key, 'x');
      const wrongType = await thrown(() => c.zadd(key, 1, 'm'));
      expect((wrongType as Error).message).toMatch(/^WRONGTYPE/);
      expect(storeOfError(wrongType)).toBeNull();
      await c.del(key);
    } finally {
      await c.quit();
    }
    expect(storeOfError(new ScriptReplyError('guard.lua', 'expected 17 values, got 16', []))).toBeNull();
    expect(storeOfError(new TypeError("Cannot read properties of undefined (reading 'slug')"))).toBeNull();
    expect(storeOfError('Connection is closed.')).toBeNull();
    expect(storeOfError(null)).toBeNull();
  });

  it('recognises pg failures: refused, pool timeout, a terminated connection; not SQL errors', async () => {
    const refused = await thrown(async () => {
      const c = new pg.Client({ host: '127.0.0.1', port: closedPort, user: 'x', database: 'x' });
      await c.connect();
    });
    expect(storeOfError(refused)).toBe('postgres');

    const pool = new pg.Pool({ host: '127.0.0.1', port: silent.port, connectionTimeoutMillis: 100, user: 'x', database: 'x' });
    const poolTimeout = await thrown(() => pool.query('select 1'));
    expect(storeOfError(poolTimeout)).toBe('postgres');
    await pool.end().catch(() => undefined);

    const victim = new pg.Client({ connectionString: pgUrl() });
    const killer = new pg.Client({ connectionString: pgUrl() });
    victim.on('error', () => undefined);
    await Promise.all([victim.connect(), killer.connect()]);
    try {
      const pid = (await victim.query<{ pid: number }>('select pg_backend_pid() as pid')).rows[0].pid;
      await killer.query('select pg_terminate_backend($1)', [pid]);
      const terminated = await thrown(() => victim.query('select 1'));
      expect(storeOfError(terminated)).toBe('postgres');

      const syntax = await thrown(() => killer.query('selec 1'));
      expect((syntax as { code?: string }).code).toBe('42601');
      expect(storeOfError(syntax)).toBeNull();
      const division = await thrown(() => killer.query('select 1/0'));
      expect(storeOfError(division)).toBeNull();
    } finally {
      await killer.end();
      await victim.end().catch(() => undefined);
    }
  });

  it('looks through wrappers and keeps an ApiError that already says STORE_UNAVAILABLE', () => {
    const inner = Object.assign(new Error('Connection terminated unexpectedly'), {});
    expect(storeOfError(Object.assign(new Error('Query failed'), { name: 'QueryFailedError', driverError: inner }))).toBe('postgres');
    expect(storeOfError(new Error('outer', { cause: new Error('Connection is closed.') }))).toBe('redis');
    expect(storeOfError(ApiError.storeUnavailable('postgres'))).toBe('postgres');
    expect(storeOfError(ApiError.badRequest('no'))).toBeNull();
    const bug = new TypeError('bug');
    expect(storeUnavailableOr(bug)).toBe(bug);
    expect(storeUnavailableOr(new Error('Connection is closed.'))).toMatchObject({ status: 503, details: { store: 'redis' } });
  });

  it('makes the HTTP answer: 503 for an outage, a logged 500 with an error_id for anything else', async () => {
    expect(httpStatusOf(new Error('Connection is closed.')).status).toBe(503);
    const lua = Object.assign(new Error('ERR user_script:1: Script attempted to access nonexistent global variable'), { name: 'ReplyError' });
    const r = httpStatusOf(lua);
    expect(r.status).toBe(500);
    expect(r.errorId).toMatch(/^[0-9a-f-]{36}$/);
  });
});

describe('a script error on a request is a 500 with an error_id, not a 503', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => {
    await t?.close();
  });

  it('answers 500 INTERNAL_ERROR when the API-limit script fails on a corrupted key', async () => {
    const ws = await createWorkspace(t);
    const identity = await createIdentity(t, ws.api_key);
    const redis = new Redis(t.config.redis.url!);
    const key = t.app.get(RedisKeys).apiLimit(ws.id, endpointGroupFor('GET', '/v1/identities/:id')!);
    try {
      await redis.set(key, 'not a hash');
      const r = await t.request('GET', `/v1/identities/${identity.id}`, { key: ws.api_key });
      expect(r.status).toBe(500);
      expect(r.body.error).toMatchObject({ code: 500, error_label: 'INTERNAL_ERROR', error_id: expect.stringMatching(/^[0-9a-f-]{36}$/) });
      await redis.del(key);
      expect((await t.request('GET', `/v1/identities/${identity.id}`, { key: ws.api_key })).status).toBe(200);
    } finally {
      await redis.quit();
    }
  });
});
