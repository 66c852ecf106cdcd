import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { DataSource } from 'typeorm';
import { MIGRATIONS } from '../../migrations/index.js';
import { revertLastMigration, runMigrations } from '../../src/database/migrate.js';
import { typeormOptions } from '../../src/database/typeorm-options.js';
import { createExtraDatabase } from '../support/servers.js';
import { testConfig } from '../support/test-app.js';

describe('migrations', () => {
  let db: { url: string; drop(): Promise<void> };
  let ds: DataSource;
  beforeAll(async () => {
    db = await createExtraDatabase(process.env.SL_TEST_PG_ADMIN_URL!, 'mig');
    ds = await new DataSource(typeormOptions(testConfig({ databaseUrl: db.url }))).initialize();
  });
  afterAll(async () => {
    await ds?.destroy();
    await db?.drop();
  });

  const tables = async () =>
    (await ds.query(`select table_name from information_schema.tables where table_schema = 'public' order by 1`)).map(
      (r: { table_name: string }) => r.table_name,
    );

  it('runs every migration up, concurrently safe, then all the way down', async () => {
    const [a, b] = await Promise.all([runMigrations(ds), runMigrations(ds)]);
    expect(a.length + b.length).toBe(MIGRATIONS.length);
    expect(await tables()).toEqual(expect.arrayContaining(['workspaces', 'api_keys', 'identities', 'schema_migrations']));
    for (let i = 0; i < MIGRATIONS.length; i++) await revertLastMigration(ds);
    expect(await tables()).toEqual(['schema_migrations']);
    expect(await runMigrations(ds)).toHaveLength(MIGRATIONS.length);
  });
});
