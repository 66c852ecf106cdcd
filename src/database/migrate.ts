import { DataSource } from 'typeorm';
import { type AppConfig } from '../config/app-config.js';
import { ADVISORY_LOCKS, withAdvisoryLock } from './advisory-lock.js';
import { typeormOptions } from './typeorm-options.js';

/** Applies pending migrations under an advisory lock, so several instances starting at once are safe. */
export async function runMigrations(ds: DataSource): Promise<string[]> {
  return withAdvisoryLock(ds, ADVISORY_LOCKS.migrations, async () => {
    const applied = await ds.runMigrations({ transaction: 'each' });
    return applied.map((m) => m.name);
  });
}

export async function revertLastMigration(ds: DataSource): Promise<void> {
  await withAdvisoryLock(ds, ADVISORY_LOCKS.migrations, () => ds.undoLastMigration({ transaction: 'each' }));
}

export async function withMigrationDataSource<T>(config: AppConfig, fn: (ds: DataSource) => Promise<T>): Promise<T> {
  const ds = new DataSource(typeormOptions(config));
  await ds.initialize();
  try {
    return await fn(ds);
  } finally {
    await ds.destroy();
  }
}
