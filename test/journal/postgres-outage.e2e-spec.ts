import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Redis } from 'ioredis';
import { DataSource } from 'typeorm';
import { type LocalServer, startPrivatePostgres } from '../../src/bootstrap/local-servers.js';
import { MetricsService } from '../../src/health/metrics.service.js';
import { JournalService } from '../../src/journal/journal.service.js';
import { actionMember } from '../../src/smart-limits/action-member.js';
import { windowEntries } from '../support/window-layout.js';
import { createIdentity, createWorkspace, startTestApp, type TestApp } from '../support/test-app.js';
import { waitFor, workerCalls } from '../cooldowns/cooldown-helpers.js';

const VISIT = 'linkedin-visit-profile';
const BOUND = 100;

/**
 * The journal under a PostgreSQL outage (a private cluster, stopped and started again on its port):
 * the guard keeps answering from Redis, rows wait in memory up to JOURNAL_MAX_PENDING_ROWS, and once
 * PostgreSQL is back nothing recorded in Redis is missing from the journal except what exceeded that
 * bound (counted and logged).
 */
describe('journal batching under a PostgreSQL outage', () => {
  let dir: string;
  let pg: LocalServer;
  let port: number;
  let t: TestApp;
  let raw: Redis;
  let ws: { id: string; api_key: string };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'sl-journal-pg-'));
    pg = await startPrivatePostgres(join(dir, 'pg'));
    port = Number(new URL(pg.url).port);
    t = await startTestApp({ databaseUrl: pg.url, env: { JOURNAL_MAX_PENDING_ROWS: String(BOUND) } });
    raw = new Redis(t.config.redis.url!);
    ws = await createWorkspace(t);
  }, 120_000);
  afterAll(async () => {
    raw?.disconnect();
    await t?.close();
    await pg?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const metric = async (name: string) => {
    const text = await t.app.get(MetricsService).registry.getSingleMetricAsString(name);
    return [...text.matchAll(new RegExp(`^${name}(?:\\{[^}]*\\})? (\\d+)`, 'gm'))].reduce((s, m) => s + Number(m[1]), 0);
  };
  // The window's members (the layout of window.include.lua: one digest per action, actionMember).
  const membersInRedis = async (identityId: string) =>
    (await windowEntries(raw, `${t.config.redis.keyPrefix}:{${ws.id}}:i:${identityId}:w2:LK_PROFILE_VISITS`)).map((e) => e.member);
  const journaled = async (identityId: string): Promise<string[]> =>
    (await t.app.get(DataSource).query(`select action_id from action_journal where identity_id = $1 and event = 'recorded'`, [identityId])).map(
      (r: { action_id: string }) => r.action_id,
    );

  it('nothing recorded in Redis is missing once PostgreSQL is back; beyond the bound the oldest rows go, counted', async () => {
    const w = workerCalls(t, ws.api_key);
    const roomy = { limit_overrides: { LK_PROFILE_VISITS: 1_000 } };
    const small = await createIdentity(t, ws.api_key, { pacing: 'off', ...roomy });
    const big = await createIdentity(t, ws.api_key, { pacing: 'off', ...roomy });
    expect((await w.guard(small.id, VISIT, 's-before')).status).toBe(200);
    expect((await w.guard(big.id, VISIT, 'b-before')).status).toBe(200);
    await t.app.get(JournalService).flush();

    await pg.stop();
    // Past the identity cache's freshness: the guard answers from the copies it holds.
    await new Promise((r) => setTimeout(r, 5_500));
    for (let k = 0; k < 40; k++) expect((await w.guard(small.id, VISIT, `s-${k}`)).status).toBe(200);
    expect(t.app.get(JournalService).pending).toBe(40);
    expect(await metric('smart_limits_journal_rows_dropped_total')).toBe(0);
    // 100 more on the other identity: 140 rows for a bound of 100, the 40 oldest (those of `small`) go.
    for (let k = 0; k < 100; k++) expect((await w.guard(big.id, VISIT, `b-${k}`)).status).toBe(200);
    await waitFor('the bound applies (a batch in flight counts once it failed)', async () => t.app.get(JournalService).pending === BOUND, 10_000, 20);
    expect(await metric('smart_limits_journal_rows_dropped_total')).toBe(40);
    expect(await metric('smart_limits_journal_flush_failures_total')).toBeGreaterThan(0);

    pg = await startPrivatePostgres(join(dir, 'pg'), '', port);
    await waitFor('the queued rows reach PostgreSQL', async () => t.app.get(JournalService).pending === 0, 30_000);

    // Within the bound nothing is missing; the loss is exactly what the metric counted.
    const bigRedis = await membersInRedis(big.id);
    expect(bigRedis).toHaveLength(101);
    expect((await journaled(big.id)).map(actionMember).sort()).toEqual([...bigRedis].sort());
    const smallJournal = new Set((await journaled(small.id)).map(actionMember));
    const missing = (await membersInRedis(small.id)).filter((m) => !smallJournal.has(m));
    expect(missing).toHaveLength(40);
    expect(smallJournal).toEqual(new Set([actionMember('s-before')]));
  }, 90_000);

  it('a guard that needs a rebuild while PostgreSQL is away gets 503, never an unchecked decision', async () => {
    const w = workerCalls(t, ws.api_key);
    const id = await createIdentity(t, ws.api_key, { pacing: 'off' });
    expect((await w.guard(id.id, VISIT, 'x-1')).status).toBe(200);
    await pg.stop();
    await new Promise((r) => setTimeout(r, 5_500));
    await raw.del(`${t.config.redis.keyPrefix}:{${ws.id}}:i:${id.id}:m2`);
    const r = await w.guard(id.id, VISIT, 'x-2');
    expect(r.status).toBe(503);
    expect(r.body.error).toMatchObject({ error_label: 'STORE_UNAVAILABLE', details: { store: 'postgres' } });
    pg = await startPrivatePostgres(join(dir, 'pg'), '', port);
    await waitFor('the guard decides again', async () => (await w.guard(id.id, VISIT, 'x-2')).status === 200, 30_000, 250);
    const limits = await t.request('GET', `/v1/identities/${id.id}/actions/${VISIT}/limits`, { key: ws.api_key });
    expect(limits.body.limits[0]).toMatchObject({ consumed: 2 });
  }, 90_000);
});
