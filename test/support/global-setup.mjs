// Plain ESM (Jest loads global setup outside its transform): one private redis-server on a free
// port and one fresh database for the whole integration run. Their URLs reach the test files
// through the environment. Tests that stop or flush Redis start their own.
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { createServer, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';

function freePort() {
  return new Promise((res, rej) => {
    const srv = createServer();
    srv.on('error', rej);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => res(port));
    });
  });
}

function ping(port) {
  return new Promise((res) => {
    const s = new Socket();
    let buf = '';
    const done = (ok) => {
      s.destroy();
      res(ok);
    };
    s.setTimeout(200, () => done(false));
    s.once('error', () => done(false));
    s.on('data', (d) => {
      buf += d;
      if (buf.includes('\r\n')) done(buf.startsWith('+PONG'));
    });
    s.connect(port, '127.0.0.1', () => s.write('*1\r\n$4\r\nPING\r\n'));
  });
}

async function canConnect(url) {
  const c = new pg.Client({ connectionString: url, connectionTimeoutMillis: 1000 });
  try {
    await c.connect();
    return true;
  } catch {
    return false;
  } finally {
    await c.end().catch(() => undefined);
  }
}

async function startPrivatePostgres() {
  // Only when no local PostgreSQL answers: reuse the service's own private-cluster starter (built).
  const { startPrivatePostgres: start } = await import('../../dist/src/bootstrap/local-servers.js').catch(() => {
    throw new Error('No PostgreSQL at 127.0.0.1:5432 and no build to start a private cluster from: run `npm run build` first');
  });
  const dir = mkdtempSync(join(tmpdir(), 'sl-pg-'));
  return start(join(dir, 'pg'));
}

export default async function globalSetup() {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'sl-redis-'));
  const redis = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir, '--logfile', ''],
    {
      stdio: 'ignore',
    },
  );
  const until = Date.now() + 10_000;
  while (!(await ping(port))) {
    if (Date.now() > until) throw new Error('test redis-server did not start');
    await new Promise((r) => setTimeout(r, 20));
  }

  let adminUrl = 'postgres://postgres@127.0.0.1:5432/postgres';
  let privatePg = null;
  if (!(await canConnect(adminUrl))) {
    privatePg = await startPrivatePostgres();
    adminUrl = privatePg.url;
  }
  const name = `sl_test_${process.pid}_${Date.now().toString(36)}`;
  const c = new pg.Client({ connectionString: adminUrl });
  await c.connect();
  await c.query(`create database ${name}`);
  await c.end();
  const u = new URL(adminUrl);
  u.pathname = `/${name}`;
  process.env.SL_TEST_REDIS_URL = `redis://127.0.0.1:${port}`;
  process.env.SL_TEST_DATABASE_URL = u.toString();
  process.env.SL_TEST_PG_ADMIN_URL = adminUrl;
  globalThis.__slTestServers = { redis, adminUrl, name, privatePg };
}
