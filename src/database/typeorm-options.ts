import { type DataSourceOptions } from 'typeorm';
import { MIGRATIONS } from '../../migrations/index.js';
import { type AppConfig } from '../config/app-config.js';

/** One options builder for the app and the migration CLI. `synchronize` is never on. */
export function typeormOptions(config: AppConfig, entities: DataSourceOptions['entities'] = []): DataSourceOptions {
  if (!config.database.url) throw new Error('DATABASE_URL is not resolved');
  return {
    type: 'postgres',
    url: config.database.url,
    entities,
    migrations: MIGRATIONS,
    migrationsTableName: 'schema_migrations',
    migrationsTransactionMode: 'each',
    synchronize: false,
    migrationsRun: false,
    installExtensions: false,
    logging: ['error'],
    extra: {
      max: config.database.poolSize,
      connectionTimeoutMillis: 2000,
      statement_timeout: config.database.statementTimeoutMs,
      query_timeout: config.database.statementTimeoutMs + 1000,
      application_name: 'smart-limits',
    },
  };
}
