import { type BeforeApplicationShutdown, Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { type AuthContext } from '../common/auth/auth-context.js';
import { hashApiKey } from '../common/auth/key-hash.js';
import { storeOfError } from '../common/errors/store-errors.js';
import { PgEventsService } from '../database/pg-events.service.js';
import { WorkspacesRepository } from './workspaces.repository.js';

interface CachedKey {
  auth: AuthContext | null;
  fetchedAt: number;
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
  private readonly cache = new Map<string, CachedKey>();
  private readonly touchedAt = new Map<string, number>();
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
    const cached = this.cache.get(hash);
    const now = Date.now();
    if (cached && now - cached.fetchedAt < FRESH_MS) return this.used(cached.auth, now);
    try {
      const row = await this.repo.activeKeyByHash(hash);
      const auth = row ? { workspaceId: row.workspaceId, keyId: row.id } : null;
      if (this.cache.size >= MAX_ENTRIES) this.cache.delete(this.cache.keys().next().value!);
      this.cache.set(hash, { auth, fetchedAt: now });
      return this.used(auth, now);
    } catch (e) {
      // PostgreSQL down: a key we already knew keeps working (the guard runs on Redis alone).
      if (cached && storeOfError(e) === 'postgres') return cached.auth;
      throw e;
    }
  }

  /**
   * Notes a key's use: one UPDATE per key per minute at most, not awaited, so requests never wait
   * on it and a PostgreSQL outage only leaves last_used_at behind.
   */
  private used(auth: AuthContext | null, now: number): AuthContext | null {
    if (!auth) return auth;
    const last = this.touchedAt.get(auth.keyId);
    if (last !== undefined && now - last < TOUCH_EVERY_MS) return auth;
    if (this.touchedAt.size >= MAX_ENTRIES) this.touchedAt.clear();
    this.touchedAt.set(auth.keyId, now);
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
