import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * The dashboard reads a workspace's recent cooldowns at once (the overview) and asks whether a
 * cooldown only prolongs an earlier one (superseded_by = id): both were scans without these.
 */
export class IndexCooldownsForDashboard1795330000000 implements MigrationInterface {
  name = 'IndexCooldownsForDashboard1795330000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`create index cooldowns_workspace_started_idx on cooldowns (workspace_id, started_at desc)`);
    await q.query(`create index cooldowns_workspace_open_idx on cooldowns (workspace_id) where ended_at is null`);
    await q.query(`create index cooldowns_superseded_by_idx on cooldowns (superseded_by) where superseded_by is not null`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`drop index cooldowns_superseded_by_idx`);
    await q.query(`drop index cooldowns_workspace_open_idx`);
    await q.query(`drop index cooldowns_workspace_started_idx`);
  }
}
