import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * Pacing (SPEC 4b): an identity's working hours (`schedule`, null: the workspace's default
 * applies), whether it is paced at all (`pacing`) and its per-limit gap overrides; a workspace's
 * default schedule (null: any time). The windows themselves stay in Redis.
 */
export class AddPacing1796626878242 implements MigrationInterface {
  name = 'AddPacing1796626878242';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`alter table identities
      add column schedule jsonb,
      add column pacing text not null default 'standard' check (pacing in ('standard', 'off')),
      add column pacing_overrides jsonb not null default '{}'::jsonb`);
    await q.query(`alter table workspaces add column schedule jsonb`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`alter table workspaces drop column schedule`);
    await q.query(`alter table identities drop column pacing_overrides, drop column pacing, drop column schedule`);
  }
}
