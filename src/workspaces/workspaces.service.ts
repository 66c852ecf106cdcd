import { Injectable, type OnModuleInit } from '@nestjs/common';
import { LRUCache } from 'lru-cache';
import { ApiError } from '../common/errors/api-error.js';
import { storeOfError } from '../common/errors/store-errors.js';
import { generateApiKey, hashApiKey } from '../common/auth/key-hash.js';
import { PgEventsService } from '../database/pg-events.service.js';
import { normalizeSchedule, type Schedule } from '../pacing/schedule.js';
import { customLimitsSchema } from '../tiers/effective-limits.js';
import { planTierFor } from '../tiers/tier-resolution.js';
import { ApiKeysService } from './api-keys.service.js';
import { type WorkspaceEntity } from './workspace.entity.js';
import { type ApiKeyResponse, type UpdateWorkspaceDto, type WorkspaceResponse } from './workspaces.dto.js';
import { WorkspacesRepository } from './workspaces.repository.js';
import { isUuid } from '../common/validation/uuid.js';

export function toWorkspaceResponse(ws: WorkspaceEntity): WorkspaceResponse {
  return {
    id: ws.id,
    name: ws.name,
    monthly_credits: ws.monthlyCredits,
    plan_tier: planTierFor(ws.monthlyCredits).name,
    custom_limits: ws.customLimits,
    schedule: ws.schedule ?? null,
    created_at: ws.createdAt.toISOString(),
  };
}

const SCHEDULE_CACHE_MS = 5_000;

@Injectable()
export class WorkspacesService implements OnModuleInit {
  private readonly schedules = new LRUCache<string, { schedule: Promise<Schedule | null> }>({
    max: 100_000,
    ttl: SCHEDULE_CACHE_MS,
    noDeleteOnStaleGet: true,
  });

  constructor(
    private readonly repo: WorkspacesRepository,
    private readonly keys: ApiKeysService,
    private readonly events: PgEventsService,
  ) {}

  onModuleInit(): void {
    this.events.subscribe('workspace.changed', (ws) => this.schedules.delete(ws));
    this.events.subscribe('reconnect', () => this.schedules.clear());
  }

  /**
   * The workspace's default schedule for the guard's hot path: cached a few seconds, dropped at once
   * on change (here and, through NOTIFY, on every instance); the last copy serves while PostgreSQL
   * is down.
   */
  async defaultSchedule(workspaceId: string): Promise<Schedule | null> {
    const fresh = this.schedules.get(workspaceId);
    if (fresh) return fresh.schedule;
    const hit = this.schedules.get(workspaceId, { allowStale: true });
    const schedule = this.get(workspaceId).then((w) => w.schedule ?? null);
    this.schedules.set(workspaceId, { schedule });
    try {
      return await schedule;
    } catch (e) {
      // PostgreSQL down: keep the last copy, and look again in a second (a bug is not hidden by it).
      if (hit && storeOfError(e) === 'postgres') {
        this.schedules.set(workspaceId, hit, { ttl: 1_000 });
        return hit.schedule;
      }
      this.schedules.delete(workspaceId);
      throw e;
    }
  }

  async create(name: string, monthlyCredits: number) {
    const apiKey = generateApiKey('live');
    const { workspace } = await this.repo.createWithKey(name, monthlyCredits, hashApiKey(apiKey), apiKey.slice(0, 12));
    return { ...toWorkspaceResponse(workspace), api_key: apiKey };
  }

  async get(id: string): Promise<WorkspaceEntity> {
    if (!isUuid(id)) throw ApiError.notFound('Workspace');
    const ws = await this.repo.findById(id);
    if (!ws) throw ApiError.notFound('Workspace');
    return ws;
  }

  async update(id: string, dto: UpdateWorkspaceDto): Promise<WorkspaceEntity> {
    await this.get(id);
    const patch: Partial<Pick<WorkspaceEntity, 'monthlyCredits' | 'customLimits' | 'schedule'>> = {};
    if (dto.schedule !== undefined) patch.schedule = normalizeSchedule(dto.schedule);
    if (dto.monthly_credits !== undefined) patch.monthlyCredits = dto.monthly_credits;
    if (dto.custom_limits !== undefined) {
      if (dto.custom_limits === null) patch.customLimits = null;
      else {
        const parsed = customLimitsSchema.safeParse(dto.custom_limits);
        if (!parsed.success) {
          const details: Record<string, string[]> = {};
          for (const i of parsed.error.issues) {
            const k = ['custom_limits', ...i.path.map(String)].join('.');
            (details[k] ??= []).push(i.message);
          }
          throw ApiError.badRequest('Invalid custom_limits', details);
        }
        patch.customLimits = parsed.data;
      }
    }
    const ws = (await this.repo.update(id, patch))!;
    this.schedules.delete(id);
    await this.events.publish('workspace.changed', id);
    return ws;
  }

  async addKey(workspaceId: string, name: string | null) {
    await this.get(workspaceId);
    const apiKey = generateApiKey('live');
    const key = await this.repo.addKey(workspaceId, hashApiKey(apiKey), apiKey.slice(0, 12), name);
    return { id: key.id, name: key.name, api_key: apiKey };
  }

  async listKeys(workspaceId: string): Promise<ApiKeyResponse[]> {
    await this.get(workspaceId);
    return (await this.repo.keysOf(workspaceId)).map((k) => ({
      id: k.id,
      name: k.name,
      prefix: k.keyPrefix,
      created_at: k.createdAt.toISOString(),
      last_used_at: k.lastUsedAt?.toISOString() ?? null,
      revoked_at: k.revokedAt?.toISOString() ?? null,
    }));
  }

  async revokeKey(workspaceId: string, keyId: string): Promise<void> {
    await this.get(workspaceId);
    if (!isUuid(keyId) || !(await this.keys.revoke(workspaceId, keyId))) {
      if (isUuid(keyId) && (await this.repo.keyExists(workspaceId, keyId))) return; // already revoked: idempotent
      throw ApiError.notFound('API key');
    }
  }
}
