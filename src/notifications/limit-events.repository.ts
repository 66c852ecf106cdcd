import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { writeOutboxEvents } from '../database/outbox.js';
import { type LimitCrossing } from '../smart-limits/guard-events.js';

/** Limit crossings as outbox events (limit.warning / limit.reached); the outbox trigger fans them out. */
@Injectable()
export class LimitEventsRepository {
  constructor(private readonly ds: DataSource) {}

  async recordLimitCrossings(crossings: LimitCrossing[]): Promise<void> {
    // One statement: the crossings of one guard call are recorded together or not at all.
    await writeOutboxEvents(
      this.ds,
      crossings.map((c) => ({
        workspaceId: c.workspaceId,
        identityId: c.identityId,
        type: c.threshold === 'reached' ? 'limit.reached' : 'limit.warning',
        payload: { identity_id: c.identityId, action: c.action, limit: c.limit, consumed: c.consumed, max: c.max, at: c.at.toISOString() },
        createdAt: c.at,
      })),
    );
  }
}
