import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { DataSource } from 'typeorm';
import { CatalogService } from '../../src/catalog/catalog.service.js';
import { ManualClock } from '../../src/common/clock.js';
import { MetricsService } from '../../src/health/metrics.service.js';
import { JournalRetentionJob, RETENTION_BATCH } from '../../src/journal/journal-retention.job.js';
import { JournalRepository } from '../../src/journal/journal.repository.js';
import { JournalService } from '../../src/journal/journal.service.js';
import { type JournalEntry } from '../../src/journal/journal.types.js';
import { createExtraDatabase } from '../support/servers.js';
import { createIdentity, createWorkspace, startTestApp, type TestApp, testConfig } from '../support/test-app.js';

const T0 = Date.parse('2031-05-20T12:00:00.000Z');
const DAY = 86_400_000;
const HOUR = 3_600_000;

const entry = (ws: string, id: string, actionId: string, atMs: number, over: Partial<JournalEntry> = {}): JournalEntry => ({
  event: 'recorded',
  workspaceId: ws,
  identityId: id,
  actionId,
  actionSlug: 'linkedin-visit-profile',
  limits: ['LK_PROFILE_VISITS'],
  cost: 1,
  kind: 'now',
  recordedAtMs: atMs,
  decidedAtMs: atMs,
  ...over,
});

// Its own database: the retention pass deletes by time across the whole table.
describe('action journal: batched writes, the actions list, 30/90-day activity, retention', () => {
  const clock = new ManualClock(T0);
  let db: { url: string; drop(): Promise<void> };
  let t: TestApp;
  let t2: TestApp;
  let journal: JournalService;
  let ws: { id: string; api_key: string };
  let other: { id: string; api_key: string };
  const get = (path: string, key = ws.api_key) => t.request('GET', path, { key });
  const count = async (sql: string, params: unknown[] = []) => Number((await t.app.get(DataSource).query(sql, params))[0].n);

  beforeAll(async () => {
    db = await createExtraDatabase(process.env.SL_TEST_PG_ADMIN_URL!, 'journal');
    t = await startTestApp({ clock, databaseUrl: db.url, env: { JOURNAL_RETENTION_DAYS: '45' } });
    t2 = await startTestApp({ clock, databaseUrl: db.url, env: { JOURNAL_RETENTION_DAYS: '45' } });
    journal = t.app.get(JournalService);
    ws = await createWorkspace(t);
    other = await createWorkspace(t);
    await createIdentity(t, ws.api_key);
  }, 60_000);
  afterAll(async () => {
    await t?.close();
    await t2?.close();
    await db?.drop();
  });

  it('writes queued rows in batches; the same rows again add nothing (idempotent per recording)', async () => {
    const b = await createIdentity(t, ws.api_key);
    const rows = Array.from({ length: 1_200 }, (_, i) => entry(ws.id, b.id, `b-${i}`, T0 - i * 1000));
    for (const r of rows) journal.add(r);
    expect(journal.pending).toBeGreaterThan(0);
    await journal.flush();
    expect(journal.pending).toBe(0);
    for (const r of rows.slice(0, 300)) journal.add(r);
    await journal.flush();
    expect(await count(`select count(*) as n from action_journal where identity_id = $1`, [b.id])).toBe(1_200);
    const metrics = await t.app.get(MetricsService).registry.getSingleMetricAsString('smart_limits_journal_rows_written_total');
    expect(metrics).toMatch(/smart_limits_journal_rows_written_total 1500/);
    // A row of an identity deleted before its batch went out is skipped, not a failed batch.
    const gone = await createIdentity(t, ws.api_key);
    expect((await t.request('DELETE', `/v1/identities/${gone.id}`, { key: ws.api_key })).status).toBe(204);
    journal.add(entry(ws.id, gone.id, 'g-1', T0));
    journal.add(entry(ws.id, b.id, 'b-after', T0));
    await journal.flush();
    expect(await count(`select count(*) as n from action_journal where identity_id = $1`, [b.id])).toBe(1_201);
  });

  it('lists recorded actions newest first, keyset paged, with from/to and the release of each', async () => {
    const c = await createIdentity(t, ws.api_key);
    for (let i = 0; i < 7; i++) journal.add(entry(ws.id, c.id, `c-${i}`, T0 - (7 - i) * HOUR, i === 2 ? { cost: 3, kind: 'backfill' } : {}));
    // Two recordings at the same instant: the action id breaks the tie.
    journal.add(entry(ws.id, c.id, 'c-tie-a', T0 - HOUR));
    journal.add(entry(ws.id, c.id, 'c-tie-b', T0 - HOUR));
    journal.add(entry(ws.id, c.id, 'c-3', T0 - 4 * HOUR, { event: 'released', decidedAtMs: T0 - 3 * HOUR }));
    await journal.flush();

    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const r = await get(`/v1/identities/${c.id}/actions?limit=4${cursor ? `&cursor=${cursor}` : ''}`);
      expect(r.status).toBe(200);
      seen.push(...r.body.data.map((x: any) => x.action_id));
      cursor = r.body.next_cursor;
    } while (cursor);
    expect(seen).toEqual(['c-tie-b', 'c-tie-a', 'c-6', 'c-5', 'c-4', 'c-3', 'c-2', 'c-1', 'c-0']);

    const all = (await get(`/v1/identities/${c.id}/actions`)).body.data;
    expect(all.find((x: any) => x.action_id === 'c-3')).toEqual({
      action_id: 'c-3',
      action: 'linkedin-visit-profile',
      limits: ['LK_PROFILE_VISITS'],
      cost: 1,
      kind: 'now',
      recorded_at: new Date(T0 - 4 * HOUR).toISOString(),
      decided_at: new Date(T0 - 4 * HOUR).toISOString(),
      released_at: new Date(T0 - 3 * HOUR).toISOString(),
    });
    expect(all.find((x: any) => x.action_id === 'c-2')).toMatchObject({ cost: 3, kind: 'backfill', released_at: null });

    const from = new Date(T0 - 5 * HOUR).toISOString();
    const to = new Date(T0 - 2 * HOUR).toISOString();
    const window = await get(`/v1/identities/${c.id}/actions?from=${from}&to=${to}`);
    // from inclusive (c-2 is at it), to exclusive (c-5 is at it).
    expect(window.body.data.map((x: any) => x.action_id)).toEqual(['c-4', 'c-3', 'c-2']);

    for (const q of ['cursor=nonsense', `from=${to}&to=${from}`, 'from=yesterday', 'limit=0']) {
      const r = await get(`/v1/identities/${c.id}/actions?${q}`);
      expect([q, r.status, r.body.error?.error_label]).toEqual([q, 400, 'VALIDATION_FAILED']);
    }
    expect((await get(`/v1/identities/${c.id}/actions`, other.api_key)).status).toBe(404);
  });

  it('activity over 30d and 90d comes from the journal: every limit, cost units, releases out, null before the retention', async () => {
    const d = await createIdentity(t, ws.api_key);
    journal.add(
      entry(ws.id, d.id, 'd-1', T0 - 20 * DAY - HOUR, {
        actionSlug: 'linkedin-connect-profile',
        limits: ['LK_INVITATIONS_SENT', 'LK_INVITATIONS_WEEKLY'],
      }),
    );
    journal.add(
      entry(ws.id, d.id, 'd-2', T0 - 2 * HOUR, {
        actionSlug: 'linkedin-extract-search-results',
        limits: ['LK_SEARCHES', 'LK_SEARCH_RESULTS'],
        cost: 7,
      }),
    );
    journal.add(entry(ws.id, d.id, 'd-3', T0 - 2 * HOUR));
    journal.add(entry(ws.id, d.id, 'd-4', T0 - 3 * HOUR));
    journal.add(entry(ws.id, d.id, 'd-4', T0 - 3 * HOUR, { event: 'released', decidedAtMs: T0 - HOUR }));
    // Exactly one day before now: the edge belongs to the older bucket (buckets are (start, end]).
    journal.add(entry(ws.id, d.id, 'd-edge', T0 - DAY));
    journal.add(entry(ws.id, d.id, 'd-old', T0 - 60 * DAY));
    await journal.flush();

    const month = await get(`/v1/identities/${d.id}/activity?window=30d`);
    expect(month.status).toBe(200);
    expect(month.body).toMatchObject({
      window: '30d',
      bucket: '1d',
      source: 'journal',
      bucket_seconds: 86_400,
      from: new Date(T0 - 30 * DAY).toISOString(),
    });
    expect(month.body.buckets).toHaveLength(30);
    const series = (body: any, slug: string) => body.limits.find((l: any) => l.slug === slug);
    expect(series(month.body, 'LK_INVITATIONS_SENT').counts[9]).toBe(1);
    expect(series(month.body, 'LK_INVITATIONS_WEEKLY').total).toBe(1);
    expect(series(month.body, 'LK_SEARCH_RESULTS').counts[29]).toBe(7);
    expect(series(month.body, 'LK_PROFILE_VISITS').counts[29]).toBe(1);
    expect(series(month.body, 'LK_PROFILE_VISITS').counts[28]).toBe(1);
    expect(series(month.body, 'LK_PROFILE_VISITS').total).toBe(2);
    expect(month.body.limits.every((l: any) => l.counts.every((c: unknown) => c !== null))).toBe(true);

    const quarter = await get(`/v1/identities/${d.id}/activity?window=90d&bucket=1d`);
    expect(quarter.body.buckets).toHaveLength(90);
    const visits = series(quarter.body, 'LK_PROFILE_VISITS').counts;
    // Retention is 45 days here: what the journal no longer keeps is unknown, not zero.
    expect(visits.slice(0, 45).every((c: unknown) => c === null)).toBe(true);
    expect(visits.slice(45).every((c: unknown) => c !== null)).toBe(true);
    expect(series(quarter.body, 'LK_PROFILE_VISITS').total).toBe(2);

    expect((await get(`/v1/identities/${d.id}/activity?window=90d&bucket=1h`)).status).toBe(400);
    expect((await get(`/v1/identities/${d.id}/activity?window=30d`, other.api_key)).status).toBe(404);
  });

  it('retention removes only rows older than the setting, in batches, safely from several instances at once', async () => {
    const e = await createIdentity(t, ws.api_key);
    const old = RETENTION_BATCH + 700;
    for (let i = 0; i < old; i++) journal.add(entry(ws.id, e.id, `old-${i}`, T0 - 46 * DAY - i * 1000));
    for (let i = 0; i < 50; i++) journal.add(entry(ws.id, e.id, `young-${i}`, T0 - 44 * DAY + i * 1000));
    journal.add(entry(ws.id, e.id, 'edge', T0 - 45 * DAY + 1));
    await journal.flush();
    const before = await count(`select count(*) as n from action_journal`);
    const removed = await Promise.all([t.app.get(JournalRetentionJob).runOnce(), t2.app.get(JournalRetentionJob).runOnce()]);
    // d-old (60 days) from the activity test goes too.
    expect(removed[0] + removed[1]).toBe(old + 1);
    expect(await count(`select count(*) as n from action_journal`)).toBe(before - old - 1);
    expect(await count(`select count(*) as n from action_journal where identity_id = $1`, [e.id])).toBe(51);
    expect(await count(`select count(*) as n from action_journal where recorded_at < $1`, [new Date(T0 - 45 * DAY).toISOString()])).toBe(0);
  });

  it('a retention shorter than the longest window stops the start, naming the setting', async () => {
    const job = (days: string) =>
      new JournalRetentionJob(
        t.app.get(JournalRepository),
        t.app.get(DataSource),
        clock,
        testConfig({ env: { JOURNAL_RETENTION_DAYS: days } }),
        t.app.get(CatalogService),
      );
    expect(() => job('29').onModuleInit()).toThrow(/JOURNAL_RETENTION_DAYS: must be at least 30 \(the catalog's longest window\), got 29/);
    expect(() => job('30').onModuleInit()).not.toThrow();
  });
});
