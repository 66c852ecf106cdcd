import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { AppConfig } from '../config/app-config.js';
import { type LocalServer, redisPing, startPrivatePostgres, startPrivateRedis } from './local-servers.js';

export class StoreStartError extends Error {}

export interface ResolvedStores {
  config: AppConfig;
  /** Stops the private servers this process started (none when it used existing ones). */
  cleanup(): Promise<void>;
  notes: string[];
}

const DEFAULT_DB = 'smart_limits';

async function canConnect(url: string): Promise<boolean> {
  const c = new pg.Client({ connectionString: url, connectionTimeoutMillis: 1000 });
  try {
    await c.connect();
    await c.query('select 1');
    return true;
  } catch {
    return false;
  } finally {
    await c.end().catch(() => undefined);
  }
}

/** Creates `db` on the server of `adminUrl` when missing (CREATE DATABASE cannot run in a transaction). */
export async function ensureDatabase(adminUrl: string, db: string): Promise<void> {
  const c = new pg.Client({ connectionString: adminUrl, connectionTimeoutMillis: 3000 });
  await c.connect();
  try {
    const r = await c.query('select 1 from pg_database where datname = $1', [db]);
    if (r.rowCount === 0) {
      try {
        await c.query(`create database "${db.replace(/"/g, '""')}"`);
      } catch (e) {
        // Two instances starting together may race to create it.
        if ((e as { code?: string }).code !== '42P04') throw e;
      }
    }
  } finally {
    await c.end();
  }
}

function withDatabase(url: string, db: string): string {
  const u = new URL(url);
  u.pathname = `/${db}`;
  return u.toString();
}

/**
 * Zero-config start: use the URLs given; else the servers on their standard local ports; else
 * private servers under DATA_DIR started as children; else stop with a message saying what to do.
 */
export interface LocalProbe {
  /** Where to look for an already running server before starting a private one (tests move these). */
  redisPort?: number;
  postgresUrl?: string;
}

export async function resolveStores(config: AppConfig, say: (msg: string) => void, probe: LocalProbe = {}): Promise<ResolvedStores> {
  const started: LocalServer[] = [];
  const notes: string[] = [];
  const cleanup = async () => {
    for (const s of started.reverse()) await s.stop().catch(() => undefined);
  };
  try {
    let redis = config.redis;
    if (!redis.url && !redis.clusterNodes) {
      const localPort = probe.redisPort ?? 6379;
      if (await redisPing('127.0.0.1', localPort, 500)) {
        redis = { ...redis, url: `redis://127.0.0.1:${localPort}` };
        notes.push(`Redis: using the server at 127.0.0.1:${localPort}`);
      } else {
        try {
          const s = await startPrivateRedis(join(config.dataDir, 'redis'), { searchPath: config.binPath });
          started.push(s);
          redis = { ...redis, url: s.url };
          notes.push(`Redis: started a private redis-server at ${s.url} (data in ${join(config.dataDir, 'redis')})`);
        } catch (e) {
          throw new StoreStartError(
            `No Redis at 127.0.0.1:6379 and no private one could be started (${(e as Error).message}).\n` +
              '  Install it (Debian/Ubuntu: apt-get install redis-server) or set REDIS_URL=redis://host:6379.',
          );
        }
      }
    }

    let database = config.database;
    if (!database.url) {
      const local = probe.postgresUrl ?? 'postgres://postgres@127.0.0.1:5432/postgres';
      if (await canConnect(local)) {
        await ensureDatabase(local, DEFAULT_DB);
        database = { ...database, url: withDatabase(local, DEFAULT_DB) };
        notes.push(`PostgreSQL: using 127.0.0.1:5432, database ${DEFAULT_DB}`);
      } else {
        try {
          const s = await startPrivatePostgres(join(config.dataDir, 'pg'), config.binPath);
          started.push(s);
          await ensureDatabase(s.url, DEFAULT_DB);
          database = { ...database, url: withDatabase(s.url, DEFAULT_DB) };
          notes.push(`PostgreSQL: started a private cluster (data in ${join(config.dataDir, 'pg')})`);
        } catch (e) {
          throw new StoreStartError(
            `No PostgreSQL at 127.0.0.1:5432 and no private cluster could be started (${(e as Error).message}).\n` +
              '  Install it (Debian/Ubuntu: apt-get install postgresql) or set DATABASE_URL=postgres://user@host:5432/db.',
          );
        }
      }
    }

    let adminApiKey = config.adminApiKey;
    if (!adminApiKey) {
      // Development only (production requires it): generate once, keep it in DATA_DIR, show it once.
      const file = join(config.dataDir, 'admin-api-key');
      if (existsSync(file)) {
        adminApiKey = readFileSync(file, 'utf8').trim();
        notes.push(`Admin API key: read from ${file}`);
      } else {
        adminApiKey = `sl_admin_${randomBytes(24).toString('base64url')}`;
        mkdirSync(config.dataDir, { recursive: true });
        writeFileSync(file, adminApiKey + '\n', { mode: 0o600 });
        say(`\n  ADMIN_API_KEY was not set; generated one for development (shown once, kept in ${file}):\n\n    ${adminApiKey}\n`);
      }
    }
    return { config: new AppConfig({ ...config, redis, database, adminApiKey } as AppConfig), cleanup, notes };
  } catch (e) {
    await cleanup();
    throw e;
  }
}
