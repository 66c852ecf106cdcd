import { Injectable } from '@nestjs/common';
import { ApiLimitsService } from '../api-limits/api-limits.service.js';
import { type DashboardQuery, type DashboardResponse } from './dashboard.dto.js';
import { OverviewSnapshotService } from './overview-snapshot.service.js';

/**
 * GET /v1/dashboard: the tier card (tiers from the cached effective limits, today's usage live) and
 * one page of the risk-sorted overview (snapshot). No SQL on a page.
 */
@Injectable()
export class DashboardService {
  constructor(
    private readonly snapshots: OverviewSnapshotService,
    private readonly apiLimits: ApiLimitsService,
  ) {}

  async overview(workspaceId: string, q: DashboardQuery): Promise<DashboardResponse> {
    const [page, limits, usage] = await Promise.all([
      this.snapshots.page(workspaceId, { limit: q.limit ?? 50, cursor: q.cursor, status: q.status }),
      this.apiLimits.limitsFor(workspaceId),
      this.apiLimits.usageToday(workspaceId),
    ]);
    const daily = limits.daily_api_limit.value;
    return {
      workspace: { id: page.meta.workspace.id, name: page.meta.workspace.name },
      tier: {
        plan_tier: limits.plan_tier,
        monthly_credits: page.meta.workspace.monthly_credits,
        engagement_tier: limits.engagement_tier,
        engagement_identities: limits.engagement_identities,
        daily_api_limit: daily,
        daily_used: usage.daily_estimate,
        daily_remaining: Math.max(0, daily - usage.daily_estimate),
        daily_usage: daily > 0 ? Math.round((usage.daily_estimate / daily) * 10_000) / 10_000 : 0,
      },
      counts: page.meta.counts,
      generated_at: new Date(page.meta.built_at).toISOString(),
      refresh_seconds: this.snapshots.refreshSeconds,
      identities: page.rows,
      next_cursor: page.nextCursor,
    };
  }
}
