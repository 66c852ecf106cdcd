// The hot path (issue 18), every figure of its table side by side in one run, on private servers:
// Redis CPU per guard (empty and pre-filled windows), the peer (rate-limiter-flexible's
// RateLimiterUnion of the same limiters on the same Redis), Redis bytes per recorded unit at
// 100 / 500 / 1,400 / 2,500 entries per window, one action of cost N, 10,000 identities at a
// realistic mix, and the guard over HTTP against the no-op route with 50 connections.
//
// It knows nothing of the window layout: actions are recorded through the guard script's typed
// wrapper (GUARD_SCRIPT) with the input the service itself builds (GuardService.scriptInput), guards
// go over HTTP, and an identity's memory is the sum of `MEMORY USAGE` over every key whose name holds
// its id, found by SCAN. Writes the "Hot path (issue 18)" section of BENCHMARKS.md, nothing else.
//
// Run: `npm run bench:hotpath` (or `BENCH_ONLY=hotpath npm run bench`; `npm run bench` runs it after
// the other figures). Environment: BENCH_HOTPATH_SECONDS (4: each HTTP and throughput run),
// BENCH_HOTPATH_CONNECTIONS (50), BENCH_HOTPATH_IDENTITIES (10000: the mix's scale),
// BENCH_HOTPATH_MIX_SAMPLE (1000: the mix's identities actually recorded, its total scaled from them),
// BENCH_HOTPATH_GUARDS (1000: guards per Redis-CPU figure), BENCH_HOTPATH_LABEL (a line printed
// above the table, e.g. "Baseline before the issue-18 changes").
import 'reflect-metadata';
import { execSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { type NestFastifyApplication } from '@nestjs/platform-fastify';
import { Redis } from 'ioredis';
import { RateLimiterRedis, RateLimiterUnion } from 'rate-limiter-flexible';
import { ApiLimitsService } from '../src/api-limits/api-limits.service.js';
import { createApp } from '../src/app.factory.js';
import { startPrivateRedis } from '../src/bootstrap/local-servers.js';
import { ensureDatabase } from '../src/bootstrap/resolve-stores.js';
import { CatalogService } from '../src/catalog/catalog.service.js';
import { type ActionDefinition } from '../src/catalog/catalog.types.js';
import { loadConfig } from '../src/config/app-config.js';
import { IdentitiesService } from '../src/identities/identities.service.js';
import { type Identity } from '../src/identities/identity.js';
import { isInvitationAction } from '../src/invitations/invitation-rules.js';
import { targetField } from '../src/invitations/invitation-state.js';
import { InvitationsService } from '../src/invitations/invitations.service.js';
import { RedisKeys } from '../src/redis/redis-keys.js';
import { actionMember } from '../src/smart-limits/action-member.js';
import { GUARD_SCRIPT, type GuardDecision, type GuardInput } from '../src/smart-limits/guard.script.js';
import { GuardService } from '../src/smart-limits/guard.service.js';
import { IdentityRebuild } from '../src/smart-limits/identity-rebuild.service.js';
import { type PlannedLimit } from '../src/smart-limits/limit-plan.js';
import { type IdentityCalendar, WorkingHoursService } from '../src/smart-limits/working-hours.service.js';
import {
  type ApiCall,
  apiCaller,
  benchWorkspace,
  BIG_API_LIMITS,
  cannonWith,
  dropDatabase,
  guardVsNoop,
  localPg,
  machine,
  makeIdentities,
  writeSection,
} from './harness.js';

export const HOTPATH_SECTION = 'hotpath';

const SECONDS = Number(process.env.BENCH_HOTPATH_SECONDS ?? 4);
const CONNECTIONS = Number(process.env.BENCH_HOTPATH_CONNECTIONS ?? 50);
const MIX_IDENTITIES = Number(process.env.BENCH_HOTPATH_IDENTITIES ?? 10_000);
const GUARDS = Number(process.env.BENCH_HOTPATH_GUARDS ?? 1_000);
/** Identities of the mix actually recorded (10 % heavy); the 10,000's total is this sample's, scaled. */
const MIX_SAMPLE = Math.min(MIX_IDENTITIES, Number(process.env.BENCH_HOTPATH_MIX_SAMPLE ?? 1_000));
const ADMIN = 'bench-admin-key-0123456789abcdef';

/** The one-limit action of issue 18's table. */
const ONE_LIMIT = 'linkedin-visit-profile';
/** The invitation action (catalog: the two invitation limits + LK_WRITE_ACTIONS; the guard adds the API limit). */
const INVITATION = 'linkedin-connect-profile';
const ENRICHMENT = 'linkedin-extract-profile';
const SEARCH = 'linkedin-search-people';
const SEARCH_RESULTS = 'linkedin-extract-search-results';
const MESSAGE = 'linkedin-message-profile';
/** Working hours that are always open: the calendar goes into every paced call, and none is refused by it. */
const ALWAYS_OPEN = { days: [1, 2, 3, 4, 5, 6, 7], start: '00:00', end: '24:00', start_jitter_minutes: 0 };
const RAISED = 1_000_000;
const MIN = 60_000;
const HOUR = 3_600_000;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g;

/** One action to record through the guard script. `atMs` null: now ("check"), else a backfill at that time. */
interface Rec {
  id: string;
  action: string;
  actionId: string;
  cost: number;
  atMs: number | null;
  target?: string;
  /** An invitation recorded in the windows only (the invitation hash's pending count left as it is). */
  windowsOnly?: boolean;
}

type Stats = Map<string, { calls: number; usec: number }>;

function parseCommandStats(info: string): Stats {
  const out: Stats = new Map();
  for (const m of info.matchAll(/^cmdstat_([^:]+):calls=(\d+),usec=(\d+)/gm)) out.set(m[1], { calls: Number(m[2]), usec: Number(m[3]) });
  return out;
}

/** The script calls' share of commandstats (EVALSHA, and EVAL when a script was not cached yet). */
function scriptCalls(s: Stats): { calls: number; usec: number } {
  const calls = ['evalsha', 'eval', 'evalsha_ro', 'eval_ro'].map((c) => s.get(c) ?? { calls: 0, usec: 0 });
  return { calls: calls.reduce((t, c) => t + c.calls, 0), usec: calls.reduce((t, c) => t + c.usec, 0) };
}

const infoField = (info: string, field: string) => Number(new RegExp(`^${field}:([\\d.]+)`, 'm').exec(info)?.[1] ?? 0);

export async function hotpathBenchmarks(file = 'BENCHMARKS.md'): Promise<void> {
  const started = Date.now();
  const redisSrv = await startPrivateRedis(mkdtempSync(join(tmpdir(), 'sl-hotpath-redis-')), { appendOnly: false });
  const pgSrv = await localPg();
  const dbName = `sl_hotpath_${Date.now().toString(36)}`;
  await ensureDatabase(pgSrv.adminUrl, dbName);
  const dbUrl = new URL(pgSrv.adminUrl);
  dbUrl.pathname = `/${dbName}`;
  const config = loadConfig({
    NODE_ENV: 'test',
    REDIS_URL: redisSrv.url,
    DATABASE_URL: dbUrl.toString(),
    ADMIN_API_KEY: ADMIN,
    LOG_LEVEL: 'silent',
    JOBS_ENABLED: 'false',
    IP_RATE_LIMIT_PER_MINUTE: '100000000',
  });
  const app = await createApp(config);
  await app.listen({ port: 0, host: '127.0.0.1' });
  const base = `http://127.0.0.1:${(app.getHttpServer().address() as { port: number }).port}`;
  const stats = new Redis(redisSrv.url);
  const raw = new Redis(redisSrv.url);
  GUARD_SCRIPT.define(raw);
  try {
    const lines = await measure(app, base, redisSrv.url, stats, raw, started);
    writeSection(file, HOTPATH_SECTION, lines);
  } finally {
    await stats.quit().catch(() => undefined);
    await raw.quit().catch(() => undefined);
    await app.close();
    await dropDatabase(pgSrv.adminUrl, dbName);
    await pgSrv.stop?.();
    await redisSrv.stop();
  }
}

async function measure(app: NestFastifyApplication, base: string, redisUrl: string, stats: Redis, raw: Redis, started: number): Promise<string[]> {
  const log = (s: string) => process.stdout.write(`[hotpath ${((Date.now() - started) / 1000).toFixed(0)} s] ${s}\n`);
  const call: ApiCall = apiCaller(base);
  const cannon = cannonWith({ seconds: SECONDS, connections: CONNECTIONS });
  const guardSvc = app.get(GuardService);
  const identities = app.get(IdentitiesService);
  const hours = app.get(WorkingHoursService);
  const invitations = app.get(InvitationsService);
  const rebuild = app.get(IdentityRebuild);
  const apiLimits = app.get(ApiLimitsService);
  const catalog = app.get(CatalogService);
  const keys = app.get(RedisKeys);
  const ws = await benchWorkspace(call, ADMIN, 'hotpath');
  const auth = { authorization: `Bearer ${ws.api_key}`, 'content-type': 'application/json' };
  const redisVersion = (/^redis_version:(\S+)/m.exec(await stats.info('server')) ?? [])[1] ?? 'unknown';
  const machineLine = machine(redisVersion);

  const actionOf = (slug: string): ActionDefinition => {
    const a = catalog.action(slug);
    if (!a) throw new Error(`${slug} is not in the catalog`);
    return a;
  };
  if (!isInvitationAction(INVITATION)) throw new Error(`${INVITATION} is no longer an invitation action`);
  /** limit_overrides raising every limit of these actions far above what the bench records. */
  const raise = (...slugs: string[]) => Object.fromEntries(slugs.flatMap((s) => actionOf(s).limits).map((l) => [l, RAISED]));
  let serial = 0;
  const identityBody = (extra: Record<string, unknown>) => () => ({ external_id: `h${serial++}`, warmup: 'none', ...extra });
  const make = (n: number, extra: Record<string, unknown>) => makeIdentities(call, ws.api_key, n, identityBody(extra), 100);

  // ---- Recording through the guard script, with the service's own input ----
  const prepared = new Map<string, Promise<{ identity: Identity; action: ActionDefinition; plan: PlannedLimit[]; calendar: IdentityCalendar }>>();
  const prepare = (id: string, slug: string) => {
    const k = `${id} ${slug}`;
    let p = prepared.get(k);
    if (!p) {
      p = (async () => {
        const identity = await identities.getCached(ws.id, id);
        const action = guardSvc.resolveAction(slug, identity);
        return { identity, action, plan: guardSvc.plan(identity, action), calendar: await hours.calendarOf(identity, Date.now()) };
      })();
      prepared.set(k, p);
    }
    return p;
  };
  const invitationsBuilt = new Set<string>();
  const noApi = { bucketKey: keys.apiLimit(ws.id, 'none'), dailyKey: keys.apiDaily(ws.id), limits: { perSecond: 0, perMinute: 0, daily: 0 } };
  const inputOf = async (r: Rec, api: GuardInput['api'] = noApi): Promise<GuardInput> => {
    const p = await prepare(r.id, r.action);
    const input = guardSvc.scriptInput(p.identity, p.action, p.plan, p.calendar, {
      member: actionMember(r.actionId),
      actionId: r.actionId,
      cost: r.cost,
      mode: r.atMs === null ? 'check' : 'backfill',
      occurredAtMs: r.atMs,
      api,
      // Decided now (or backfilled), not planned ahead (schedule mode).
      schedule: null,
    });
    if (input.invitation?.enabled) {
      if (r.windowsOnly) input.invitation = { ...input.invitation, enabled: false };
      else if (r.target) input.invitation.targetField = targetField(r.target);
    }
    return input;
  };
  /** Units the call put in the identity's windows, as the reply counts them (whatever the layout). */
  const unitsOf = (d: GuardDecision) => d.windows.reduce((t, w) => t + w.consumedAfter - w.consumedBefore, 0);
  /** Records every Rec (pipelined, a few chunks in flight); throws unless every one was recorded. Returns the units recorded. */
  const ensureInvitations = async (ids: string[]) => {
    const toBuild = [...new Set(ids)].filter((id) => !invitationsBuilt.has(id));
    for (let k = 0; k < toBuild.length; k += 50) {
      await Promise.all(toBuild.slice(k, k + 50).map((id) => invitations.rebuild({ workspaceId: ws.id, identityId: id })));
    }
    for (const id of toBuild) invitationsBuilt.add(id);
  };
  const record = async (recs: Rec[]): Promise<number> => {
    // An invitation action's hash is built once per identity first (as the service does on its first invitation).
    await ensureInvitations(recs.filter((r) => isInvitationAction(r.action) && !r.windowsOnly).map((r) => r.id));
    let units = 0;
    let retry: Rec[] = [];
    const CHUNK = 1_000;
    const chunks: Rec[][] = [];
    for (let k = 0; k < recs.length; k += CHUNK) chunks.push(recs.slice(k, k + CHUNK));
    const runChunk = async (chunk: Rec[]) => {
      const inputs = await Promise.all(chunk.map((r) => inputOf(r)));
      const replies = await GUARD_SCRIPT.runMany(raw, inputs);
      replies.forEach((reply, i) => {
        if (reply.status === 'recorded') units += unitsOf(reply);
        else if (reply.status === 'rebuild_needed' || reply.status === 'invitation_state_missing') retry.push(chunk[i]);
        else throw new Error(`fill: ${chunk[i].action} on ${chunk[i].id} answered ${reply.status}: ${JSON.stringify(reply).slice(0, 400)}`);
      });
    };
    for (let k = 0; k < chunks.length; k += 3) await Promise.all(chunks.slice(k, k + 3).map(runChunk));
    for (let attempt = 0; retry.length && attempt < 2; attempt++) {
      for (const id of new Set(retry.map((r) => r.id))) {
        await rebuild.ensure(ws.id, id);
        await invitations.rebuild({ workspaceId: ws.id, identityId: id });
        invitationsBuilt.add(id);
      }
      const again = retry;
      retry = [];
      for (let k = 0; k < again.length; k += CHUNK) await runChunk(again.slice(k, k + CHUNK));
    }
    if (retry.length) throw new Error(`fill: ${retry.length} calls still found no state after a rebuild`);
    return units;
  };
  /** `n` backfills per identity, in time order, spread over [now - 23 h, now - 61 min] (older than every burst and gap). */
  const spread = (id: string, action: string, n: number, cost = 1, windowsOnly = false): Rec[] => {
    const now = Date.now();
    const from = now - 23 * HOUR;
    const span = 22 * HOUR - 61 * MIN;
    return Array.from({ length: n }, (_, j) => ({
      id,
      action,
      actionId: randomUUID(),
      cost,
      atMs: Math.floor(from + ((j + Math.random()) * span) / n),
      windowsOnly,
    }));
  };

  // ---- Memory: every key whose name holds the identity's id (SCAN), MEMORY USAGE … SAMPLES 0 ----
  const usedMemory = async () => {
    const info = await stats.info('memory');
    // Less the client buffers, which the bench's own pipelines fill and empty.
    return infoField(info, 'used_memory') - infoField(info, 'mem_clients_normal');
  };
  const memoryOf = async (ids: Iterable<string>) => {
    const want = new Set(ids);
    const owned: { key: string; id: string }[] = [];
    let cursor = '0';
    do {
      const [next, found] = await stats.scan(cursor, 'COUNT', 5_000);
      cursor = next;
      for (const key of found) {
        const id = key.match(UUID)?.find((u) => want.has(u));
        if (id) owned.push({ key, id });
      }
    } while (cursor !== '0');
    const bytes = new Map<string, number>([...want].map((id) => [id, 0]));
    const shapes = new Map<string, { keys: number; bytes: number; kinds: Set<string> }>();
    for (let k = 0; k < owned.length; k += 1_000) {
      const slice = owned.slice(k, k + 1_000);
      const p = stats.pipeline();
      for (const o of slice) {
        p.call('MEMORY', 'USAGE', o.key, 'SAMPLES', '0');
        p.type(o.key);
        p.object('ENCODING', o.key);
      }
      const res = (await p.exec()) ?? [];
      slice.forEach((o, i) => {
        const b = Number(res[3 * i]?.[1] ?? 0);
        bytes.set(o.id, (bytes.get(o.id) ?? 0) + b);
        // The key's shape: ids and long numbers elided, so the layout reads off the report.
        const shape = o.key.replace(UUID, (u) => (u === o.id ? '<identity>' : '<uuid>')).replace(/\d{4,}/g, '<n>');
        const s = shapes.get(shape) ?? { keys: 0, bytes: 0, kinds: new Set<string>() };
        s.keys++;
        s.bytes += b;
        s.kinds.add(`${String(res[3 * i + 1]?.[1])}/${String(res[3 * i + 2]?.[1])}`);
        shapes.set(shape, s);
      });
    }
    const total = [...bytes.values()].reduce((a, b) => a + b, 0);
    return { bytes, total, keys: owned.length, shapes };
  };
  const layoutOf = (shapes: Map<string, { keys: number; bytes: number; kinds: Set<string> }>, per: number) =>
    [...shapes.entries()]
      .sort((a, b) => b[1].bytes - a[1].bytes)
      .map(
        ([shape, s]) =>
          `\`${shape}\` ${(s.keys / per).toFixed(s.keys % per ? 1 : 0)}× (${[...s.kinds].join(', ')}), ${(s.bytes / s.keys).toFixed(0)} B`,
      )
      .join('; ');

  // ---- Redis CPU of N admitted guards over HTTP ----
  const cpuOf = async () => {
    const info = await stats.info('cpu');
    return (infoField(info, 'used_cpu_sys') + infoField(info, 'used_cpu_user')) * 1e6;
  };
  const guardPath = (id: string, action: string) => `/v1/identities/${id}/actions/${action}/guard`;
  const guardBody = (action: string) => ({
    action_id: randomUUID(),
    ...(isInvitationAction(action) ? { target: `https://www.linkedin.com/in/hp-${randomUUID()}` } : {}),
  });
  const ROUNDS = 5;
  const median = (xs: number[]) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)];
  /**
   * The guard script alone, as the service calls it (its input, the API limit on, a new action id and
   * target each): ROUNDS rounds of `perRound` admitted calls, 50 at a time, each after CONFIG RESETSTAT;
   * the median round's usec_per_call (contention on the shared machine only ever adds to a round).
   */
  const scriptCpu = async (action: string, who: string[], perRound: number, oncePerIdentity: boolean) => {
    const api = apiLimits.scriptArgs(ws.id, '/v1/actions', await apiLimits.limitsFor(ws.id));
    await Promise.all(who.map((id) => prepare(id, action)));
    if (isInvitationAction(action)) await ensureInvitations(who);
    const rounds: number[] = [];
    let used = 0;
    let cpu = 0;
    for (let round = 0; round < ROUNDS; round++) {
      await sleep(100);
      await stats.config('RESETSTAT');
      const cpu0 = await cpuOf();
      for (let k = 0; k < perRound; k += 50) {
        const replies = await Promise.all(
          Array.from({ length: Math.min(50, perRound - k) }, async () => {
            const id = who[used++ % who.length];
            const input = await inputOf(
              { id, action, actionId: randomUUID(), cost: 1, atMs: null, target: `https://www.linkedin.com/in/hp-${randomUUID()}` },
              api,
            );
            return GUARD_SCRIPT.run(raw, input);
          }),
        );
        const bad = replies.find((r) => r.status !== 'recorded');
        if (bad) throw new Error(`${action}: a guard script call was not admitted: ${JSON.stringify(bad).slice(0, 600)}`);
      }
      cpu += (await cpuOf()) - cpu0;
      const s = scriptCalls(parseCommandStats(await stats.info('commandstats')));
      if (s.calls !== perRound) throw new Error(`${action}: ${s.calls} script calls counted for ${perRound} guards`);
      rounds.push(s.usec / s.calls);
    }
    if (oncePerIdentity && used > who.length) throw new Error(`${action}: ${used} paced guards on ${who.length} identities`);
    return {
      usecPerCall: median(rounds),
      best: Math.min(...rounds),
      rounds,
      guards: ROUNDS * perRound,
      used,
      scriptProcessUsec: cpu / (ROUNDS * perRound),
    };
  };
  /** The same over HTTP: every script call the service makes per guard, and the Redis process's CPU (INFO cpu). */
  const httpCpu = async (action: string, who: string[], n: number) => {
    // Not the first invitation of an identity, whose hash is built then (a rebuild and a second call).
    if (isInvitationAction(action)) await ensureInvitations(who);
    await sleep(100);
    await stats.config('RESETSTAT');
    const cpu0 = await cpuOf();
    let admitted = 0;
    for (let k = 0; k < n; k += 50) {
      const rs = await Promise.all(
        Array.from({ length: Math.min(50, n - k) }, (_, j) =>
          call('POST', guardPath(who[(k + j) % who.length], action), ws.api_key, guardBody(action)),
        ),
      );
      admitted += rs.filter((r) => r.recorded === true).length;
      if (admitted < k + rs.length) throw new Error(`${action}: a guard was not admitted: ${JSON.stringify(rs.find((r) => r.recorded !== true))}`);
    }
    const cpu1 = await cpuOf();
    const s = scriptCalls(parseCommandStats(await stats.info('commandstats')));
    return { scriptCallsPerGuard: s.calls / n, scriptUsecPerGuard: s.usec / n, processUsec: (cpu1 - cpu0) / n, httpGuards: n };
  };

  const ok = (cond: boolean) => (cond ? 'met' : '**missed**');
  const f1 = (x: number) => x.toFixed(1);

  // ==== 3. Redis bytes per recorded unit at 100 / 500 / 1,400 / 2,500 entries per window ====
  log('bytes per recorded unit');
  const FILLS = [100, 500, 1_400, 2_500];
  const perFill = FILLS.map((fill) => Math.max(4, Math.ceil(10_000 / fill)));
  const fillIds: string[][] = [];
  for (const n of perFill) fillIds.push(await make(n, { pacing: 'off', limit_overrides: raise(ENRICHMENT) }));
  // A warm-up fill first, so one-off growth (the Lua VM, the keyspace's tables) lands in no figure.
  await record((await make(50, { pacing: 'off', limit_overrides: raise(ENRICHMENT) })).flatMap((id) => spread(id, ENRICHMENT, 100)));
  const bytesRows: { fill: number; n: number; usage: number; used: number; units: number; layout: string }[] = [];
  for (const [i, fill] of FILLS.entries()) {
    const ids = fillIds[i];
    const m0 = await memoryOf(ids);
    const u0 = await usedMemory();
    const d0 = await stats.info('memory');
    const units = await record(ids.flatMap((id) => spread(id, ENRICHMENT, fill)));
    await sleep(300);
    const m1 = await memoryOf(ids);
    const u1 = await usedMemory();
    const d1 = await stats.info('memory');
    log(
      `fill ${fill}: per unit ${['used_memory', 'used_memory_dataset', 'used_memory_overhead', 'mem_clients_normal', 'used_memory_vm_eval']
        .map((f) => `${f} ${((infoField(d1, f) - infoField(d0, f)) / units).toFixed(1)}`)
        .join(', ')}; MEMORY USAGE ${((m1.total - m0.total) / units).toFixed(1)}`,
    );
    bytesRows.push({
      fill,
      n: ids.length,
      usage: (m1.total - m0.total) / units,
      used: (u1 - u0) / units,
      units,
      layout: layoutOf(m1.shapes, ids.length),
    });
  }

  // ==== 4. One action of cost N vs cost 1 ====
  log('one action of cost N');
  const COSTS = [1, 10, 100];
  const costRows: { base: number; cost: number; usage: number; used: number }[] = [];
  for (const baseEntries of [0, 50]) {
    for (const cost of COSTS) {
      const ids = await make(30, { pacing: 'off', limit_overrides: raise(SEARCH_RESULTS) });
      // The window already holds `baseEntries` units: two earlier searches of 25 results.
      if (baseEntries) await record(ids.flatMap((id) => spread(id, SEARCH_RESULTS, baseEntries / 25, 25)));
      await sleep(200);
      const m0 = await memoryOf(ids);
      const u0 = await usedMemory();
      const units = await record(ids.map((id) => ({ id, action: SEARCH_RESULTS, actionId: randomUUID(), cost, atMs: null })));
      if (units !== cost * ids.length) throw new Error(`cost ${cost}: ${units} units recorded for ${ids.length} actions`);
      await sleep(300);
      const m1 = await memoryOf(ids);
      const u1 = await usedMemory();
      costRows.push({ base: baseEntries, cost, usage: (m1.total - m0.total) / ids.length, used: (u1 - u0) / ids.length });
    }
  }

  // ==== 1. Redis CPU per guard, empty and pre-filled windows ====
  log('Redis CPU per guard');
  const CPU_FILLS = [0, 100, 1_000];
  const perRound = Math.max(50, Math.floor(GUARDS / ROUNDS));
  type CpuRow = { action: string; pacing: 'off' | 'standard'; fill: number; identities: number } & Awaited<ReturnType<typeof scriptCpu>> &
    Awaited<ReturnType<typeof httpCpu>>;
  const cpuRows: CpuRow[] = [];
  for (const action of [ONE_LIMIT, INVITATION]) {
    // Pacing off: the same 20 identities take every guard (no gap, burst or lease refuses a repeat).
    for (const fill of CPU_FILLS) {
      const ids = await make(20, { pacing: 'off', limit_overrides: raise(action) });
      if (fill) await record(ids.flatMap((id) => spread(id, action, fill, 1, true)));
      const script = await scriptCpu(action, ids, perRound, false);
      cpuRows.push({ action, pacing: 'off', fill, identities: ids.length, ...script, ...(await httpCpu(action, ids, perRound)) });
    }
    // Pacing on (the default), always-open working hours: one admitted guard per identity (a gap refuses a repeat).
    for (const fill of [0, 100]) {
      const onRound = Math.max(20, Math.floor(perRound / 4));
      const ids = await make(onRound * (ROUNDS + 1), { pacing: 'standard', schedule: ALWAYS_OPEN, limit_overrides: raise(action) });
      if (fill) await record(ids.flatMap((id) => spread(id, action, fill, 1, true)));
      const script = await scriptCpu(action, ids.slice(0, onRound * ROUNDS), onRound, true);
      cpuRows.push({
        action,
        pacing: 'standard',
        fill,
        identities: ids.length,
        ...script,
        ...(await httpCpu(action, ids.slice(onRound * ROUNDS), onRound)),
      });
    }
  }

  // ==== 6 (identities). The HTTP load's identities, also the in-process throughput's ====
  const httpIds = await make(1_000, { pacing: 'off', limit_overrides: raise(ONE_LIMIT, INVITATION) });

  // ==== 2. The peer: RateLimiterUnion of the invitation action's limits + the API limit ====
  log('rate-limiter-flexible RateLimiterUnion');
  const peerClient = new Redis(redisUrl);
  const guardClient = new Redis(redisUrl);
  GUARD_SCRIPT.define(guardClient);
  const invPlan = (await prepare(httpIds[0], INVITATION)).plan;
  const limiters = [
    ...invPlan.map((l) => new RateLimiterRedis({ storeClient: peerClient, points: l.max, duration: l.windowSeconds, keyPrefix: `rlu-${l.slug}` })),
    new RateLimiterRedis({ storeClient: peerClient, points: BIG_API_LIMITS.per_minute, duration: 60, keyPrefix: 'rlu-api' }),
  ];
  const union = new RateLimiterUnion(...limiters);
  const peerKey = (k: number) => httpIds[k % 20];
  await union.consume(peerKey(0)); // the script is loaded before the count starts
  await sleep(200);
  // The same method as the guard script's: rounds after CONFIG RESETSTAT, the median round.
  const peerRounds: { usec: number; calls: number }[] = [];
  let peerCpu = 0;
  for (let round = 0; round < ROUNDS; round++) {
    await sleep(100);
    await stats.config('RESETSTAT');
    const cpu0 = await cpuOf();
    for (let k = 0; k < perRound; k += 50) {
      await Promise.all(Array.from({ length: Math.min(50, perRound - k) }, (_, j) => union.consume(peerKey(k + j))));
    }
    peerCpu += (await cpuOf()) - cpu0;
    const sc = scriptCalls(parseCommandStats(await stats.info('commandstats')));
    peerRounds.push({ usec: sc.usec / perRound, calls: sc.calls / perRound });
  }
  const peerMedian = median(peerRounds.map((r) => r.usec));
  const peer = {
    usecPerConsume: peerMedian,
    rounds: peerRounds.map((r) => r.usec),
    commandsPerConsume: peerRounds[0].calls,
    usecPerCommand: peerMedian / peerRounds[0].calls,
    processUsec: peerCpu / (ROUNDS * perRound),
    consumes: ROUNDS * perRound,
  };
  // Throughput in this process, 50 callers each awaiting its call: the union's consume vs the guard
  // script's call for the invitation action (with the API limit on, as the service makes it).
  const apiArgs = apiLimits.scriptArgs(ws.id, '/v1/actions', await apiLimits.limitsFor(ws.id));
  const loop = async (seconds: number, one: (k: number) => Promise<void>) => {
    const until = Date.now() + seconds * 1000;
    let n = 0;
    const t0 = process.hrtime.bigint();
    await Promise.all(
      Array.from({ length: CONNECTIONS }, async () => {
        while (Date.now() < until) await one(n++);
      }),
    );
    return n / (Number(process.hrtime.bigint() - t0) / 1e9);
  };
  let notRecorded = 0;
  const guardOne = async (k: number) => {
    const target = `https://www.linkedin.com/in/hp-${randomUUID()}`;
    const input = await inputOf(
      { id: httpIds[k % httpIds.length], action: INVITATION, actionId: randomUUID(), cost: 1, atMs: null, target },
      apiArgs,
    );
    const r = await GUARD_SCRIPT.run(guardClient, input);
    if (r.status !== 'recorded') notRecorded++;
  };
  await Promise.all(httpIds.map((id) => prepare(id, INVITATION)));
  await ensureInvitations(httpIds);
  const tput = { guard: [] as number[], union: [] as number[] };
  const T = Math.max(2, SECONDS * 0.75);
  await loop(1, guardOne);
  await loop(1, async (k) => void (await union.consume(peerKey(k))));
  for (let round = 0; round < 2; round++) {
    tput.guard.push(await loop(T, guardOne));
    tput.union.push(await loop(T, async (k) => void (await union.consume(peerKey(k)))));
  }
  if (notRecorded) throw new Error(`throughput: ${notRecorded} guard script calls were not recorded`);
  const avg = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  await peerClient.quit();
  await guardClient.quit();

  // ==== 6. Guard over HTTP vs the no-op route, 50 connections ====
  log('guard over HTTP vs no-op');
  const { guard, noop } = await guardVsNoop({
    cannon,
    base,
    auth,
    guardPaths: httpIds.map((id) => guardPath(id, ONE_LIMIT)),
    rounds: 2,
    duration: SECONDS,
    connections: CONNECTIONS,
  });

  // ==== 5. 10,000 identities at a realistic mix ====
  log(`memory of ${MIX_SAMPLE} identities of the mix`);
  const heavyEvery = 10;
  const mixIds: string[] = [];
  for (let k = 0; k < MIX_SAMPLE; k += 1_000) {
    const n = Math.min(1_000, MIX_SAMPLE - k);
    let i = k;
    mixIds.push(
      ...(await makeIdentities(
        call,
        ws.api_key,
        n,
        () => ({ external_id: `mix${i}`, warmup: 'none', account_type: i++ % heavyEvery === 0 ? 'sales_navigator' : 'premium' }),
        100,
      )),
    );
  }
  const heavy = new Set(mixIds.filter((_, i) => i % heavyEvery === 0));
  // A day of use, every action at a random time of the last 23 h (in time order per identity).
  const TYPICAL: [string, number, number][] = [
    [ONE_LIMIT, 30, 1],
    [ENRICHMENT, 50, 1],
    [SEARCH, 5, 1],
    [SEARCH_RESULTS, 4, 25],
    [INVITATION, 10, 1],
    [MESSAGE, 10, 1],
  ];
  // Near the enrichment (1,400) and search-result (2,500) thresholds of a Sales Navigator account.
  const HEAVY: [string, number, number][] = [
    [ONE_LIMIT, 30, 1],
    [ENRICHMENT, 1_290, 1],
    [SEARCH, 5, 1],
    [SEARCH_RESULTS, 92, 25],
    [INVITATION, 10, 1],
    [MESSAGE, 10, 1],
  ];
  const dayOf = (id: string): Rec[] => {
    const now = Date.now();
    const recs: Rec[] = (heavy.has(id) ? HEAVY : TYPICAL).flatMap(([action, n, cost]) =>
      Array.from({ length: n }, () => ({
        id,
        action,
        actionId: randomUUID(),
        cost,
        atMs: Math.floor(now - 23 * HOUR + Math.random() * (23 * HOUR - MIN)),
        ...(isInvitationAction(action) ? { target: `https://www.linkedin.com/in/p-${randomUUID()}` } : {}),
      })),
    );
    return recs.sort((a, b) => a.atMs! - b.atMs!);
  };
  const unitsPer = (plan: [string, number, number][]) =>
    plan.reduce((t, [action, n, cost]) => t + n * actionOf(action).limits.reduce((u, l) => u + (catalog.limit(l)?.per_action ? 1 : cost), 0), 0);
  await sleep(300);
  const mix0 = await memoryOf(mixIds);
  const mixUsed0 = await usedMemory();
  let mixUnits = 0;
  let mixCalls = 0;
  const mixStart = Date.now();
  const mixCpu = process.cpuUsage();
  await stats.config('RESETSTAT');
  for (let k = 0; k < mixIds.length; k += 100) {
    const recs = mixIds.slice(k, k + 100).flatMap(dayOf);
    mixCalls += recs.length;
    mixUnits += await record(recs);
  }
  const mixSeconds = (Date.now() - mixStart) / 1000;
  const mixScripts = scriptCalls(parseCommandStats(await stats.info('commandstats')));
  log(
    `mix: ${mixCalls} calls in ${mixSeconds.toFixed(1)} s; Redis script usec per call ${(mixScripts.usec / Math.max(1, mixScripts.calls)).toFixed(1)}; bench process CPU ${(process.cpuUsage(mixCpu).user / 1e6).toFixed(1)} s user`,
  );
  await sleep(500);
  const mix1 = await memoryOf(mixIds);
  const mixUsed1 = await usedMemory();
  const perIdentity = (which: (id: string) => boolean) => {
    const xs = mixIds.filter(which);
    return xs.reduce((t, id) => t + (mix1.bytes.get(id) ?? 0), 0) / xs.length;
  };
  const heavyBytes = perIdentity((id) => heavy.has(id));
  const typicalBytes = perIdentity((id) => !heavy.has(id));
  const mixUsed = mixUsed1 - mixUsed0;

  // ==== The section ====
  const commit = (() => {
    try {
      const head = execSync('git rev-parse --short HEAD', { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
      const dirty = execSync('git status --porcelain -- src bench', { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
      return `${head}${dirty ? ' + uncommitted changes' : ''}`;
    } catch {
      return 'unknown';
    }
  })();
  const label = process.env.BENCH_HOTPATH_LABEL;
  const out: string[] = [];
  const peerUsec = peer.usecPerConsume;
  out.push('## Hot path (issue 18)', '');
  if (label) out.push(`**${label}**`, '');
  out.push(
    `Command: \`npm run bench:hotpath\` (also \`BENCH_ONLY=hotpath npm run bench\`, and the last part of \`npm run bench\`) with BENCH_HOTPATH_SECONDS=${SECONDS}, BENCH_HOTPATH_CONNECTIONS=${CONNECTIONS}, BENCH_HOTPATH_IDENTITIES=${MIX_IDENTITIES}, BENCH_HOTPATH_MIX_SAMPLE=${MIX_SAMPLE}, BENCH_HOTPATH_GUARDS=${GUARDS}; written by \`bench/hotpath.ts\`. Run ${new Date().toISOString()} at commit ${commit}, ${((Date.now() - started) / 1000).toFixed(0)} s.`,
  );
  out.push(`Machine: ${machineLine}.`);
  out.push(
    "Conditions: a private Redis (no persistence) and the service in the bench process, autocannon in a child process. The machine is shared with other helpers' builds and test suites during a run: throughput figures move between runs (the ratios of runs made side by side less so); the Redis CPU figures (`usec_per_call`) are the steadier ones.",
  );
  out.push('');
  out.push('| figure | conditions | measured | target | |');
  out.push('|---|---|---|---|---|');
  for (const r of cpuRows) {
    const inv = r.action === INVITATION;
    const target = inv ? 15 : 12;
    const limitsNote = inv ? `${invPlan.length} limits + the API limit` : '1 limit + the API limit';
    const cond = `${r.guards} admitted calls (${ROUNDS} rounds), ${r.identities} identities, pacing ${r.pacing === 'off' ? 'off' : 'on (always-open working hours)'}, ${r.fill ? `windows pre-filled with ${r.fill.toLocaleString('en-US')} entries` : 'empty windows'}`;
    const met = inv ? r.usecPerCall <= target && r.usecPerCall < peerUsec : r.usecPerCall <= target;
    out.push(
      `| Redis CPU per guard (\`usec_per_call\` of the guard script), \`${r.action}\` (${limitsNote}) | ${cond} | **${f1(r.usecPerCall)} µs** median round (best ${f1(r.best)}; rounds ${r.rounds.map(f1).join(', ')}); Redis process CPU (INFO cpu) ${f1(r.scriptProcessUsec)} µs per call; over HTTP (${r.httpGuards} guards): ${r.scriptCallsPerGuard.toFixed(2)} script calls and ${f1(r.scriptUsecPerGuard)} µs of scripts per guard, Redis process CPU ${f1(r.processUsec)} µs per guard | ≤ ${target} µs${inv ? `, below the peer's ${f1(peerUsec)} µs` : ''} | ${ok(met)} |`,
    );
  }
  out.push(
    `| peer: rate-limiter-flexible \`RateLimiterUnion\` of the same ${limiters.length} limiters (\`${INVITATION}\`'s ${invPlan.map((l) => l.slug).join(', ')} + the API limit), same Redis | ${peer.consumes} consumes (${ROUNDS} rounds), 50 at a time, 20 keys | **${f1(peerUsec)} µs** per consume, median round (best ${f1(Math.min(...peer.rounds))}; rounds ${peer.rounds.map(f1).join(', ')}; ${peer.commandsPerConsume.toFixed(2)} EVALSHA of ${f1(peer.usecPerCommand)} µs each; Redis process CPU ${f1(peer.processUsec)} µs per consume) | — | |`,
  );
  out.push(
    `| consume throughput in-process, ${CONNECTIONS} callers: guard script (\`${INVITATION}\`, API limit on) vs the \`RateLimiterUnion\` | alternated twice, ${T} s each | ${avg(tput.guard).toFixed(0)} vs ${avg(tput.union).toFixed(0)} calls/s = **${(avg(tput.guard) / avg(tput.union)).toFixed(2)}** (rounds ${tput.guard.map((g, i) => `${g.toFixed(0)}/${tput.union[i].toFixed(0)}`).join(', ')}) | — | |`,
  );
  for (const b of bytesRows) {
    out.push(
      `| Redis bytes per recorded unit, ${b.fill.toLocaleString('en-US')} entries per window | \`${ENRICHMENT}\`, ${b.n} identities × ${b.fill.toLocaleString('en-US')} (${b.units.toLocaleString('en-US')} units) | **${f1(b.usage)} B** (the identities' keys, MEMORY USAGE); ${f1(b.used)} B (used_memory); keys per identity: ${b.layout} | ≤ 40 B | ${ok(b.usage <= 40)} |`,
    );
  }
  for (const baseEntries of [0, 50]) {
    const at = (c: number) => costRows.find((r) => r.base === baseEntries && r.cost === c)!;
    const met = at(100).usage <= at(10).usage + 16;
    out.push(
      `| memory for one action of cost N (\`${SEARCH_RESULTS}\`), cost 1 / 10 / 100 | ${baseEntries ? `a window already holding ${baseEntries} units (two searches of 25)` : 'an empty window'}, 30 identities each, MEMORY USAGE per identity (used_memory) | ${COSTS.map((c) => `${f1(at(c).usage)} (${f1(at(c).used)})`).join(' / ')} B; cost 100 − cost 10 = **${(at(100).usage - at(10).usage).toFixed(0)} B** | O(1): cost 100 within 16 B of cost 10 | ${ok(met)} |`,
    );
  }
  const scale = MIX_IDENTITIES / MIX_SAMPLE;
  const scaled = scale === 1 ? '' : ` (the ${MIX_SAMPLE.toLocaleString('en-US')} identities recorded × ${scale.toFixed(scale % 1 ? 1 : 0)})`;
  out.push(
    `| memory for ${MIX_IDENTITIES.toLocaleString('en-US')} identities at a realistic mix (below) | ${MIX_SAMPLE.toLocaleString('en-US')} identities recorded: ${mixCalls.toLocaleString('en-US')} actions, ${mixUnits.toLocaleString('en-US')} window units, in ${mixSeconds.toFixed(0)} s | **${((mixUsed * scale) / 2 ** 20).toFixed(1)} MiB**${scaled} used_memory, **${(mixUsed / MIX_SAMPLE / 1024).toFixed(1)} KiB per identity**, ${f1(mixUsed / mixUnits)} B per unit; MEMORY USAGE of the identities' keys: typical ${(typicalBytes / 1024).toFixed(1)} KiB, heavy ${(heavyBytes / 1024).toFixed(1)} KiB per identity (${(((mix1.total - mix0.total) * scale) / 2 ** 20).toFixed(1)} MiB recorded for ${MIX_IDENTITIES.toLocaleString('en-US')}) | — (report) | |`,
  );
  out.push(
    `| guard over HTTP ÷ no-op authenticated route (\`GET /v1/whoami\`), same server, same load | ${CONNECTIONS} connections, \`${ONE_LIMIT}\` over ${httpIds.length} identities (pacing off), alternated twice, ${SECONDS} s each | ${guard.rps.toFixed(0)} vs ${noop.rps.toFixed(0)} req/s = **${(guard.rps / noop.rps).toFixed(2)}**; p50 / p99 ${guard.p50} / ${guard.p99} ms vs ${noop.p50} / ${noop.p99} ms | ≥ 0.8 | ${ok(guard.rps / noop.rps >= 0.8)} |`,
  );
  out.push(
    `| guards per second, one instance, ${CONNECTIONS} connections | as above | **${guard.rps.toFixed(0)}** guards/s | ≥ 8,000 | ${ok(guard.rps >= 8_000)} |`,
  );
  out.push('');
  out.push('How each figure is measured:');
  out.push(
    `- Redis CPU per guard: the guard script called as the service calls it (\`GuardService.scriptInput\`, the API limit's arguments, \`GUARD_SCRIPT.run\`; each call a new \`action_id\`, invitations with a new \`target\`), 50 at a time, in ${ROUNDS} rounds each after \`CONFIG RESETSTAT\`; a round's figure is \`INFO commandstats\` usec of the script calls over their number (EVALSHA, and EVAL had a script not been cached), and the median round is the figure (usec_per_call is wall time inside Redis, which a busy machine stretches when it preempts Redis mid-call: a round only ever gets slower, so the best round is shown too). "Redis process CPU (INFO cpu)" is the server's \`used_cpu_user + used_cpu_sys\` over those rounds per call: CPU time, not stretched by preemption, but with the network I/O in it. Then the same guards over HTTP, to count the script calls the service makes per guard. Thresholds are raised (limit_overrides ${RAISED.toLocaleString('en-US')}) so nothing refuses; the API limit is on (raised, not 0). Pacing off: 20 identities share the guards. Pacing on (the default \`standard\`, with working hours that are always open so the calendar goes in): one guard per identity, as a gap refuses a repeat. Pre-filled windows: the entries backfilled through the guard script first, in time order over the last 23 h to 61 min (older than every burst and gap, so the guards are admitted); an invitation's fill goes in the windows only (its hash's pending count untouched, else the 700-pending cap would refuse). Over HTTP, "Redis process CPU" is the same \`INFO cpu\` figure over those guards.`,
  );
  out.push(
    `- The peer: ${limiters.length} \`RateLimiterRedis\` (fixed windows) in a \`RateLimiterUnion\`, one per limit of \`${INVITATION}\` with its threshold and window (${invPlan.map((l) => `${l.slug} ${l.max.toLocaleString('en-US')} per ${l.windowSeconds} s`).join(', ')}) and one for the API limit (${BIG_API_LIMITS.per_minute.toLocaleString('en-US')} per minute), on its own connection to the same Redis, in the same run. Its usec per consume is the usec of every EVALSHA it issued over the consumes (commands its Lua calls are inside those). It is not all-or-nothing (a limiter that refuses does not undo the others' points), keeps no action ids (no idempotency) and no sliding window; the guard does all of that, plus bursts, gaps, cooldowns and working hours.`,
  );
  out.push(
    `- Bytes per recorded unit: one-limit enrichment actions (LK_PROFILE_ENRICHMENTS, threshold raised, pacing off), each a UUID \`action_id\`, backfilled through the guard script (\`mode: "backfill"\`) in time order over the last 23 h. Units are those the script's replies count in the windows. used_memory: \`INFO memory\` \`used_memory\` less \`mem_clients_normal\` (the bench's pipeline buffers), after minus before recording, over the units. MEMORY USAGE: \`MEMORY USAGE key SAMPLES 0\` (every element counted) summed over the identities' keys, i.e. every key whose name holds an identity's id, found by \`SCAN\` (whatever the window layout), after minus before. The figure (and the target) is MEMORY USAGE: the identity's memory over the units recorded. used_memory is the cross-check: it also takes whatever else the server allocated during the recording (in these runs 5–20 B per unit above MEMORY USAGE at 100 entries, about 10 B above in skiplists). The layout column is what that SCAN found (ids and long numbers elided; type/encoding; mean bytes per key).`,
  );
  out.push(
    `- Cost N: 30 identities per cost and starting window, one \`${SEARCH_RESULTS}\` action of cost 1, 10 or 100 recorded through the guard script (\`mode: "check"\`, threshold raised); bytes are the identity's MEMORY USAGE after minus before, used_memory in brackets (per identity).`,
  );
  out.push(
    `- The mix: ${MIX_SAMPLE.toLocaleString('en-US')} identities made through the API, pacing on, default thresholds. Nine in ten are Premium accounts at typical daily use: ${TYPICAL.map(([a, n, c]) => `${n} × ${a}${c > 1 ? ` of cost ${c}` : ''}`).join(', ')} (${unitsPer(TYPICAL)} window units). One in ten are Sales Navigator accounts near their enrichment and search-result thresholds: ${HEAVY.map(([a, n, c]) => `${n.toLocaleString('en-US')} × ${a}${c > 1 ? ` of cost ${c}` : ''}`).join(', ')} (1,300 of 1,400 enrichments with the messages' 10, 2,300 of 2,500 search results; ${unitsPer(HEAVY).toLocaleString('en-US')} window units). Every action is backfilled through the guard script at a random time of the last 23 h, in time order per identity; invitations with a target (the invitation hash holds them). Total: used_memory after minus before recording (the identities' markers were there before), ${scale === 1 ? 'of all of them' : `of ${MIX_SAMPLE.toLocaleString('en-US')} identities (every tenth heavy) times ${scale.toFixed(1)}: each identity's keys are its own, so memory adds up per identity (BENCH_HOTPATH_MIX_SAMPLE=${MIX_IDENTITIES} records them all, about ${Math.round((mixSeconds * scale) / 60)} min here)`}; per identity: MEMORY USAGE of its keys (marker and invitation hash included). Keys per identity: ${layoutOf(mix1.shapes, MIX_SAMPLE)}.`,
  );
  out.push(
    `- HTTP: \`guardVsNoop\` of bench/harness.ts, the same helper as the main table: autocannon, ${CONNECTIONS} connections, 2 s warm-up of each route, then the no-op route and the guard alternated twice (${SECONDS} s each) and averaged; each guard a new \`action_id\` on one of ${httpIds.length} identities (their windows grow by the run's guards). The no-op route authenticates and takes the API limit (one Redis call).`,
  );
  for (const l of out) process.stdout.write(l + '\n');
  return out;
}

// `node dist/bench/hotpath.js`: this section alone.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  hotpathBenchmarks().then(
    () => process.exit(0),
    (e) => {
      process.stderr.write(`hotpath bench failed: ${(e as Error).stack}\n`);
      process.exit(1);
    },
  );
}
