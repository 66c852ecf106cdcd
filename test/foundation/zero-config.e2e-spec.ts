import { afterAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import pg from 'pg';
import { freePort } from '../../src/bootstrap/local-servers.js';
import { resolveStores } from '../../src/bootstrap/resolve-stores.js';
import { loadConfig } from '../../src/config/app-config.js';

describe('zero-config start', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sl-zero-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('starts private Redis and PostgreSQL when none answer, and stops them on cleanup', async () => {
    const said: string[] = [];
    const config = loadConfig({ DATA_DIR: dir });
    const unused = await freePort();
    const stores = await resolveStores(config, (m) => said.push(m), {
      redisPort: unused,
      postgresUrl: `postgres://postgres@127.0.0.1:${unused}/postgres`,
    });
    try {
      expect(stores.config.redis.url).toMatch(/^redis:\/\/127\.0\.0\.1:\d+$/);
      expect(stores.config.database.url).toMatch(/\/smart_limits$/);
      const redis = new Redis(stores.config.redis.url!);
      expect(await redis.config('GET', 'appendonly')).toEqual(['appendonly', 'yes']);
      await redis.quit();
      const c = new pg.Client({ connectionString: stores.config.database.url });
      await c.connect();
      expect((await c.query('select current_database() as db')).rows[0].db).toBe('smart_limits');
      await c.end();
      // A development admin key was generated, shown once and kept.
      expect(stores.config.adminApiKey).toMatch(/^sl_admin_/);
      expect(said.join('\n')).toContain(stores.config.adminApiKey);
      expect(readFileSync(join(dir, 'admin-api-key'), 'utf8').trim()).toBe(stores.config.adminApiKey);
    } finally {
      await stores.cleanup();
    }
    const again = new Redis(stores.config.redis.url!, { lazyConnect: true, retryStrategy: () => null, connectTimeout: 300 });
    await expect(again.connect()).rejects.toThrow();
    again.disconnect();
  }, 60_000);
});
