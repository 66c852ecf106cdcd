import { type DataSource } from 'typeorm';

/** Stable 64-bit-safe keys for advisory locks, one per purpose. */
export const ADVISORY_LOCKS = {
  migrations: 727_001,
  remirror: 727_003,
  /** With a second key, hashtext(identity id): one identity's cooldown changes and mirror writes, in order. */
  cooldownIdentity: 727_005,
  journalRetention: 727_006,
  /** With a second key, hashtext(identity id): one identity's invitation changes, in order. */
  invitationIdentity: 727_007,
  /** The acceptance-rate refresh: one pass at a time across instances. */
  invitationRefresh: 727_008,
} as const;

/** Runs `fn` holding a session advisory lock (waits for it). Used for migrations at start. */
export async function withAdvisoryLock<T>(ds: DataSource, key: number, fn: () => Promise<T>): Promise<T> {
  const qr = ds.createQueryRunner();
  await qr.connect();
  try {
    await qr.query('select pg_advisory_lock($1)', [key]);
    try {
      return await fn();
    } finally {
      await qr.query('select pg_advisory_unlock($1)', [key]);
    }
  } finally {
    await qr.release();
  }
}

/**
 * Runs `fn` only when this instance gets the lock at once (`pg_try_advisory_lock`); otherwise
 * another instance is doing the job and this tick is skipped. Returns undefined when skipped.
 */
export async function tryWithAdvisoryLock<T>(ds: DataSource, key: number, fn: () => Promise<T>): Promise<T | undefined> {
  const qr = ds.createQueryRunner();
  await qr.connect();
  try {
    const [{ locked }] = (await qr.query('select pg_try_advisory_lock($1) as locked', [key])) as [{ locked: boolean }];
    if (!locked) return undefined;
    try {
      return await fn();
    } finally {
      await qr.query('select pg_advisory_unlock($1)', [key]);
    }
  } finally {
    await qr.release();
  }
}
