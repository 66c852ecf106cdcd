// What the benchmarks share (bench/run.ts, bench/hotpath.ts): the load generator, a PostgreSQL to
// run on, API calls, a workspace whose API limits never refuse, the guard-vs-no-op measurement, the
// machine's description and BENCHMARKS.md sections.
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { startPrivatePostgres } from '../src/bootstrap/local-servers.js';

const execFileAsync = promisify(execFile);

export type Cannon = { rps: number; p50: number; p99: number; non2xx: number; errors: number; total: number };
export type CannonFn = (load: Record<string, unknown>) => Promise<Cannon>;

/** A load generator (bench/load.ts) in a child process, so the server under test keeps this process's core. */
export function cannonWith(defaults: { seconds: number; connections: number }): CannonFn {
  return async (o) => {
    // Long path lists go through a file: a command line holds at most 128 KiB per argument.
    if (Array.isArray(o.paths) && o.paths.length > 200) {
      const file = join(mkdtempSync(join(tmpdir(), 'sl-bench-paths-')), 'paths.json');
      writeFileSync(file, JSON.stringify(o.paths));
      o = { ...o, paths: undefined, pathsFile: file };
    }
    const { stdout } = await execFileAsync(
      process.execPath,
      [new URL('./load.js', import.meta.url).pathname, JSON.stringify({ duration: defaults.seconds, connections: defaults.connections, ...o })],
      { encoding: 'utf8', maxBuffer: 1 << 20 },
    );
    return JSON.parse(stdout) as Cannon;
  };
}

/** The mean of runs of the same load (latencies: the worst). */
export function meanOf(rs: Cannon[]): Cannon {
  return {
    rps: rs.reduce((t, r) => t + r.rps, 0) / rs.length,
    p50: Math.max(...rs.map((r) => r.p50)),
    p99: Math.max(...rs.map((r) => r.p99)),
    non2xx: rs.reduce((t, r) => t + r.non2xx, 0),
    errors: rs.reduce((t, r) => t + r.errors, 0),
    total: rs.reduce((t, r) => t + r.total, 0),
  };
}

/** Throws when more than `share` of a run's requests failed: a figure of refusals is not a figure of the route. */
function expectClean(name: string, r: Cannon, share = 0.001): void {
  if (r.non2xx + r.errors > r.total * share) throw new Error(`${name}: ${r.non2xx} non-2xx and ${r.errors} errors of ${r.total}`);
}

/** The machine's PostgreSQL when one answers on 5432, else a private one. */
export async function localPg(): Promise<{ adminUrl: string; stop?: () => Promise<void> }> {
  const url = 'postgres://postgres@127.0.0.1:5432/postgres';
  const c = new pg.Client({ connectionString: url, connectionTimeoutMillis: 1000 });
  try {
    await c.connect();
    await c.end();
    return { adminUrl: url };
  } catch {
    const s = await startPrivatePostgres(join(mkdtempSync(join(tmpdir(), 'sl-bench-pg-')), 'pg'));
    return { adminUrl: s.url, stop: s.stop };
  }
}

export async function dropDatabase(adminUrl: string, name: string): Promise<void> {
  const c = new pg.Client({ connectionString: adminUrl });
  await c.connect();
  await c.query(`drop database if exists ${name} with (force)`);
  await c.end();
}

export type ApiCall = (method: string, path: string, key: string, body?: unknown) => Promise<any>;

/** A JSON call to the service under test (the bench's own requests, not the measured load). */
export function apiCaller(base: string): ApiCall {
  return async (method, path, key, body) => {
    const r = await fetch(base + path, {
      method,
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: body ? JSON.stringify(body) : undefined,
    });
    return r.json() as Promise<any>;
  };
}

/** API limits far above any bench's load, so no measured call is refused by them. */
export const BIG_API_LIMITS = { per_second: 100_000, per_minute: 10_000_000 };

/** A workspace whose API limits are raised above the bench's load. */
export async function benchWorkspace(call: ApiCall, adminKey: string, name: string): Promise<{ id: string; api_key: string }> {
  const ws = await call('POST', '/v1/workspaces', adminKey, { name, monthly_credits: 50_000_000 });
  const big = BIG_API_LIMITS;
  const patched = await call('PATCH', `/v1/workspaces/${ws.id}`, adminKey, {
    custom_limits: { '/v1/actions': big, '/v1/identities': big, '/v1/workspaces': big, daily_api_limit: 10_000_000_000 },
  });
  if (!patched.custom_limits) throw new Error(`custom limits refused: ${JSON.stringify(patched)}`);
  return { id: ws.id as string, api_key: ws.api_key as string };
}

/** Identities made through the API, `concurrency` at a time; `body(i)` is the i-th one's body. */
export async function makeIdentities(
  call: ApiCall,
  apiKey: string,
  n: number,
  body: (i: number) => Record<string, unknown>,
  concurrency = 50,
): Promise<string[]> {
  const made: string[] = [];
  for (let k = 0; k < n; k += concurrency) {
    const batch = await Promise.all(
      Array.from({ length: Math.min(concurrency, n - k) }, (_, j) => call('POST', '/v1/identities', apiKey, body(k + j))),
    );
    for (const b of batch) {
      if (typeof b.id !== 'string') throw new Error(`identity not created: ${JSON.stringify(b)}`);
      made.push(b.id);
    }
  }
  return made;
}

/**
 * The guard over HTTP against the no-op authenticated route (`GET /v1/whoami`, which authenticates
 * and takes the API limit too), same server, same load: both warmed up, then `rounds` runs of each
 * alternated (no-op first) and averaged.
 */
export async function guardVsNoop(o: {
  cannon: CannonFn;
  base: string;
  auth: Record<string, string>;
  guardPaths: string[];
  rounds?: number;
  duration?: number;
  connections?: number;
}): Promise<{ guard: Cannon; noop: Cannon }> {
  const extra = { ...(o.duration ? { duration: o.duration } : {}), ...(o.connections ? { connections: o.connections } : {}) };
  const noopLoad = { url: `${o.base}/v1/whoami`, headers: o.auth, ...extra };
  const guardLoad = { url: o.base, method: 'POST', headers: o.auth, paths: o.guardPaths, body: 'guard', ...extra };
  await o.cannon({ ...noopLoad, duration: 2 });
  await o.cannon({ ...guardLoad, duration: 2 });
  const noops: Cannon[] = [];
  const guards: Cannon[] = [];
  for (let round = 0; round < (o.rounds ?? 1); round++) {
    noops.push(await o.cannon(noopLoad));
    guards.push(await o.cannon(guardLoad));
  }
  const noop = meanOf(noops);
  const guard = meanOf(guards);
  expectClean('no-op', noop);
  expectClean('guard', guard);
  return { guard, noop };
}

/** nproc, CPU model, memory, Node and the Redis server's version, as the benchmarks print them. */
export function machine(redisVersion: string): string {
  const [l1, l5] = loadavg();
  return `${cpus().length} cores (${cpus()[0]?.model ?? 'unknown'}), ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}, Redis ${redisVersion}, loopback; load average at the start ${l1.toFixed(2)} (1 min) / ${l5.toFixed(2)} (5 min)`;
}

const sectionStart = (name: string) => `<!-- section:${name} -->`;
const sectionEnd = (name: string) => `<!-- /section:${name} -->`;

/** The section `name` of a BENCHMARKS.md (markers included), or "" when it has none. */
export function keptSection(file: string, name: string): string {
  if (!existsSync(file)) return '';
  const text = readFileSync(file, 'utf8');
  const a = text.indexOf(sectionStart(name));
  const b = text.indexOf(sectionEnd(name));
  if (a < 0 || b < a) return '';
  return text.slice(a, b + sectionEnd(name).length) + '\n';
}

/** Replaces the section `name` of a BENCHMARKS.md with `lines` (appended when it has none yet); the rest is kept. */
export function writeSection(file: string, name: string, lines: string[]): void {
  const body = [sectionStart(name), ...lines, sectionEnd(name)].join('\n') + '\n';
  const text = existsSync(file) ? readFileSync(file, 'utf8') : '# Benchmarks\n';
  const old = keptSection(file, name);
  writeFileSync(file, old ? text.replace(old, () => body) : text.replace(/\n*$/, '\n\n') + body);
}
