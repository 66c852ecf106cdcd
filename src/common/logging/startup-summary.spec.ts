import { describe, expect, it } from '@jest/globals';
import { loadConfig } from '../../config/app-config.js';
import { startupSummary } from './startup-summary.js';

describe('startupSummary', () => {
  it('names the stores without credentials and only the settings that differ from their defaults', () => {
    const s = startupSummary(
      loadConfig({
        REDIS_URL: 'redis://:hunter2@cache.internal:6380',
        DATABASE_URL: 'postgres://app:s3cret@db.internal/limits',
        ADMIN_API_KEY: 'admin-key-that-must-never-be-logged',
        GUARD_FAIL_MODE: 'open',
        JOBS_ENABLED: 'false',
        PORT: '8080',
      }),
      'http://127.0.0.1:8080',
    );
    expect(s.message).toBe(
      'started: listening on http://127.0.0.1:8080; Redis cache.internal:6380; PostgreSQL db.internal:5432/limits; non-default settings: GUARD_FAIL_MODE=open, JOBS_ENABLED=false',
    );
    expect(JSON.stringify(s)).not.toMatch(/hunter2|s3cret|admin-key/);
  });

  it('says so when everything is at its default, and names cluster seeds', () => {
    const s = startupSummary(loadConfig({ REDIS_CLUSTER_NODES: 'a:7000,b:7001', DATABASE_URL: 'postgres://x@h:5433/d' }), 'http://h:3000');
    expect(s.message).toBe(
      'started: listening on http://h:3000; Redis Cluster (a:7000, b:7001); PostgreSQL h:5433/d; every other setting at its default',
    );
    expect(s.fields.settings).toEqual({});
  });
});
