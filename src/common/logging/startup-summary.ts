import { type AppConfig, loadConfig } from '../../config/app-config.js';

/** Where a store is, without credentials: `host:port/db`. */
function location(url: string | undefined, withPath: boolean): string {
  if (!url) return 'not set';
  try {
    const u = new URL(url);
    return `${u.hostname}:${u.port || (u.protocol.startsWith('postgres') ? '5432' : '6379')}${withPath ? u.pathname : ''}`;
  } catch {
    return 'unparsable URL';
  }
}

/** The settings worth naming when they differ from the default (never a secret). */
const SHOWN: Record<string, (c: AppConfig) => unknown> = {
  NODE_ENV: (c) => c.nodeEnv,
  GUARD_FAIL_MODE: (c) => c.guardFailMode,
  WEBHOOK_ALLOW_PRIVATE_NETWORKS: (c) => c.webhookAllowPrivateNetworks,
  CATALOG_FILE: (c) => c.catalogFile,
  JOBS_ENABLED: (c) => c.jobsEnabled,
  TRUST_PROXY: (c) => c.trustProxy,
  LOG_LEVEL: (c) => c.logLevel,
  REDIS_KEY_PREFIX: (c) => c.redis.keyPrefix,
  REDIS_COMMAND_TIMEOUT_MS: (c) => c.redis.commandTimeoutMs,
  REDIS_CONNECT_TIMEOUT_MS: (c) => c.redis.connectTimeoutMs,
  DATABASE_POOL_SIZE: (c) => c.database.poolSize,
  DATABASE_STATEMENT_TIMEOUT_MS: (c) => c.database.statementTimeoutMs,
  IP_RATE_LIMIT_PER_MINUTE: (c) => c.ipRateLimitPerMinute,
  DASHBOARD_REFRESH_SECONDS: (c) => c.dashboardRefreshSeconds,
  DATA_DIR: (c) => c.dataDir,
};

export interface StartupSummary {
  message: string;
  fields: { listen: string; redis: string; postgres: string; settings: Record<string, unknown> };
}

/**
 * The one line a start logs: where it listens, which stores it uses (no credentials) and every
 * setting that is not at its default, so a log reader sees how this instance runs.
 */
export function startupSummary(config: AppConfig, listen: string): StartupSummary {
  const defaults = loadConfig({});
  const settings: Record<string, unknown> = {};
  for (const [name, read] of Object.entries(SHOWN)) {
    if (read(config) !== read(defaults)) settings[name] = read(config);
  }
  const nodes = config.redis.clusterNodes;
  const redis = nodes?.length
    ? `Redis Cluster (${nodes.map((n) => `${n.host}:${n.port}`).join(', ')})`
    : `Redis ${location(config.redis.url, false)}`;
  const postgres = `PostgreSQL ${location(config.database.url, true)}`;
  const named = Object.entries(settings).map(([k, v]) => `${k}=${String(v)}`);
  return {
    message: `started: listening on ${listen}; ${redis}; ${postgres}; ${named.length ? `non-default settings: ${named.join(', ')}` : 'every other setting at its default'}`,
    fields: { listen, redis, postgres, settings },
  };
}
