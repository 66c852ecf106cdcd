import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * API keys get an optional name (to tell a workspace's keys apart in GET …/api-keys) and the time
 * they were last used, written at most once a minute per key (see ApiKeysService).
 */
export class AddApiKeyNamesAndLastUse1796626695871 implements MigrationInterface {
  name = 'AddApiKeyNamesAndLastUse1796626695871';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`alter table api_keys add column name text, add column last_used_at timestamptz`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`alter table api_keys drop column last_used_at, drop column name`);
  }
}
