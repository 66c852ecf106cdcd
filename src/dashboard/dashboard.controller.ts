import { Controller, Get, Param, Query, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { WorkspaceId } from '../common/auth/auth-context.js';
import { WorkspaceAuthGuard } from '../workspaces/workspace-auth.guard.js';
import { ApiErrors } from '../common/http/api-errors.decorator.js';
import { DEFAULT_ACTIVITY_BUCKET } from './activity-options.js';
import { type ActivityResponse, ActivityQuery, type DashboardResponse, DashboardQuery, type HealthResponse } from './dashboard.dto.js';
import { ACTIVITY_SCHEMA, DASHBOARD_SCHEMA, HEALTH_SCHEMA } from './dashboard.schemas.js';
import { DashboardService } from './dashboard.service.js';
import { IdentityHealthService } from './identity-health.service.js';

@ApiTags('dashboard')
@ApiBearerAuth('workspace')
@UseGuards(WorkspaceAuthGuard)
@Controller('v1')
export class DashboardController {
  constructor(
    private readonly health: IdentityHealthService,
    private readonly dashboard: DashboardService,
  ) {}

  @Get('identities/:identityId/health')
  @ApiOperation({
    operationId: 'getIdentityHealth',
    summary: "An identity's health: status and why, every limit's usage and available_at, cooldowns, recent errors, warm-up",
    description:
      'status: restricted (RESTRICTED or CHALLENGE cooldown running) > at_risk (3+ cooldowns in 7 days, or an escalated one) > ' +
      'cooldown (any running) > warning (a limit at ≥ 80 %) > warming_up (ramp below full speed) > healthy.',
  })
  @ApiOkResponse({ schema: HEALTH_SCHEMA })
  @ApiErrors(401, 404, 429, 503)
  identityHealth(@WorkspaceId() ws: string, @Param('identityId') id: string): Promise<HealthResponse> {
    return this.health.health(ws, id);
  }

  @Get('identities/:identityId/activity')
  @ApiOperation({
    operationId: 'getIdentityActivity',
    summary: 'Units recorded per limit per bucket (window 24h, 7d, 30d or 90d)',
    description:
      "24h and 7d are counted in the Redis windows (live; null for buckets before a limit's own window); 30d and 90d in the PostgreSQL journal " +
      '(every limit over the whole span, up to JOURNAL_FLUSH_MS behind; null before the retention). source says which answered.',
  })
  @ApiOkResponse({ schema: ACTIVITY_SCHEMA })
  @ApiErrors(400, 401, 404, 429, 503)
  activity(@WorkspaceId() ws: string, @Param('identityId') id: string, @Query() q: ActivityQuery): Promise<ActivityResponse> {
    const window = q.window ?? '24h';
    return this.health.activity(ws, id, window, q.bucket ?? DEFAULT_ACTIVITY_BUCKET[window]);
  }

  @Get('dashboard')
  @ApiOperation({
    operationId: 'getDashboard',
    summary: 'Workspace overview: tier card, counts by status, identities sorted by risk (keyset paged; filter by status)',
    description: 'Served from a snapshot at most DASHBOARD_REFRESH_SECONDS old (generated_at says when it was taken).',
  })
  @ApiOkResponse({ schema: DASHBOARD_SCHEMA })
  @ApiErrors(400, 401, 429, 503)
  overview(@WorkspaceId() ws: string, @Query() q: DashboardQuery): Promise<DashboardResponse> {
    return this.dashboard.overview(ws, q);
  }
}
