// The action journal's cost and speed (issue 16), run by bench/run.ts on its servers: guard
// throughput with the journal on vs off in the same run, journal rows per second, and the rebuild
// of an identity with 100 / 1,000 / 5,000 entries.
import { type NestFastifyApplication } from '@nestjs/platform-fastify';
import { createApp } from '../src/app.factory.js';
import { type AppConfig, loadConfig } from '../src/config/app-config.js';
import { MetricsService } from '../src/health/metrics.service.js';
import { JournalService } from '../src/journal/journal.service.js';
import { type Redis } from 'ioredis';
import { RedisKeys } from '../src/redis/redis-keys.js';
import { REDIS_CLIENT, type RedisClient } from '../src/redis/redis.tokens.js';
import { IdentityRebuild } from '../src/smart-limits/identity-rebuild.service.js';

type Cannon = { rps: number; p50: number; p99: number; non2xx: number; errors: number; total: number };

export interface JournalBench {
  on: Cannon;
  off: Cannon;
  rounds: { on: number; off: number }[];
  rowsPerSecondUnderGuardLoad: number;
  writerRowsPerSecond: number;
  writerRows: number;
  rebuilds: { entries: number; medianMs: number; workMs: number; runs: number[]; firstGuardMs: number }[];
  settleMs: number;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

export async function journalBenchmarks(o: {
  app: NestFastifyApplication;
  base: string;
  config: AppConfig;
  env: Record<string, string>;
  adminKey: string;
  seconds: number;
  cannon: (load: Record<string, unknown>) => Promise<Cannon>;
}): Promise<JournalBench> {
  const base = o.base;
  const call = async (b: string, method: string, path: string, key: string, body?: unknown) => {
    const r = await fetch(b + path, {
      method,
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: body ? JSON.stringify(body) : undefined,
    });
    return r.json() as Promise<any>;
  };
  // The same service with the journal off, on the same Redis and database.
  const offConfig = loadConfig({ ...o.env, JOURNAL_ENABLED: 'false' });
  const off = await createApp(offConfig);
  await off.listen({ port: 0, host: '127.0.0.1' });
  const offBase = `http://127.0.0.1:${(off.getHttpServer().address() as { port: number }).port}`;
  try {
    const big = { per_second: 100_000, per_minute: 10_000_000 };
    const ws = await call(base, 'POST', '/v1/workspaces', o.adminKey, { name: 'journal-bench', monthly_credits: 50_000_000 });
    await call(base, 'PATCH', `/v1/workspaces/${ws.id}`, o.adminKey, {
      custom_limits: { '/v1/actions': big, '/v1/identities': big, '/v1/workspaces': big, daily_api_limit: 10_000_000_000 },
    });
    const ids: string[] = [];
    for (let i = 0; i < 100; i++) {
      ids.push(
        (
          await call(base, 'POST', '/v1/identities', ws.api_key, {
            external_id: `j${i}`,
            warmup: 'none',
            pacing: 'off',
            limit_overrides: { LK_PROFILE_VISITS: 1_000_000 },
          })
        ).id,
      );
    }
    const auth = { authorization: `Bearer ${ws.api_key}`, 'content-type': 'application/json' };
    const load = (b: string) => ({
      url: b,
      method: 'POST',
      headers: auth,
      paths: ids.map((id) => `/v1/identities/${id}/actions/linkedin-visit-profile/guard`),
      body: 'guard',
    });
    await o.cannon({ ...load(base), duration: 2 });
    await o.cannon({ ...load(offBase), duration: 2 });
    const metrics = o.app.get(MetricsService);
    const written = async () =>
      Number(/ (\d+)$/m.exec(await metrics.registry.getSingleMetricAsString('smart_limits_journal_rows_written_total'))?.[1] ?? 0);
    // Alternated twice (off, on, on, off) so the machine's drift hits both alike.
    const ons: Cannon[] = [];
    const offs: Cannon[] = [];
    let rowsDuringOn = 0;
    let secondsOn = 0;
    for (const which of ['off', 'on', 'on', 'off'] as const) {
      if (which === 'off') offs.push(await o.cannon({ ...load(offBase), duration: o.seconds }));
      else {
        const w0 = await written();
        const t0 = Date.now();
        const r = await o.cannon({ ...load(base), duration: o.seconds });
        await o.app.get(JournalService).flush();
        rowsDuringOn += (await written()) - w0;
        secondsOn += (Date.now() - t0) / 1000;
        ons.push(r);
      }
    }
    for (const r of [...ons, ...offs]) {
      if (r.non2xx + r.errors > r.total * 0.001) throw new Error(`journal bench: ${r.non2xx} non-2xx and ${r.errors} errors of ${r.total}`);
    }
    const mean = (rs: Cannon[]): Cannon => ({
      rps: rs.reduce((t, r) => t + r.rps, 0) / rs.length,
      p50: Math.max(...rs.map((r) => r.p50)),
      p99: Math.max(...rs.map((r) => r.p99)),
      non2xx: 0,
      errors: 0,
      total: rs.reduce((t, r) => t + r.total, 0),
    });

    // The writer alone: rows queued as fast as the process can, timed until all are in PostgreSQL.
    const journal = o.app.get(JournalService);
    const WRITER_ROWS = 100_000;
    const start = Date.now();
    const t0 = process.hrtime.bigint();
    for (let k = 0; k < WRITER_ROWS; k++) {
      journal.add({
        event: 'recorded',
        workspaceId: ws.id,
        identityId: ids[k % ids.length],
        actionId: `w${k}`,
        actionSlug: 'linkedin-visit-profile',
        limits: ['LK_PROFILE_VISITS'],
        cost: 1,
        kind: 'now',
        recordedAtMs: start - 3_600_000 + k,
        decidedAtMs: start,
      });
      // Queue in slices, as guards would, letting batches go out meanwhile.
      if (k % 2_000 === 1_999) await new Promise((r) => setImmediate(r));
    }
    await journal.flush();
    const writerSeconds = Number(process.hrtime.bigint() - t0) / 1e9;

    // Rebuilds: an identity with N entries in its journal, its Redis state gone.
    const rebuild = o.app.get(IdentityRebuild);
    const redis = o.app.get<RedisClient>(REDIS_CLIENT);
    const keys = o.app.get(RedisKeys);
    const rebuilds: JournalBench['rebuilds'] = [];
    for (const n of [100, 1_000, 5_000]) {
      const id = (
        await call(base, 'POST', '/v1/identities', ws.api_key, {
          external_id: `r${n}`,
          warmup: 'none',
          pacing: 'off',
          limit_overrides: { LK_PROFILE_VISITS: 1_000_000 },
        })
      ).id as string;
      const now = Date.now();
      for (let k = 0; k < n; k++) {
        journal.add({
          event: 'recorded',
          workspaceId: ws.id,
          identityId: id,
          actionId: `r${n}-${k}`,
          actionSlug: 'linkedin-visit-profile',
          limits: ['LK_PROFILE_VISITS'],
          cost: 1,
          kind: 'now',
          recordedAtMs: now - 20 * 3_600_000 + k,
          decidedAtMs: now,
        });
      }
      await journal.flush();
      // Its whole window state: the marker, the window-state hash and every chunk and dedup key of
      // its windows (the bench's Redis is private and standalone, so one SCAN sees them all).
      const forget = async () => {
        const found: string[] = [];
        let cursor = '0';
        do {
          const [next, batch] = await (redis as Redis).scan(cursor, 'MATCH', `${keys.windowStates(ws.id, id)}*`, 'COUNT', 1000);
          cursor = next;
          found.push(...batch);
        } while (cursor !== '0');
        await redis.del(keys.marker(ws.id, id), ...found);
      };
      const runs: number[] = [];
      for (let r = 0; r < 5; r++) {
        await forget();
        const report = await rebuild.rebuildHeld(ws.id, id);
        if (report.entries !== n) throw new Error(`rebuild of ${n}: ${report.entries} entries restored`);
        runs.push(report.ms);
      }
      // End to end: the first guard after the loss (it waits for the rebuild, then decides).
      await forget();
      const g0 = process.hrtime.bigint();
      const g = await call(base, 'POST', `/v1/identities/${id}/actions/linkedin-visit-profile/guard`, ws.api_key, { action_id: `after-${n}` });
      const firstGuardMs = Number(process.hrtime.bigint() - g0) / 1e6;
      if (g.recorded !== true) throw new Error(`first guard after the loss: ${JSON.stringify(g)}`);
      const settle = o.config.journal.flushMs + 50;
      rebuilds.push({ entries: n, medianMs: median(runs), workMs: median(runs) - settle, runs, firstGuardMs });
    }
    return {
      on: mean(ons),
      off: mean(offs),
      rounds: ons.map((r, i) => ({ on: r.rps, off: offs[i].rps })),
      rowsPerSecondUnderGuardLoad: rowsDuringOn / secondsOn,
      writerRowsPerSecond: WRITER_ROWS / writerSeconds,
      writerRows: WRITER_ROWS,
      rebuilds,
      settleMs: o.config.journal.flushMs + 50,
    };
  } finally {
    await off.close();
  }
}
