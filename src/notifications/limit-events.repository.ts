import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { type LimitCrossing } from '../smart-limits/guard-events.js';

/** Limit crossings as outbox events (limit.warning / limit.reached); the outbox trigger fans them out. */
@Injectable()
export class LimitEventsRepository {
  constructor(private readonly ds: DataSource) {}

  async recordLimitCrossings(crossings: LimitCrossing[]): Promise<void> {
    if (!crossings.length) return;
    const values: unknown[] = [];
    const rows = crossings.map((c, i) => {
      values.push(
        c.workspaceId,
        c.threshold === 'reached' ? 'limit.reached' : 'limit.warning',
        c.identityId,
        { identity_id: c.identityId, action: c.action, limit: c.limit, consumed: c.consumed, max: c.max, at: c.at.toISOString() },
        c.at,
      );
      const p = i * 5;
      return `($${p + 1}, $${p + 2}, $${p + 3}, $${p + 4}, $${p + 5})`;
    });
    // One statement: the crossings of one guard call are recorded together or not at all.
    await this.ds.query(`insert into outbox_events (workspace_id, type, identity_id, payload, created_at) values ${rows.join(', ')}`, values);
  }
}
