import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { preparedQuery } from '../database/prepared-query.js';
import { type JournalActionRow, type JournalEntry, type JournalKind, type StandingAction } from './journal.types.js';

const iso = (ms: number) => new Date(ms).toISOString();

/** A recording is cancelled by the release row that names the same recording (same identity, id and score). */
const NOT_RELEASED = `not exists (
  select 1 from action_journal x
  where x.identity_id = r.identity_id and x.action_id = r.action_id and x.event = 'released' and x.recorded_at = r.recorded_at)`;

/** Every query of the action journal. */
@Injectable()
export class JournalRepository {
  constructor(private readonly ds: DataSource) {}

  /**
   * Writes a batch in one statement (arrays unnested: one plan whatever the size). Idempotent: a row
   * already there is skipped, so a batch retried after a lost acknowledgement adds nothing. Rows of
   * an identity deleted meanwhile are skipped too (its journal went with it). Returns rows inserted.
   */
  async insertMany(rows: JournalEntry[]): Promise<number> {
    if (!rows.length) return 0;
    const res: unknown = await this.ds.query(
      `insert into action_journal (identity_id, action_id, event, recorded_at, workspace_id, action_slug, limits, cost, kind, decided_at)
       select t.identity_id, t.action_id, t.event, t.recorded_at, t.workspace_id, t.action_slug, string_to_array(t.limits, ','), t.cost, t.kind, t.decided_at
       from unnest($1::uuid[], $2::text[], $3::text[], $4::timestamptz[], $5::uuid[], $6::text[], $7::text[], $8::int[], $9::text[], $10::timestamptz[])
         as t(identity_id, action_id, event, recorded_at, workspace_id, action_slug, limits, cost, kind, decided_at)
       where exists (select 1 from identities i where i.id = t.identity_id)
       on conflict do nothing`,
      [
        rows.map((r) => r.identityId),
        rows.map((r) => r.actionId),
        rows.map((r) => r.event),
        rows.map((r) => iso(r.recordedAtMs)),
        rows.map((r) => r.workspaceId),
        rows.map((r) => r.actionSlug),
        rows.map((r) => r.limits.join(',')),
        rows.map((r) => r.cost),
        rows.map((r) => r.kind),
        rows.map((r) => iso(r.decidedAtMs)),
      ],
    );
    // TypeORM returns [rows, affected] for writes on postgres.
    return Array.isArray(res) && typeof res[1] === 'number' ? res[1] : rows.length;
  }

  /** The identity's recordings still standing with a score after `sinceMs` (scheduled ones ahead included), oldest first. */
  async standingSince(identityId: string, sinceMs: number): Promise<StandingAction[]> {
    const rows = await preparedQuery(
      this.ds,
      'journal_standing_since',
      `select r.action_id, r.action_slug, r.kind, r.limits, r.cost, (extract(epoch from r.recorded_at) * 1000)::bigint as at_ms
       from action_journal r
       where r.identity_id = $1 and r.event = 'recorded' and r.recorded_at > $2 and ${NOT_RELEASED}
       order by r.recorded_at, r.action_id`,
      [identityId, iso(sinceMs)],
    );
    return rows.map((r) => ({
      actionId: r.action_id,
      actionSlug: r.action_slug,
      kind: r.kind,
      limits: r.limits as string[],
      cost: Number(r.cost),
      atMs: Number(r.at_ms),
    }));
  }

  /**
   * Units per limit per bucket over (fromMs, toMs], not counting released actions. Bucket j covers
   * (fromMs + j·bucketMs, fromMs + (j+1)·bucketMs], as the windows' activity counts them.
   */
  async unitsPerBucket(
    workspaceId: string,
    identityId: string,
    fromMs: number,
    toMs: number,
    bucketMs: number,
  ): Promise<{ slug: string; bucket: number; units: number }[]> {
    const rows = await this.ds.query(
      `select l.slug,
              (ceil((extract(epoch from r.recorded_at) * 1000 - $3::bigint) / $5::numeric))::int - 1 as bucket,
              sum(r.cost)::bigint as units
       from action_journal r cross join lateral unnest(r.limits) as l(slug)
       where r.identity_id = $1 and r.workspace_id = $2 and r.event = 'recorded'
         and r.recorded_at > $6 and r.recorded_at <= $4
         and ${NOT_RELEASED}
       group by 1, 2`,
      [identityId, workspaceId, fromMs, iso(toMs), bucketMs, iso(fromMs)],
    );
    return (rows as Record<string, unknown>[]).map((r) => ({ slug: String(r.slug), bucket: Number(r.bucket), units: Number(r.units) }));
  }

  /** A page of recordings, newest first (keyset on recorded_at, action_id), with when each was released. */
  async page(
    workspaceId: string,
    identityId: string,
    q: { fromMs?: number; toMs?: number; after?: { atMs: number; actionId: string }; limit: number },
  ): Promise<JournalActionRow[]> {
    const params: unknown[] = [identityId, workspaceId];
    const where = [`r.identity_id = $1`, `r.workspace_id = $2`, `r.event = 'recorded'`];
    if (q.fromMs !== undefined) where.push(`r.recorded_at >= $${params.push(iso(q.fromMs))}`);
    if (q.toMs !== undefined) where.push(`r.recorded_at < $${params.push(iso(q.toMs))}`);
    if (q.after) {
      const at = params.push(iso(q.after.atMs));
      const id = params.push(q.after.actionId);
      where.push(`(r.recorded_at, r.action_id) < ($${at}::timestamptz, $${id}::text)`);
    }
    const rows = await this.ds.query(
      `select r.action_id, r.action_slug, r.limits, r.cost, r.kind, r.recorded_at, r.decided_at, x.decided_at as released_at
       from action_journal r
       left join action_journal x
         on x.identity_id = r.identity_id and x.action_id = r.action_id and x.event = 'released' and x.recorded_at = r.recorded_at
       where ${where.join(' and ')}
       order by r.recorded_at desc, r.action_id desc
       limit $${params.push(q.limit)}`,
      params,
    );
    return (rows as Record<string, any>[]).map((r) => ({
      actionId: r.action_id,
      actionSlug: r.action_slug,
      limits: r.limits,
      cost: Number(r.cost),
      kind: r.kind as JournalKind,
      recordedAt: new Date(r.recorded_at),
      decidedAt: new Date(r.decided_at),
      releasedAt: r.released_at ? new Date(r.released_at) : null,
    }));
  }

  /**
   * Deletes up to `batch` rows recorded before `before`; returns how many. Small batches keep each
   * transaction short: no long lock, no long-held snapshot, while guards keep writing.
   */
  async deleteOlderThan(before: Date, batch: number): Promise<number> {
    const res: unknown = await this.ds.query(
      `delete from action_journal where ctid = any (array(
         select ctid from action_journal where recorded_at < $1 limit $2))`,
      [before.toISOString(), batch],
    );
    return Array.isArray(res) && typeof res[1] === 'number' ? res[1] : 0;
  }
}
