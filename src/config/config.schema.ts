import { z } from 'zod';

const bool = z.enum(['true', 'false', '1', '0', 'yes', 'no']).transform((v) => v === 'true' || v === '1' || v === 'yes');

const port = z.coerce.number().int().min(0).max(65535);

const redisUrl = z
  .string()
  .url()
  .refine((u) => /^rediss?:\/\//.test(u), 'must start with redis:// or rediss://');

const clusterNodes = z
  .string()
  .transform((s) =>
    s
      .split(',')
      .map((n) => n.trim())
      .filter(Boolean),
  )
  .pipe(z.array(z.string().regex(/^[^:\s]+:\d{1,5}$/, 'each node must be host:port')).min(1, 'at least one host:port'));

const postgresUrl = z
  .string()
  .url()
  .refine((u) => /^postgres(ql)?:\/\//.test(u), 'must start with postgres:// or postgresql://');

/** Every setting the service reads. Nothing else in the code reads process.env. */
export const configSchema = z
  .object({
    NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
    PORT: port.default(3000),
    HOST: z.string().min(1).default('0.0.0.0'),
    REDIS_URL: redisUrl.optional(),
    REDIS_CLUSTER_NODES: clusterNodes.optional(),
    REDIS_KEY_PREFIX: z
      .string()
      .regex(/^[a-z0-9_-]{1,32}$/i, 'letters, digits, _ or -, at most 32')
      .default('sl'),
    REDIS_COMMAND_TIMEOUT_MS: z.coerce.number().int().min(50).max(10000).default(500),
    REDIS_CONNECT_TIMEOUT_MS: z.coerce.number().int().min(100).max(30000).default(1000),
    DATABASE_URL: postgresUrl.optional(),
    DATABASE_POOL_SIZE: z.coerce.number().int().min(1).max(200).default(10),
    DATABASE_STATEMENT_TIMEOUT_MS: z.coerce.number().int().min(100).max(600000).default(5000),
    ADMIN_API_KEY: z.string().min(24, 'must be at least 24 characters').optional(),
    GUARD_FAIL_MODE: z.enum(['closed', 'open']).default('closed'),
    WEBHOOK_ALLOW_PRIVATE_NETWORKS: bool.default(false),
    CATALOG_FILE: z.string().min(1).optional(),
    DATA_DIR: z.string().min(1).default('./data'),
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    TRUST_PROXY: bool.default(false),
    JOBS_ENABLED: bool.default(true),
    // Where the zero-config start looks for redis-server, initdb and pg_ctl.
    PATH: z.string().default('/usr/local/bin:/usr/bin:/bin'),
    IP_RATE_LIMIT_PER_MINUTE: z.coerce.number().int().min(1).max(100_000_000).default(10_000),
    // How old the dashboard overview's snapshot may get before a request rebuilds it (0: every request).
    DASHBOARD_REFRESH_SECONDS: z.coerce.number().int().min(0).max(3600).default(10),
    // The action journal (SPEC §9b): PostgreSQL's copy of every recorded action, written in batches.
    // Off only to measure what it costs: Redis data loss then resets the windows.
    JOURNAL_ENABLED: bool.default(true),
    // How long journal rows are kept; at least the catalog's longest window (checked at start).
    JOURNAL_RETENTION_DAYS: z.coerce.number().int().min(1).max(3650).default(90),
    // A batch goes out this long after its first row at the latest, or as soon as it holds JOURNAL_BATCH_ROWS.
    JOURNAL_FLUSH_MS: z.coerce.number().int().min(1).max(1000).default(100),
    JOURNAL_BATCH_ROWS: z.coerce.number().int().min(1).max(10_000).default(500),
    // While PostgreSQL is unreachable rows wait in memory up to this many; older ones beyond it are dropped (counted and logged).
    JOURNAL_MAX_PENDING_ROWS: z.coerce.number().int().min(100).max(10_000_000).default(100_000),
  })
  .superRefine((c, ctx) => {
    if (c.REDIS_URL && c.REDIS_CLUSTER_NODES) {
      ctx.addIssue({
        code: 'custom',
        path: ['REDIS_CLUSTER_NODES'],
        message: 'set REDIS_URL or REDIS_CLUSTER_NODES, not both',
      });
    }
    if (c.NODE_ENV === 'production') {
      if (!c.REDIS_URL && !c.REDIS_CLUSTER_NODES) {
        ctx.addIssue({ code: 'custom', path: ['REDIS_URL'], message: 'required in production (or REDIS_CLUSTER_NODES)' });
      }
      if (!c.DATABASE_URL) {
        ctx.addIssue({ code: 'custom', path: ['DATABASE_URL'], message: 'required in production' });
      }
      if (!c.ADMIN_API_KEY) {
        ctx.addIssue({ code: 'custom', path: ['ADMIN_API_KEY'], message: 'required in production' });
      }
    }
  });
