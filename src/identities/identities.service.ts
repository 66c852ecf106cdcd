import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { type EntityManager } from 'typeorm';
import { LRUCache } from 'lru-cache';
import { CatalogService } from '../catalog/catalog.service.js';
import { startFreeze } from '../catalog/thresholds.js';
import { ApiError } from '../common/errors/api-error.js';
import { storeOfError } from '../common/errors/store-errors.js';
import { PgEventsService } from '../database/pg-events.service.js';
import { normalizeSchedule } from '../pacing/schedule.js';
import { RedisKeys } from '../redis/redis-keys.js';
import { REDIS_CLIENT, type RedisClient } from '../redis/redis.tokens.js';
import { type CreateIdentityDto, type IdentityPage, type IdentityResponse, type UpdateIdentityDto } from './identities.dto.js';
import { IdentitiesRepository } from './identities.repository.js';
import { type IdentityMode, type IdentityStatus } from './identity.js';
import { type IdentityEntity } from './identity.entity.js';
import { decodeCursor, encodeCursor } from '../common/http/cursor.js';
import { isUuid } from '../common/validation/uuid.js';

const CACHE_MS = 5_000;

export function toIdentityResponse(i: IdentityEntity): IdentityResponse {
  return {
    id: i.id,
    external_id: i.externalId,
    label: i.label,
    mode: i.mode,
    account_type: i.accountType,
    timezone: i.timezone,
    warmup: i.warmup,
    warmup_started_at: i.warmupStartedAt.toISOString(),
    level: i.level,
    limit_overrides: i.limitOverrides ?? {},
    status: i.status,
    schedule: i.schedule ?? null,
    pacing: i.pacing,
    pacing_overrides: i.pacingOverrides ?? {},
    created_at: i.createdAt.toISOString(),
    updated_at: i.updatedAt.toISOString(),
  };
}

/** Identities are paged by id: the cursor is the last id shown. */
const CURSOR_KIND = 'i';

/** Listeners for changes that other features track (engagement counts, caches). */
export type IdentityChange = { workspaceId: string; identityId: string; kind: 'created' | 'updated' | 'deleted' };

@Injectable()
export class IdentitiesService implements OnModuleInit {
  /** Fresh for CACHE_MS; a stale entry stays (until evicted) to serve while PostgreSQL is down. */
  private readonly cache = new LRUCache<string, { identity: IdentityEntity | null }>({ max: 100_000, ttl: CACHE_MS, noDeleteOnStaleGet: true });
  /** Reads in progress: concurrent guards of an uncached identity share one query (no stampede on the pool). */
  private readonly loading = new Map<string, Promise<IdentityEntity | null>>();
  private readonly listeners: ((c: IdentityChange) => void | Promise<void>)[] = [];

  constructor(
    private readonly repo: IdentitiesRepository,
    private readonly catalog: CatalogService,
    private readonly events: PgEventsService,
    private readonly keys: RedisKeys,
    @Inject(REDIS_CLIENT) private readonly redis: RedisClient,
  ) {}

  onModuleInit(): void {
    this.events.subscribe('identity.changed', (payload) => {
      const [workspaceId, identityId, kind] = payload.split(':');
      this.forget(`${workspaceId}:${identityId}`);
      for (const l of this.listeners) void l({ workspaceId, identityId, kind: kind as IdentityChange['kind'] });
    });
    this.events.subscribe('reconnect', () => {
      this.cache.clear();
      this.loading.clear();
    });
  }

  onChange(listener: (c: IdentityChange) => void | Promise<void>): void {
    this.listeners.push(listener);
  }

  /** A change: the cached copy goes, and a read in progress (which may predate it) will not be cached. */
  private forget(k: string): void {
    this.cache.delete(k);
    this.loading.delete(k);
  }

  private async changed(workspaceId: string, identityId: string, kind: IdentityChange['kind']): Promise<void> {
    this.forget(`${workspaceId}:${identityId}`);
    for (const l of this.listeners) await l({ workspaceId, identityId, kind });
    await this.events.publish('identity.changed', `${workspaceId}:${identityId}:${kind}`);
  }

  async create(workspaceId: string, dto: CreateIdentityDto): Promise<IdentityEntity> {
    try {
      const identity = await this.repo.create({
        workspaceId,
        externalId: dto.external_id,
        label: dto.label ?? null,
        mode: dto.mode ?? 'standard',
        accountType: dto.account_type ?? 'free',
        timezone: dto.timezone ?? 'UTC',
        warmup: dto.warmup ?? 'standard',
        warmupStartedAt: dto.warmup_started_at ? new Date(dto.warmup_started_at) : new Date(),
        level: dto.level ?? 'standard',
        limitOverrides: dto.limit_overrides ?? {},
        status: dto.status ?? 'active',
        schedule: normalizeSchedule(dto.schedule),
        pacing: dto.pacing ?? 'standard',
        pacingOverrides: dto.pacing_overrides ?? {},
      });
      await this.markNew(workspaceId, identity.id);
      await this.changed(workspaceId, identity.id, 'created');
      return identity;
    } catch (e) {
      throw this.mapUniqueViolation(e, dto.external_id);
    }
  }

  /**
   * A new identity has nothing to rebuild: its marker is set now, so its first guard does not look
   * for history it cannot have. Best effort: without it, that first guard rebuilds (finding nothing).
   */
  private async markNew(workspaceId: string, id: string): Promise<void> {
    try {
      await this.redis.set(this.keys.marker(workspaceId, id), Date.now());
    } catch {
      /* Redis unreachable: the first guard rebuilds instead */
    }
  }

  private mapUniqueViolation(e: unknown, externalId?: string): unknown {
    const err = e as { code?: string; driverError?: { code?: string } };
    if (err.code === '23505' || err.driverError?.code === '23505') {
      return ApiError.conflict(`An identity with external_id "${externalId}" already exists in this workspace`, {
        external_id: ['already used in this workspace'],
      });
    }
    return e;
  }

  /** 404 for unknown ids and for other workspaces' identities alike. */
  async get(workspaceId: string, id: string): Promise<IdentityEntity> {
    if (!isUuid(id)) throw ApiError.notFound('Identity');
    const identity = await this.repo.findInWorkspace(workspaceId, id);
    if (!identity) throw ApiError.notFound('Identity');
    return identity;
  }

  /**
   * Hot-path read for the guard: cached a few seconds, invalidated on change (here and, through
   * NOTIFY, on other instances); serves the cached copy when PostgreSQL is down.
   */
  async getCached(workspaceId: string, id: string): Promise<IdentityEntity> {
    if (!isUuid(id)) throw ApiError.notFound('Identity');
    const k = `${workspaceId}:${id}`;
    const fresh = this.cache.get(k);
    if (fresh) {
      if (!fresh.identity) throw ApiError.notFound('Identity');
      return fresh.identity;
    }
    let load = this.loading.get(k);
    if (!load) {
      const mine = this.repo.findInWorkspace(workspaceId, id);
      load = mine;
      this.loading.set(k, mine);
      const settle = () => {
        if (this.loading.get(k) === mine) this.loading.delete(k);
      };
      mine.then((identity) => {
        // Cached only when no change came in meanwhile (forget() dropped this read).
        if (this.loading.get(k) === mine) this.cache.set(k, { identity });
        settle();
      }, settle);
    }
    let identity: IdentityEntity | null;
    try {
      identity = await load;
    } catch (e) {
      const stale = this.cache.get(k, { allowStale: true });
      if (stale && storeOfError(e) === 'postgres') {
        if (!stale.identity) throw ApiError.notFound('Identity');
        return stale.identity;
      }
      throw e;
    }
    if (!identity) throw ApiError.notFound('Identity');
    return identity;
  }

  async list(workspaceId: string, q: { limit?: number; cursor?: string; mode?: IdentityMode; status?: IdentityStatus }): Promise<IdentityPage> {
    const limit = q.limit ?? 50;
    const afterId = q.cursor ? decodeCursor(q.cursor, CURSOR_KIND, (id) => (isUuid(id) ? id : null)) : undefined;
    const rows = await this.repo.page(workspaceId, { mode: q.mode, status: q.status, afterId, limit: limit + 1 });
    const page = rows.slice(0, limit);
    return {
      data: page.map(toIdentityResponse),
      next_cursor: rows.length > limit ? encodeCursor(CURSOR_KIND, page[page.length - 1].id) : null,
    };
  }

  async update(workspaceId: string, id: string, dto: UpdateIdentityDto): Promise<IdentityEntity> {
    await this.get(workspaceId, id);
    const patch: Partial<IdentityEntity> = {};
    if (dto.external_id !== undefined) patch.externalId = dto.external_id;
    if (dto.label !== undefined) patch.label = dto.label;
    if (dto.mode !== undefined) patch.mode = dto.mode;
    if (dto.account_type !== undefined) patch.accountType = dto.account_type;
    if (dto.timezone !== undefined) patch.timezone = dto.timezone;
    if (dto.warmup !== undefined) patch.warmup = dto.warmup;
    if (dto.warmup_started_at !== undefined) patch.warmupStartedAt = new Date(dto.warmup_started_at);
    if (dto.level !== undefined) patch.level = dto.level;
    if (dto.limit_overrides !== undefined) patch.limitOverrides = dto.limit_overrides;
    if (dto.status !== undefined) patch.status = dto.status;
    if (dto.schedule !== undefined) patch.schedule = normalizeSchedule(dto.schedule);
    if (dto.pacing !== undefined) patch.pacing = dto.pacing;
    if (dto.pacing_overrides !== undefined) patch.pacingOverrides = dto.pacing_overrides;
    let updated: IdentityEntity | null;
    try {
      updated = await this.repo.update(workspaceId, id, patch);
    } catch (e) {
      throw this.mapUniqueViolation(e, dto.external_id);
    }
    if (!updated) throw ApiError.notFound('Identity');
    await this.changed(workspaceId, id, 'updated');
    return updated;
  }

  /** Deletes the row and every Redis key of the identity (one slot: one DEL). */
  async delete(workspaceId: string, id: string): Promise<void> {
    await this.get(workspaceId, id);
    await this.repo.delete(workspaceId, id);
    await this.redis.del(...this.redisKeysOf(workspaceId, id));
    await this.changed(workspaceId, id, 'deleted');
  }

  redisKeysOf(workspaceId: string, id: string): string[] {
    const limits = this.catalog.get().limits.map((l) => l.slug);
    return [
      ...limits.map((l) => this.keys.window(workspaceId, id, l)),
      // The windows' states; their chunks and dedup sets, unreachable without them, expire on their own.
      this.keys.windowStates(workspaceId, id),
      ...limits.map((l) => this.keys.limitCooldown(workspaceId, id, l)),
      this.keys.identityCooldown(workspaceId, id),
      this.keys.invitations(workspaceId, id),
      this.keys.marker(workspaceId, id),
      this.keys.rebuildLock(workspaceId, id),
      this.keys.lease(workspaceId, id),
    ];
  }

  /**
   * Applies a cooldown's effect on the warm-up ramp inside the caller's transaction: `freeze` stops
   * the ramp for the catalog's freeze period (extending a running freeze); `restart` (RESTRICTED)
   * starts it over at the catalog's restart factor, frozen too. Call `afterWarmupChange` once the
   * transaction has committed, so every instance's cache drops the old ramp.
   */
  async applyWarmupEffect(m: EntityManager, workspaceId: string, id: string, effect: 'freeze' | 'restart', at: Date): Promise<boolean> {
    const current = await this.repo.lockWarmup(m, workspaceId, id);
    if (!current) return false;
    const warmup = this.catalog.get().warmup;
    if (effect === 'restart') {
      const frozen = startFreeze({ startedAt: at, frozenFrom: null, frozenUntil: null }, at, warmup);
      await this.repo.saveWarmup(m, workspaceId, id, {
        warmupStartedAt: at,
        warmupFrozenFrom: frozen.frozenFrom,
        warmupFrozenUntil: frozen.frozenUntil,
        warmupRestartFactor: warmup.restart_factor_after_restricted,
      });
      return true;
    }
    const frozen = startFreeze(
      { startedAt: current.warmupStartedAt, frozenFrom: current.warmupFrozenFrom, frozenUntil: current.warmupFrozenUntil },
      at,
      warmup,
    );
    await this.repo.saveWarmup(m, workspaceId, id, {
      ...current,
      warmupStartedAt: frozen.startedAt ?? current.warmupStartedAt,
      warmupFrozenFrom: frozen.frozenFrom,
      warmupFrozenUntil: frozen.frozenUntil,
    });
    return true;
  }

  async afterWarmupChange(workspaceId: string, id: string): Promise<void> {
    await this.changed(workspaceId, id, 'updated');
  }

  countEngagement(workspaceId: string): Promise<number> {
    return this.repo.countEngagement(workspaceId);
  }

  /** Every identity of the workspace, read in keyset batches. */
  async allIdentities(workspaceId: string, batch = 2_000): Promise<IdentityEntity[]> {
    const all: IdentityEntity[] = [];
    for (;;) {
      const rows = await this.repo.batch(workspaceId, all.length ? all[all.length - 1].id : null, batch);
      all.push(...rows);
      if (rows.length < batch) return all;
    }
  }

  activeIdentities(workspaceId: string, limit = 10_000): Promise<IdentityEntity[]> {
    return this.repo.activeIds(workspaceId, limit);
  }
}
