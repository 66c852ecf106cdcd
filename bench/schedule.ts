// Schedule mode's cost (SPEC 4b): planning one action on an identity that already has 0, 100 or
// 1,000 actions planned ahead, beside the immediate guard, in the same run against the same Redis.
// Called by bench/run.ts (its lines go into BENCHMARKS.md); runnable alone on a private Redis:
// `node dist/bench/schedule.js`.
import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { startPrivateRedis } from '../src/bootstrap/local-servers.js';
import { RedisKeys } from '../src/redis/redis-keys.js';
import { GUARD_SCRIPT, type GuardInput } from '../src/smart-limits/guard.script.js';
import { RESTORE_WINDOWS_SCRIPT } from '../src/smart-limits/restore-windows.script.js';

const DAY = 86_400_000;
const GAP = 30_000;
const JITTER = 15_000;
/** Identities measured per variant (each gets one measured call). */
const IDENTITIES = Number(process.env.BENCH_SCHEDULE_IDENTITIES ?? 300);
const BATCH = 50;

interface ScheduleBenchRow {
  variant: string;
  ahead: number;
  perSecond: number;
  usecPerCall: number;
}

/**
 * One identity's guard input: a visit-like limit (24 h window, a threshold that never binds, a 30 s
 * gap with 0–15 s of jitter, a 5 per 15 min burst) and the workspace API limit off.
 */
function input(keys: RedisKeys, ws: string, id: string, member: string, nowMs: number, plan: boolean): GuardInput {
  return {
    identityCooldownKey: keys.identityCooldown(ws, id),
    leaseKey: keys.lease(ws, id),
    scheduleKey: keys.schedule(ws, id),
    scheduleKeepMs: 7 * DAY,
    markerKey: keys.marker(ws, id),
    nowMs,
    member,
    actionId: member,
    cost: 1,
    mode: 'check',
    occurredAtMs: null,
    leaseMs: 0,
    openIntervals: null,
    limits: [
      {
        windowKey: keys.window(ws, id, 'LK_PROFILE_VISITS'),
        cooldownKey: keys.limitCooldown(ws, id, 'LK_PROFILE_VISITS'),
        slug: 'LK_PROFILE_VISITS',
        max: 500,
        windowMs: DAY,
        units: 1,
        gapMs: GAP,
        jitterMs: JITTER,
        bursts: [{ windowMs: 15 * 60_000, max: 5 }],
      },
    ],
    api: { bucketKey: keys.apiLimit(ws, '/v1/actions'), dailyKey: keys.apiDaily(ws), limits: { perSecond: 0, perMinute: 0, daily: 0 } },
    schedule: plan ? { notBeforeMs: nowMs, notAfterMs: nowMs + 30 * DAY, entry: `linkedin-visit-profile ${member}` } : null,
  };
}

/**
 * Runs every variant on fresh identities: `ahead` actions already planned (written directly, 3 min
 * apart from an hour ahead on: legal for the gap and the 15-min burst, no room between them), then
 * one measured call per identity in pipelined batches. Planning must look past every planned action
 * (the worst case); the immediate guard at now fits before them.
 */
export async function scheduleBench(redisUrl: string): Promise<ScheduleBenchRow[]> {
  const redis = new Redis(redisUrl);
  GUARD_SCRIPT.define(redis);
  const keys = new RedisKeys('slbench');
  const rows: ScheduleBenchRow[] = [];
  const now = Date.now();
  try {
    for (const ahead of [0, 100, 1_000]) {
      for (const plan of [false, true]) {
        const ws = randomUUID();
        const ids = Array.from({ length: IDENTITIES }, () => randomUUID());
        for (const id of ids) {
          // The identity's state marker (SPEC §9b), and its planned actions, as a rebuild writes them.
          // Immediate: from an hour ahead (it fits now). Planned: from now (no room before the last one).
          const first = plan ? now : now + 3_600_000;
          const entries = Array.from({ length: ahead }, (_, k) => ({ scoreMs: first + k * 180_000, member: `p${k}`, units: 1 }));
          await RESTORE_WINDOWS_SCRIPT.run(redis, {
            markerKey: keys.marker(ws, id),
            nowMs: null,
            windows: [{ key: keys.window(ws, id, 'LK_PROFILE_VISITS'), windowMs: DAY, entries }],
          });
        }
        await redis.config('RESETSTAT');
        const started = process.hrtime.bigint();
        for (let k = 0; k < ids.length; k += BATCH) {
          const replies = await GUARD_SCRIPT.runMany(
            redis,
            ids.slice(k, k + BATCH).map((id) => input(keys, ws, id, 'measured', now, plan)),
          );
          for (const r of replies) if (r.status !== 'recorded') throw new Error(`schedule bench: ${r.status} with ${ahead} ahead`);
        }
        const seconds = Number(process.hrtime.bigint() - started) / 1e9;
        const st = await redis.info('commandstats');
        const usec = Number(/cmdstat_evalsha:calls=\d+,usec=\d+,usec_per_call=([\d.]+)/.exec(st)?.[1] ?? NaN);
        rows.push({ variant: plan ? 'planned ("when": "earliest")' : 'immediate guard', ahead, perSecond: ids.length / seconds, usecPerCall: usec });
      }
    }
  } finally {
    await redis.quit();
  }
  return rows;
}

export function scheduleBenchLines(rows: ScheduleBenchRow[]): string[] {
  return [
    '',
    '## Schedule mode: planning cost with actions already planned ahead',
    '',
    '| actions planned ahead | variant | decisions / s (pipelined script calls) | Redis `usec_per_call` |',
    '|---|---|---|---|',
    ...rows.map(
      (r) =>
        `| ${r.ahead.toLocaleString('en-US')} | ${r.variant} | ${Math.round(r.perSecond).toLocaleString('en-US')} | ${r.usecPerCall.toFixed(1)} |`,
    ),
    '',
    `- ${IDENTITIES} fresh identities per row, one measured call each, in pipelined batches of ${BATCH} (the script straight on the bench's private Redis: no HTTP, so the figures are Redis-bound). A visit-like limit: 24 h window and a threshold of 500 (the 24 h window then holds up to 480 planned actions, so it is swept, not skipped), 30 s gap + 0–15 s jitter, a burst of 5 / 15 min. The planned actions are written 3 minutes apart, from now for the planning rows: the burst (full in every 15 minutes) leaves no room between them, so a planned action is placed after the last one (the search's worst case); from an hour ahead for the immediate rows, which fit now, before them (the cheap path: counts, and the entries within a window of now only when the window is near its threshold).`,
    '- `usec_per_call` is `INFO commandstats` (`cmdstat_evalsha`) after `CONFIG RESETSTAT`; Redis runs scripts one at a time, so µs per call bounds what one Redis (one Cluster slot, one workspace) can plan per second.',
  ];
}

// Alone: `node dist/bench/schedule.js` prints the section on a private Redis.
if (import.meta.url === `file://${process.argv[1]}`) {
  const srv = await startPrivateRedis(mkdtempSync(join(tmpdir(), 'sl-bench-sched-')), { appendOnly: false });
  try {
    for (const l of scheduleBenchLines(await scheduleBench(srv.url))) process.stdout.write(l + '\n');
  } finally {
    await srv.stop();
  }
}
