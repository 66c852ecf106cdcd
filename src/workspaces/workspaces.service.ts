import { Injectable } from '@nestjs/common';
import { ApiError } from '../common/errors/api-error.js';
import { generateApiKey, hashApiKey } from '../common/auth/key-hash.js';
import { PgEventsService } from '../database/pg-events.service.js';
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
    created_at: ws.createdAt.toISOString(),
  };
}

@Injectable()
export class WorkspacesService {
  constructor(
    private readonly repo: WorkspacesRepository,
    private readonly keys: ApiKeysService,
    private readonly events: PgEventsService,
  ) {}

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
    const patch: Partial<Pick<WorkspaceEntity, 'monthlyCredits' | 'customLimits'>> = {};
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
