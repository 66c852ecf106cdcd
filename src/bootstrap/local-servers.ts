import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createServer, Socket } from 'node:net';
import { join, resolve } from 'node:path';

/** Finds a free TCP port on loopback (redis-server's `--port 0` does not pick one). */
export function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', rej);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => (typeof addr === 'object' && addr ? res(addr.port) : rej(new Error('no port'))));
    });
  });
}

/** True when something accepts TCP connections at host:port within `timeoutMs`. */
export function portAnswers(host: string, port: number, timeoutMs = 500): Promise<boolean> {
  return new Promise((res) => {
    const s = new Socket();
    const done = (ok: boolean) => {
      s.destroy();
      res(ok);
    };
    s.setTimeout(timeoutMs, () => done(false));
    s.once('error', () => done(false));
    s.connect(port, host, () => done(true));
  });
}

/** Sends PING in RESP and waits for +PONG (a port that answers is not necessarily Redis). */
export function redisPing(host: string, port: number, timeoutMs = 500): Promise<boolean> {
  return new Promise((res) => {
    const s = new Socket();
    let buf = '';
    const done = (ok: boolean) => {
      s.destroy();
      res(ok);
    };
    s.setTimeout(timeoutMs, () => done(false));
    s.once('error', () => done(false));
    s.on('data', (d) => {
      buf += d.toString();
      if (buf.includes('\r\n')) done(buf.startsWith('+PONG') || buf.startsWith('-NOAUTH'));
    });
    s.connect(port, host, () => s.write('*1\r\n$4\r\nPING\r\n'));
  });
}

export function findBinary(name: string, searchPath: string, extraDirs: string[] = []): string | null {
  const dirs = [...searchPath.split(':'), '/usr/local/bin', '/usr/bin', '/bin', ...extraDirs].filter(Boolean);
  for (const d of dirs) {
    const p = join(d, name);
    if (existsSync(p)) return p;
  }
  return null;
}

function postgresBinDirs(): string[] {
  const base = '/usr/lib/postgresql';
  if (!existsSync(base)) return [];
  return readdirSync(base)
    .sort((a, b) => Number(b) - Number(a))
    .map((v) => join(base, v, 'bin'));
}

async function waitFor(check: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`${what} did not become ready within ${timeoutMs} ms`);
}

export interface LocalServer {
  url: string;
  stop(): Promise<void>;
}

/** Starts a private redis-server child on a free loopback port with AOF under `dir`. */
export async function startPrivateRedis(dir: string, opts: { appendOnly?: boolean; searchPath?: string } = {}): Promise<LocalServer> {
  const bin = findBinary('redis-server', opts.searchPath ?? '');
  if (!bin) throw new Error('redis-server is not installed');
  mkdirSync(dir, { recursive: true });
  const port = await freePort();
  const args = [
    '--port',
    String(port),
    '--bind',
    '127.0.0.1',
    '--dir',
    resolve(dir),
    '--save',
    '',
    '--appendonly',
    opts.appendOnly === false ? 'no' : 'yes',
    '--protected-mode',
    'yes',
    '--daemonize',
    'no',
    '--logfile',
    '',
  ];
  const child = spawn(bin, args, { stdio: 'ignore' });
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  await waitFor(() => redisPing('127.0.0.1', port, 200), 10000, `redis-server on port ${port}`);
  return {
    url: `redis://127.0.0.1:${port}`,
    async stop() {
      if (child.exitCode === null) {
        child.kill('SIGTERM');
        await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
      }
    },
  };
}

/**
 * Starts a private PostgreSQL cluster (initdb once, then pg_ctl) under `dir`, listening on a free
 * loopback port. initdb refuses to run as root, so as root the cluster belongs to the `postgres`
 * system user when there is one.
 */
/** `port`: start on this port (a restart of the same cluster keeps its URL); a free one by default. */
export async function startPrivatePostgres(dir: string, searchPath = '', port?: number): Promise<LocalServer> {
  const extra = postgresBinDirs();
  const initdb = findBinary('initdb', searchPath, extra);
  const pgCtl = findBinary('pg_ctl', searchPath, extra);
  if (!initdb || !pgCtl) throw new Error('PostgreSQL server binaries (initdb, pg_ctl) are not installed');
  const data = resolve(dir);
  const sockDir = resolve(dir, '..', 'pg-socket');
  mkdirSync(data, { recursive: true });
  mkdirSync(sockDir, { recursive: true });
  let uid: number | undefined;
  let gid: number | undefined;
  if (process.getuid?.() === 0) {
    const id = spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' });
    const g = spawnSync('id', ['-g', 'postgres'], { encoding: 'utf8' });
    if (id.status !== 0) throw new Error('running as root and there is no postgres user to own a private cluster');
    uid = Number(id.stdout.trim());
    gid = Number(g.stdout.trim());
    chownSync(data, uid, gid);
    chownSync(sockDir, uid, gid);
    // The postgres user must be able to reach its directories (mkdtemp makes 0700 parents).
    const parent = resolve(dir, '..');
    const mode = statSync(parent).mode;
    if ((mode & 0o001) === 0) chmodSync(parent, (mode & 0o777) | 0o011);
  }
  const runOpts = { uid, gid, encoding: 'utf8' as const, cwd: '/' };
  if (!existsSync(join(data, 'PG_VERSION'))) {
    const r = spawnSync(initdb, ['-D', data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-sync'], runOpts);
    if (r.status !== 0) throw new Error(`initdb failed: ${r.stderr || r.stdout}`);
  }
  port ??= await freePort();
  const logFile = join(data, 'server.log');
  const r = spawnSync(
    pgCtl,
    ['-D', data, '-l', logFile, '-w', '-t', '30', '-o', `-p ${port} -k ${sockDir} -c listen_addresses=127.0.0.1 -c fsync=on`, 'start'],
    runOpts,
  );
  if (r.status !== 0) {
    let log = '';
    try {
      log = readFileSync(logFile, 'utf8').slice(-2000);
    } catch {
      /* no log yet */
    }
    throw new Error(`pg_ctl start failed: ${r.stderr || r.stdout}\n${log}`);
  }
  writeFileSync(join(sockDir, 'port'), String(port));
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    async stop() {
      spawnSync(pgCtl, ['-D', data, '-m', 'fast', '-w', 'stop'], runOpts);
    },
  };
}

export type ChildHandle = ChildProcess;
