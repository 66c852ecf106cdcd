import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { type IdentityRef } from './cooldowns.repository.js';
import { type ClassifiedErrorView } from './cooldown.types.js';

export function toClassifiedErrorView(r: Record<string, any>): ClassifiedErrorView {
  return {
    id: String(r.id),
    action_slug: r.action_slug,
    action_id: r.action_id,
    type: r.type,
    status_code: r.status_code,
    error_label: r.error_label,
    origin: r.origin,
    signal: r.signal,
    retry_after_seconds: r.retry_after_seconds,
    strike: r.strike,
    cooldown_id: r.cooldown_id,
    occurred_at: new Date(r.occurred_at).toISOString(),
  };
}

/** Reads of the classified error log; rows are written with their cooldown (CooldownTx). */
@Injectable()
export class ClassifiedErrorsRepository {
  constructor(private readonly ds: DataSource) {}

  async recentErrorsOf(ref: IdentityRef, limit: number): Promise<ClassifiedErrorView[]> {
    const rows: Record<string, any>[] = await this.ds.query(
      `select id::text, action_slug, action_id, type, status_code, error_label, origin, signal, retry_after_seconds, strike,
              cooldown_id, occurred_at
       from classified_errors where workspace_id = $1 and identity_id = $2
       order by occurred_at desc, id desc limit $3`,
      [ref.workspaceId, ref.identityId, limit],
    );
    return rows.map(toClassifiedErrorView);
  }

  /** Keeps the log bounded; the policy looks back far less than the retention. */
  async pruneOlderThan(cutoff: Date, batch = 10_000): Promise<number> {
    const rows: unknown[] = await this.ds.query(
      `with gone as (
         delete from classified_errors where id in (select id from classified_errors where occurred_at < $1 limit $2) returning 1)
       select 1 from gone`,
      [cutoff, batch],
    );
    return rows.length;
  }
}
