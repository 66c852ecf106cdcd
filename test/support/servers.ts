import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { freePort, redisPing } from '../../src/bootstrap/local-servers.js';

export interface TestRedis {
  url: string;
  port: number;
  stop(): Promise<void>;
  /** Starts it again on the same port (after stop), for recovery tests. */
  start(): Promise<void>;
}

/** A private redis-server on a free port: tests never touch the machine's Redis data. */
export async function startTestRedis(opts: { appendOnly?: boolean } = {}): Promise<TestRedis> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'sl-redis-'));
  let child: ReturnType<typeof spawn> | null = null;
  const start = async () => {
    child = spawn(
      'redis-server',
      ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', opts.appendOnly ? 'yes' : 'no', '--dir', dir, '--logfile', ''],
      { stdio: 'ignore' },
    );
    const until = Date.now() + 10_000;
    while (!(await redisPing('127.0.0.1', port, 200))) {
      if (Date.now() > until) throw new Error(`test redis-server on ${port} did not start`);
      await new Promise((r) => setTimeout(r, 20));
    }
  };
  const stop = async () => {
    const c = child;
    child = null;
    if (!c || c.exitCode !== null) return;
    const exited = new Promise((r) => c.once('exit', r));
    c.kill('SIGKILL');
    await exited;
  };
  await start();
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    stop,
    start,
  };
}

export async function startTestRedisCluster(): Promise<{ nodes: string; stop(): Promise<void> }> {
  const dir = mkdtempSync(join(tmpdir(), 'sl-cluster-'));
  const ports: number[] = [];
  for (let i = 0; i < 6; i++) ports.push(await freePort());
  const children = ports.map((p) =>
    spawn(
      'redis-server',
      [
        '--port',
        String(p),
        '--bind',
        '127.0.0.1',
        '--cluster-enabled',
        'yes',
        '--cluster-config-file',
        join(dir, `nodes-${p}.conf`),
        '--save',
        '',
        '--appendonly',
        'no',
        '--dir',
        dir,
        '--logfile',
        '',
      ],
      { stdio: 'ignore' },
    ),
  );
  for (const p of ports) {
    const until = Date.now() + 10_000;
    while (!(await redisPing('127.0.0.1', p, 200))) {
      if (Date.now() > until) throw new Error(`cluster node ${p} did not start`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }
  const r = spawnSync('redis-cli', ['--cluster', 'create', ...ports.map((p) => `127.0.0.1:${p}`), '--cluster-replicas', '1', '--cluster-yes'], {
    encoding: 'utf8',
  });
  if (r.status !== 0) throw new Error(`redis-cli --cluster create failed: ${r.stderr || r.stdout}`);
  // Wait until every slot is served.
  const until = Date.now() + 20_000;
  for (;;) {
    const info = spawnSync('redis-cli', ['-p', String(ports[0]), 'cluster', 'info'], { encoding: 'utf8' }).stdout;
    if (/cluster_state:ok/.test(info) && /cluster_slots_ok:16384/.test(info)) break;
    if (Date.now() > until) throw new Error(`cluster not ok: ${info}`);
    await new Promise((res) => setTimeout(res, 100));
  }
  return {
    nodes: ports
      .slice(0, 3)
      .map((p) => `127.0.0.1:${p}`)
      .join(','),
    async stop() {
      for (const c of children) c.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Another fresh database (for tests that need an empty schema, e.g. migrations up and down). */
export async function createExtraDatabase(adminUrl: string, suffix: string): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `sl_test_${process.pid}_${suffix}_${Date.now().toString(36)}`;
  const c = new pg.Client({ connectionString: adminUrl });
  await c.connect();
  await c.query(`create database ${name}`);
  await c.end();
  const u = new URL(adminUrl);
  u.pathname = `/${name}`;
  return {
    url: u.toString(),
    async drop() {
      const d = new pg.Client({ connectionString: adminUrl });
      await d.connect();
      await d.query(`drop database if exists ${name} with (force)`);
      await d.end();
    },
  };
}
