import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { DataSource, IsNull, Repository } from 'typeorm';
import { ApiKeyEntity } from './api-key.entity.js';
import { WorkspaceEntity } from './workspace.entity.js';

@Injectable()
export class WorkspacesRepository {
  constructor(
    @InjectRepository(WorkspaceEntity) private readonly workspaces: Repository<WorkspaceEntity>,
    @InjectRepository(ApiKeyEntity) private readonly keys: Repository<ApiKeyEntity>,
    private readonly ds: DataSource,
  ) {}

  /** Creates the workspace and its first key in one transaction: no workspace without a key. */
  async createWithKey(name: string, monthlyCredits: number, keyHash: string, keyPrefix: string) {
    return this.ds.transaction(async (m) => {
      const ws = await m.save(m.create(WorkspaceEntity, { name, monthlyCredits, customLimits: null }));
      const key = await m.save(m.create(ApiKeyEntity, { workspaceId: ws.id, keyHash, keyPrefix, name: null, revokedAt: null }));
      return { workspace: ws, key };
    });
  }

  findById(id: string): Promise<WorkspaceEntity | null> {
    return this.workspaces.findOneBy({ id });
  }

  async update(id: string, patch: Partial<Pick<WorkspaceEntity, 'monthlyCredits' | 'customLimits'>>): Promise<WorkspaceEntity | null> {
    if (Object.keys(patch).length) await this.workspaces.update({ id }, patch as never);
    return this.findById(id);
  }

  addKey(workspaceId: string, keyHash: string, keyPrefix: string, name: string | null): Promise<ApiKeyEntity> {
    return this.keys.save(this.keys.create({ workspaceId, keyHash, keyPrefix, name, revokedAt: null }));
  }

  /** Every key of the workspace, revoked ones included, oldest first. */
  keysOf(workspaceId: string): Promise<ApiKeyEntity[]> {
    return this.keys.find({ where: { workspaceId }, order: { createdAt: 'ASC', id: 'ASC' } });
  }

  /**
   * Stamps a key's last use unless it was stamped in the last minute. The condition makes the
   * minute hold across instances: a second instance's call within it matches no row and writes nothing.
   */
  async touchKey(keyId: string): Promise<void> {
    await this.ds.query(
      `update api_keys set last_used_at = now()
        where id = $1 and (last_used_at is null or last_used_at < now() - interval '1 minute')`,
      [keyId],
    );
  }

  /** Returns the revoked key's hash (for cache eviction), or null when no such active key. */
  async revokeKey(workspaceId: string, keyId: string): Promise<string | null> {
    // TypeORM's postgres driver answers UPDATE … RETURNING with [rows, affectedCount].
    const [rows]: [{ key_hash: string }[], number] = await this.ds.query(
      `update api_keys set revoked_at = now()
        where id = $1 and workspace_id = $2 and revoked_at is null
        returning key_hash`,
      [keyId, workspaceId],
    );
    return rows[0]?.key_hash ?? null;
  }

  activeKeyByHash(keyHash: string): Promise<ApiKeyEntity | null> {
    return this.keys.findOneBy({ keyHash, revokedAt: IsNull() });
  }

  keyExists(workspaceId: string, keyId: string): Promise<boolean> {
    return this.keys.existsBy({ id: keyId, workspaceId });
  }
}
