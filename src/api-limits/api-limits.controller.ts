import { Body, Controller, Get, HttpCode, Patch, Post, Res, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { type FastifyReply } from 'fastify';
import { WorkspaceId } from '../common/auth/auth-context.js';
import { WorkspaceAuthGuard } from '../workspaces/workspace-auth.guard.js';
import { ApiErrors } from '../common/http/api-errors.decorator.js';
import { effectiveLimits } from '../tiers/effective-limits.js';
import { UpdateOwnWorkspaceDto } from '../workspaces/workspaces.dto.js';
import { WorkspacesService } from '../workspaces/workspaces.service.js';
import { ApiLimitsService } from './api-limits.service.js';
import { RateLimitCheckDto } from './api-limits.dto.js';
import { CURRENT_WORKSPACE_SCHEMA, RATE_LIMIT_CHECK_SCHEMA } from './api-limits.schemas.js';
import { ApiLimitInScript } from './api-limit-counter.js';
import { apiLimitHeaders, apiLimitRefusal } from './rate-limit-http.js';

export const SEED_429 = {
  status: 429,
  description:
    'Over a workspace API limit: the seed\'s body ({"error": {"code", "status", "details": {Retry-After, X-RateLimit-Limit, X-RateLimit-Reset, X-RateLimit-Type}, "message"}})',
};

@ApiTags('workspace')
@ApiBearerAuth('workspace')
@UseGuards(WorkspaceAuthGuard)
@Controller('v1')
export class ApiLimitsController {
  constructor(
    private readonly limits: ApiLimitsService,
    private readonly workspaces: WorkspacesService,
  ) {}

  @Get('workspace')
  @ApiOperation({ operationId: 'getCurrentWorkspace', summary: "The workspace, its tiers, effective limits with their sources, and today's usage" })
  @ApiOkResponse({ schema: CURRENT_WORKSPACE_SCHEMA })
  @ApiResponse(SEED_429)
  @ApiErrors(401)
  async workspace(@WorkspaceId() ws: string) {
    return this.describe(ws);
  }

  @Patch('workspace')
  @ApiOperation({
    operationId: 'updateCurrentWorkspace',
    summary: "Change the workspace's own settings: its identities' default working hours (schedule)",
  })
  @ApiOkResponse({ schema: CURRENT_WORKSPACE_SCHEMA })
  @ApiResponse(SEED_429)
  @ApiErrors(400, 401, 413)
  async updateWorkspace(@WorkspaceId() ws: string, @Body() dto: UpdateOwnWorkspaceDto) {
    if (dto.schedule !== undefined) await this.workspaces.update(ws, { schedule: dto.schedule });
    this.limits.invalidate(ws);
    return this.describe(ws);
  }

  private async describe(ws: string) {
    const [w, limits, usage] = await Promise.all([this.workspaces.get(ws), this.limits.limitsFor(ws), this.limits.usageToday(ws)]);
    const shown = effectiveLimits(w.monthlyCredits, limits.engagement_identities, w.customLimits as never);
    return {
      workspace: { id: w.id, name: w.name, monthly_credits: w.monthlyCredits, custom_limits: w.customLimits, schedule: w.schedule ?? null },
      plan_tier: shown.plan_tier,
      engagement_identities: limits.engagement_identities,
      engagement_tier: shown.engagement_tier,
      limits: {
        ...shown.groups,
        concurrent_runs: shown.concurrent_runs,
        batches_per_run: shown.batches_per_run,
        daily_api_limit: shown.daily_api_limit,
      },
      usage: {
        requests_today: usage.requests_today,
        daily_api_limit: shown.daily_api_limit.value,
        daily_used_estimate: usage.daily_estimate,
        daily_remaining: Math.max(0, shown.daily_api_limit.value - usage.daily_estimate),
        daily_window: 'sliding 24 h (today + the part of yesterday still inside it)',
      },
    };
  }

  @Post('ratelimit/check')
  @HttpCode(200)
  @ApiLimitInScript()
  @ApiOperation({ operationId: 'checkRateLimit', summary: 'Apply the workspace API limits to an endpoint served elsewhere (e.g. /v1/runs/outputs)' })
  @ApiOkResponse({ schema: RATE_LIMIT_CHECK_SCHEMA })
  @ApiResponse(SEED_429)
  @ApiErrors(400, 401)
  async check(@WorkspaceId() ws: string, @Body() dto: RateLimitCheckDto, @Res({ passthrough: true }) reply: FastifyReply) {
    const { take, limits, nowMs } = await this.limits.take(ws, dto.endpoint, dto.cost ?? 1);
    if (!take.ok) throw apiLimitRefusal(dto.endpoint, limits, take, nowMs);
    const headers = apiLimitHeaders(dto.endpoint, limits, take, nowMs);
    void reply.headers(headers);
    return {
      allowed: true,
      endpoint: dto.endpoint,
      limit: limits.groups[dto.endpoint].per_minute,
      remaining: Math.max(0, take.minuteRemaining),
      reset: Number(headers['X-RateLimit-Reset']),
      daily_remaining: take.dailyRemaining >= 0 ? take.dailyRemaining : null,
    };
  }
}
