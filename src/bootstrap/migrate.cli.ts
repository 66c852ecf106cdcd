// `npm run migration:run` / `migration:revert`: the same store resolution as the service's
// zero-config start, then the migrations under the same advisory lock.
import { loadConfigFromProcess } from '../config/app-config.js';
import { resolveStores } from './resolve-stores.js';
import { revertLastMigration, runMigrations, withMigrationDataSource } from '../database/migrate.js';

async function main(): Promise<void> {
  const direction = process.argv[2] ?? 'up';
  const stores = await resolveStores(loadConfigFromProcess(), (m) => process.stderr.write(m + '\n'));
  try {
    await withMigrationDataSource(stores.config, async (ds) => {
      if (direction === 'down') {
        await revertLastMigration(ds);
        process.stdout.write('reverted the last migration\n');
      } else {
        const applied = await runMigrations(ds);
        process.stdout.write(applied.length ? `applied: ${applied.join(', ')}\n` : 'no pending migrations\n');
      }
    });
  } finally {
    await stores.cleanup();
  }
}

main().catch((e) => {
  process.stderr.write(`${(e as Error).message}\n`);
  process.exit(1);
});
