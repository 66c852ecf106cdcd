import { type BeforeApplicationShutdown, Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { LRUCache } from 'lru-cache';
import { type AuthContext } from '../common/auth/auth-context.js';
import { hashApiKey } from '../common/auth/key-hash.js';
import { storeOfError } from '../common/errors/store-errors.js';
import { PgEventsService } from '../database/pg-events.service.js';
import { WorkspacesRepository } from './workspaces.repository.js';

interface CachedKey {
  auth: AuthContext | null;
}

const FRESH_MS = 30_000;
const MAX_ENTRIES = 50_000;
/** last_used_at is kept to the minute: at most one write per key per minute (and instance). */
const TOUCH_EVERY_MS = 60_000;

/**
 * Resolves API keys to workspaces. Keys are looked up by their sha256 (a unique index), so the
 * lookup itself never compares secrets byte by byte. Results are cached so the guard's hot path
 * does not wait on PostgreSQL and keeps working while it is down; revocation evicts the entry here
 * at once and on every other instance through NOTIFY.
 */
@Injectable()
export class ApiKeysService implements OnModuleInit, BeforeApplicationShutdown {
  private readonly logger = new Logger('ApiKeys');
  /** Fresh for FRESH_MS; a stale entry stays (until evicted) so known keys work while PostgreSQL is down. */
  private readonly cache = new LRUCache<string, CachedKey>({ max: MAX_ENTRIES, ttl: FRESH_MS, noDeleteOnStaleGet: true });
  /** Keys whose use was noted in the last TOUCH_EVERY_MS. */
  private readonly touchedAt = new LRUCache<string, true>({ max: MAX_ENTRIES, ttl: TOUCH_EVERY_MS });
  private readonly touching = new Set<Promise<void>>();

  constructor(
    private readonly repo: WorkspacesRepository,
    private readonly events: PgEventsService,
    private readonly ds: DataSource,
  ) {}

  onModuleInit(): void {
    this.events.subscribe('apikey.revoked', (hash) => this.cache.delete(hash));
    this.events.subscribe('reconnect', () => this.cache.clear());
  }

  async authenticate(key: string): Promise<AuthContext | null> {
    if (key.length > 200) return null;
    const hash = hashApiKey(key);
    const fresh = this.cache.get(hash);
    if (fresh) return this.used(fresh.auth);
    try {
      const row = await this.repo.activeKeyByHash(hash);
      const auth = row ? { workspaceId: row.workspaceId, keyId: row.id } : null;
      this.cache.set(hash, { auth });
      return this.used(auth);
    } catch (e) {
      // PostgreSQL down: a key we already knew keeps working (the guard runs on Redis alone).
      const stale = this.cache.get(hash, { allowStale: true });
      if (stale && storeOfError(e) === 'postgres') return stale.auth;
      throw e;
    }
  }

  /**
   * Notes a key's use: one UPDATE per key per minute at most, not awaited, so requests never wait
   * on it and a PostgreSQL outage only leaves last_used_at behind.
   */
  private used(auth: AuthContext | null): AuthContext | null {
    if (!auth || this.touchedAt.has(auth.keyId)) return auth;
    this.touchedAt.set(auth.keyId, true);
    const p = this.repo
      .touchKey(auth.keyId)
      .catch((e: unknown) => this.logger.debug({ err: e, keyId: auth.keyId }, 'could not note the key as used'))
      .finally(() => this.touching.delete(p));
    this.touching.add(p);
    return auth;
  }

  /** Resolves once the last-use writes already started have finished (shutdown, tests). */
  async settled(): Promise<void> {
    await Promise.all([...this.touching]);
  }

  beforeApplicationShutdown(): Promise<void> {
    return this.settled();
  }

  async revoke(workspaceId: string, keyId: string): Promise<boolean> {
    const hash = await this.repo.revokeKey(workspaceId, keyId);
    if (!hash) return false;
    this.cache.delete(hash);
    await this.events.publish('apikey.revoked', hash, (sql, p) => this.ds.query(sql, p));
    return true;
  }

  forget(hash: string): void {
    this.cache.delete(hash);
  }
}
