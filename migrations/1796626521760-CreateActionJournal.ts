import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * The action journal (SPEC §9b): every action recorded in a Redis window and every release, so an
 * identity's windows can be rebuilt after Redis loses them and history reaches beyond the windows.
 *
 * One row per recording: `(identity_id, action_id, event, recorded_at)` is the key, so a batch
 * written twice (a retry after a lost acknowledgement) adds nothing (ON CONFLICT DO NOTHING), and an
 * action id recorded again after its release is a new recording. A release row carries the
 * `recorded_at` of the recording it cancelled, so it cancels exactly that one, whatever order the
 * two rows reach the table in (they may come from two instances' batches).
 *
 * Retention deletes in small batches by `recorded_at` (the BRIN index: rows arrive roughly in time
 * order, and it costs almost nothing to keep up on a write-heavy table).
 */
export class CreateActionJournal1796626521760 implements MigrationInterface {
  name = 'CreateActionJournal1796626521760';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      create table action_journal (
        identity_id uuid not null references identities(id) on delete cascade,
        action_id text not null,
        event text not null check (event in ('recorded', 'released')),
        -- When the action counts in the windows (its Redis score): the decision time, a backfill's
        -- occurred_at or a scheduled action's scheduled_at.
        recorded_at timestamptz not null,
        workspace_id uuid not null,
        action_slug text not null,
        limits text[] not null,
        cost integer not null check (cost >= 1),
        kind text not null check (kind in ('now', 'backfill', 'scheduled')),
        -- When the guard recorded it (or the release removed it), by the Redis clock.
        decided_at timestamptz not null,
        primary key (identity_id, action_id, event, recorded_at)
      )`);
    // Rebuilds, the actions list (newest first, keyset on recorded_at, action_id) and activity.
    await q.query(
      `create index action_journal_identity_time_idx on action_journal (identity_id, recorded_at desc, action_id desc) where event = 'recorded'`,
    );
    await q.query(`create index action_journal_recorded_brin on action_journal using brin (recorded_at)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`drop table action_journal`);
  }
}
