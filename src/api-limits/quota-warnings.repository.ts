import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';

/** quota.warning events in the transactional outbox (delivered by the webhook dispatcher). */
@Injectable()
export class QuotaWarningsRepository {
  constructor(private readonly ds: DataSource) {}

  /**
   * At most one a UTC day per workspace: the crossing itself is seen by exactly one request (the
   * Lua take is atomic), and the sliding estimate may cross again as it decays, hence the check.
   */
  async recordOncePerDay(workspaceId: string, payload: Record<string, unknown>, at: Date): Promise<boolean> {
    const [, count]: [unknown, number] = await this.ds.query(
      `insert into outbox_events (workspace_id, type, payload, created_at)
       select $1, 'quota.warning', $2, $3
        where not exists (
          select 1 from outbox_events
           where workspace_id = $1 and type = 'quota.warning'
             and created_at >= date_trunc('day', $3::timestamptz at time zone 'UTC') at time zone 'UTC')`,
      [workspaceId, payload, at],
    );
    return count > 0;
  }
}
