import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { type EntityManager, Repository } from 'typeorm';
import { type IdentityMode, type IdentityStatus } from './identity.js';
import { IdentityEntity } from './identity.entity.js';

/** The warm-up ramp's state that pushback changes (freeze, restart). */
export interface WarmupFields {
  warmupStartedAt: Date;
  warmupFrozenFrom: Date | null;
  warmupFrozenUntil: Date | null;
  warmupRestartFactor: number | null;
}

export interface IdentityListFilter {
  mode?: IdentityMode;
  status?: IdentityStatus;
  afterId?: string;
  limit: number;
}

@Injectable()
export class IdentitiesRepository {
  constructor(@InjectRepository(IdentityEntity) private readonly repo: Repository<IdentityEntity>) {}

  create(values: Partial<IdentityEntity>): Promise<IdentityEntity> {
    return this.repo.save(this.repo.create(values));
  }

  findInWorkspace(workspaceId: string, id: string): Promise<IdentityEntity | null> {
    return this.repo.findOneBy({ workspaceId, id });
  }

  /** Keyset paging on id: stable under inserts and deletes, no OFFSET scans. */
  async page(workspaceId: string, f: IdentityListFilter): Promise<IdentityEntity[]> {
    const q = this.repo.createQueryBuilder('i').where('i.workspace_id = :workspaceId', { workspaceId }).orderBy('i.id', 'ASC').limit(f.limit);
    if (f.mode) q.andWhere('i.mode = :mode', { mode: f.mode });
    if (f.status) q.andWhere('i.status = :status', { status: f.status });
    if (f.afterId) q.andWhere('i.id > :afterId', { afterId: f.afterId });
    return q.getMany();
  }

  async update(workspaceId: string, id: string, patch: Partial<IdentityEntity>): Promise<IdentityEntity | null> {
    if (Object.keys(patch).length) await this.repo.update({ workspaceId, id }, patch);
    return this.findInWorkspace(workspaceId, id);
  }

  async delete(workspaceId: string, id: string): Promise<boolean> {
    const r = await this.repo.delete({ workspaceId, id });
    return (r.affected ?? 0) > 0;
  }

  countEngagement(workspaceId: string): Promise<number> {
    return this.repo.countBy({ workspaceId, mode: 'engagement' });
  }

  /** A workspace's identities after `afterId` in id order, active or not (the dashboard's batches). */
  batch(workspaceId: string, afterId: string | null, limit: number): Promise<IdentityEntity[]> {
    const q = this.repo.createQueryBuilder('i').where('i.workspace_id = :workspaceId', { workspaceId }).orderBy('i.id', 'ASC').limit(limit);
    if (afterId) q.andWhere('i.id > :afterId', { afterId });
    return q.getMany();
  }

  activeIds(workspaceId: string, limit: number): Promise<IdentityEntity[]> {
    return this.repo.find({ where: { workspaceId, status: 'active' }, order: { id: 'ASC' }, take: limit });
  }

  /** Reads the warm-up fields and locks the row for the caller's transaction (null: no such identity). */
  async lockWarmup(m: EntityManager, workspaceId: string, id: string): Promise<WarmupFields | null> {
    const rows: Record<string, any>[] = await m.query(
      `select warmup_started_at, warmup_frozen_from, warmup_frozen_until, warmup_restart_factor
       from identities where workspace_id = $1 and id = $2 for update`,
      [workspaceId, id],
    );
    if (!rows.length) return null;
    const r = rows[0];
    return {
      warmupStartedAt: new Date(r.warmup_started_at),
      warmupFrozenFrom: r.warmup_frozen_from ? new Date(r.warmup_frozen_from) : null,
      warmupFrozenUntil: r.warmup_frozen_until ? new Date(r.warmup_frozen_until) : null,
      warmupRestartFactor: r.warmup_restart_factor,
    };
  }

  async saveWarmup(m: EntityManager, workspaceId: string, id: string, w: WarmupFields): Promise<void> {
    await m.query(
      `update identities set warmup_started_at = $3, warmup_frozen_from = $4, warmup_frozen_until = $5,
              warmup_restart_factor = $6, updated_at = now()
       where workspace_id = $1 and id = $2`,
      [workspaceId, id, w.warmupStartedAt, w.warmupFrozenFrom, w.warmupFrozenUntil, w.warmupRestartFactor],
    );
  }
}
