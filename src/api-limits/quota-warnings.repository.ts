import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { writeOutboxEvents } from '../database/outbox.js';

/** quota.warning events in the transactional outbox (delivered by the webhook dispatcher). */
@Injectable()
export class QuotaWarningsRepository {
  constructor(private readonly ds: DataSource) {}

  /**
   * At most one a UTC day per workspace: the crossing itself is seen by exactly one request (the
   * Lua take is atomic), and the sliding estimate may cross again as it decays, hence the check.
   */
  async recordOncePerDay(workspaceId: string, payload: Record<string, unknown>, at: Date): Promise<boolean> {
    const startOfUtcDay = new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth(), at.getUTCDate()));
    const written = await writeOutboxEvents(this.ds, [{ workspaceId, identityId: null, type: 'quota.warning', payload, createdAt: at }], {
      onlyIfNoneOfTypeSince: startOfUtcDay,
    });
    return written.length > 0;
  }
}
