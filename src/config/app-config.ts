import { configSchema } from './config.schema.js';

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** The typed, validated settings. Injected as a class token so services can ask for `AppConfig`. */
export class AppConfig {
  readonly nodeEnv!: 'development' | 'production' | 'test';
  readonly port!: number;
  readonly host!: string;
  readonly redis!: {
    url?: string;
    clusterNodes?: { host: string; port: number }[];
    keyPrefix: string;
    commandTimeoutMs: number;
    connectTimeoutMs: number;
  };
  readonly database!: { url?: string; poolSize: number; statementTimeoutMs: number };
  /** Absent in development until the bootstrap generates one. */
  readonly adminApiKey?: string;
  readonly guardFailMode!: 'closed' | 'open';
  readonly webhookAllowPrivateNetworks!: boolean;
  readonly catalogFile?: string;
  readonly dataDir!: string;
  readonly logLevel!: string;
  readonly trustProxy!: boolean;
  readonly jobsEnabled!: boolean;
  readonly ipRateLimitPerMinute!: number;
  readonly dashboardRefreshSeconds!: number;
  readonly journal!: { enabled: boolean; retentionDays: number; flushMs: number; batchRows: number; maxPendingRows: number };
  /** The PATH used to find redis-server / initdb / pg_ctl for the zero-config start. */
  readonly binPath!: string;

  constructor(values: AppConfig) {
    Object.assign(this, values);
  }

  get isProduction(): boolean {
    return this.nodeEnv === 'production';
  }
}

/**
 * Reads and validates settings from an env-like record. Unset and empty values fall back to
 * defaults; anything invalid stops the start with a message naming every bad setting.
 */
export function loadConfig(env: Record<string, string | undefined>): AppConfig {
  const input: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) {
    if (v !== undefined && v !== '') input[k] = v;
  }
  const parsed = configSchema.safeParse(input);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((i) => `${i.path.join('.') || '(config)'}: ${i.message}`));
  }
  const c = parsed.data;
  return new AppConfig({
    nodeEnv: c.NODE_ENV,
    port: c.PORT,
    host: c.HOST,
    redis: {
      url: c.REDIS_URL,
      clusterNodes: c.REDIS_CLUSTER_NODES?.map((n) => {
        const i = n.lastIndexOf(':');
        return { host: n.slice(0, i), port: Number(n.slice(i + 1)) };
      }),
      keyPrefix: c.REDIS_KEY_PREFIX,
      commandTimeoutMs: c.REDIS_COMMAND_TIMEOUT_MS,
      connectTimeoutMs: c.REDIS_CONNECT_TIMEOUT_MS,
    },
    database: {
      url: c.DATABASE_URL,
      poolSize: c.DATABASE_POOL_SIZE,
      statementTimeoutMs: c.DATABASE_STATEMENT_TIMEOUT_MS,
    },
    adminApiKey: c.ADMIN_API_KEY,
    guardFailMode: c.GUARD_FAIL_MODE,
    webhookAllowPrivateNetworks: c.WEBHOOK_ALLOW_PRIVATE_NETWORKS,
    catalogFile: c.CATALOG_FILE,
    dataDir: c.DATA_DIR,
    logLevel: c.LOG_LEVEL,
    trustProxy: c.TRUST_PROXY,
    jobsEnabled: c.JOBS_ENABLED,
    ipRateLimitPerMinute: c.IP_RATE_LIMIT_PER_MINUTE,
    dashboardRefreshSeconds: c.DASHBOARD_REFRESH_SECONDS,
    journal: {
      enabled: c.JOURNAL_ENABLED,
      retentionDays: c.JOURNAL_RETENTION_DAYS,
      flushMs: c.JOURNAL_FLUSH_MS,
      batchRows: c.JOURNAL_BATCH_ROWS,
      maxPendingRows: c.JOURNAL_MAX_PENDING_ROWS,
    },
    binPath: c.PATH,
  } as AppConfig);
}

/** The only place that touches process.env. */
export function loadConfigFromProcess(): AppConfig {
  return loadConfig(process.env);
}
