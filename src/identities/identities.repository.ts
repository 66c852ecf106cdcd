import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { IdentityEntity, type IdentityMode, type IdentityStatus } from './identity.entity.js';

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
    const q = this.repo
      .createQueryBuilder('i')
      .where('i.workspace_id = :workspaceId', { workspaceId })
      .orderBy('i.id', 'ASC')
      .limit(f.limit);
    if (f.mode) q.andWhere('i.mode = :mode', { mode: f.mode });
    if (f.status) q.andWhere('i.status = :status', { status: f.status });
    if (f.afterId) q.andWhere('i.id > :afterId', { afterId: f.afterId });
    return q.getMany();
  }

  async update(workspaceId: string, id: string, patch: Partial<IdentityEntity>): Promise<IdentityEntity | null> {
    if (Object.keys(patch).length) await this.repo.update({ workspaceId, id }, patch as never);
    return this.findInWorkspace(workspaceId, id);
  }

  async delete(workspaceId: string, id: string): Promise<boolean> {
    const r = await this.repo.delete({ workspaceId, id });
    return (r.affected ?? 0) > 0;
  }

  countEngagement(workspaceId: string): Promise<number> {
    return this.repo.countBy({ workspaceId, mode: 'engagement' });
  }

  activeIds(workspaceId: string, limit: number): Promise<IdentityEntity[]> {
    return this.repo.find({ where: { workspaceId, status: 'active' }, order: { id: 'ASC' }, take: limit });
  }
}
