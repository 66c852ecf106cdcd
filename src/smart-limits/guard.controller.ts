import { Body, Controller, Get, HttpCode, Param, Post, Query, Res, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { type FastifyReply } from 'fastify';
import { ApiLimitInScript } from '../api-limits/api-limit.interceptor.js';
import { WorkspaceId } from '../common/auth/auth-context.js';
import { WorkspaceAuthGuard } from '../workspaces/workspace-auth.guard.js';
import { ApiErrors, ERROR_ENVELOPE_REF } from '../common/http/api-errors.decorator.js';
import { AutoGuardService } from './auto-guard.service.js';
import { guardHeaders, limitHeaders, refusalError } from './guard-http.js';
import {
  AutoGuardDto,
  EdgesLimitsResponse,
  GuardDto,
  GuardResponse,
  NextResponse,
  ReleaseDto,
  ReleaseResponse,
  ScheduleQueryDto,
  ScheduleResponse,
} from './guard.dto.js';
import { GuardService } from './guard.service.js';
import { scheduleFields } from './schedule-fields.js';
import { LimitsReadService } from './limits-read.service.js';

const REFUSALS = {
  status: 429,
  description:
    'LIMIT_REACHED (Retry-After until enough of the oldest actions leave the window, details.available_at; details.rule window, or for invitations pending_invitations / acceptance_rate with available_at null and no Retry-After), ' +
    'COOLDOWN (Retry-After until it ends; none when a person must clear it) or REINVITE_TOO_SOON (the target was withdrawn under 21 days ago; details.available_at when it may be sent). ' +
    'In schedule mode ("when": "earliest") only when no time fits before not_after, a cooldown a person must clear blocks it, or an invitation rule that never frees by time does',
  schema: ERROR_ENVELOPE_REF,
};

@ApiTags('smart-limits')
@ApiBearerAuth('workspace')
@UseGuards(WorkspaceAuthGuard)
@Controller('v1')
export class GuardController {
  constructor(
    private readonly guard: GuardService,
    private readonly auto: AutoGuardService,
    private readonly reads: LimitsReadService,
  ) {}

  @Post('identities/:identityId/actions/:actionSlug/guard')
  @HttpCode(200)
  @ApiLimitInScript()
  @ApiOperation({ operationId: 'guardAction', summary: 'Pre-action guard: check every limit the action consumes and record it atomically' })
  @ApiOkResponse({ type: GuardResponse })
  @ApiResponse(REFUSALS)
  @ApiErrors(
    400,
    401,
    403,
    404,
    {
      status: 409,
      description:
        "IDENTITY_PAUSED: the identity is paused (no Retry-After: a person resumes it); ALREADY_INVITED: the target's invitation is pending or accepted (details.target, details.status)",
    },
    413,
    503,
  )
  async check(
    @WorkspaceId() ws: string,
    @Param('identityId') identityId: string,
    @Param('actionSlug') actionSlug: string,
    @Body() dto: GuardDto,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<GuardResponse> {
    const outcome = await this.guard.guard({
      workspaceId: ws,
      identityId,
      actionSlug,
      actionId: dto.action_id,
      cost: dto.cost ?? 1,
      dryRun: dto.dry_run ?? false,
      occurredAt: dto.occurred_at ? new Date(dto.occurred_at) : undefined,
      target: dto.target,
      ...scheduleFields(dto),
    });
    if (outcome.kind !== 'allowed') {
      // The API limit was counted in the same script: its fields go on the refusal too; a Smart Limit
      // refusal's own X-RateLimit trio (set by the error) then names the limit that decided.
      if (outcome.api && outcome.kind !== 'api_limited') void reply.headers(guardHeaders(outcome, null));
      throw refusalError(outcome, identityId, actionSlug);
    }
    void reply.headers(guardHeaders(outcome, outcome.tightest));
    return outcome.response;
  }

  @Post('identities/:identityId/actions/:actionSlug/release')
  @HttpCode(200)
  @ApiOperation({ operationId: 'releaseAction', summary: 'Release a recorded action that was not performed; its slots free at once' })
  @ApiOkResponse({ type: ReleaseResponse })
  @ApiErrors(400, 401, 404, 503)
  async release(
    @WorkspaceId() ws: string,
    @Param('identityId') identityId: string,
    @Param('actionSlug') actionSlug: string,
    @Body() dto: ReleaseDto,
  ): Promise<ReleaseResponse> {
    return { released: await this.guard.release(ws, identityId, actionSlug, dto.action_id) };
  }

  @Post('actions/:actionSlug/guard')
  @HttpCode(200)
  @ApiLimitInScript()
  @ApiOperation({
    operationId: 'autoGuardAction',
    summary: 'Auto mode: pick the identity with most headroom that is not cooling down, and record on it',
  })
  @ApiOkResponse({ type: GuardResponse })
  @ApiResponse(REFUSALS)
  @ApiErrors(
    400,
    401,
    { status: 403, description: 'NO_VALID_ACCOUNT_CONFIGURED: no active identity of the pool can perform this action' },
    404,
    { status: 409, description: 'IDENTITY_PAUSED: every identity of the pool that could perform it is paused' },
    503,
  )
  async autoGuard(
    @WorkspaceId() ws: string,
    @Param('actionSlug') actionSlug: string,
    @Body() dto: AutoGuardDto,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<GuardResponse> {
    const r = await this.auto.pick(ws, actionSlug, dto);
    void reply.headers(r.outcome ? guardHeaders(r.outcome, r.tightest) : limitHeaders(r.tightest));
    return r.response;
  }

  @Get('identities/:identityId/actions/:actionSlug/limits')
  @ApiOperation({ operationId: 'getActionLimits', summary: "An action's limits for an identity (Edges shape)" })
  @ApiOkResponse({ type: EdgesLimitsResponse })
  @ApiErrors(401, 403, 404, 503)
  actionLimits(
    @WorkspaceId() ws: string,
    @Param('identityId') identityId: string,
    @Param('actionSlug') actionSlug: string,
  ): Promise<EdgesLimitsResponse> {
    return this.reads.forAction(ws, identityId, actionSlug);
  }

  @Get('identities/:identityId/actions/:actionSlug/next')
  @ApiOperation({
    operationId: 'getNextAllowed',
    summary: 'When the action may run: the earliest time it passes every rule at once, and every rule that refuses now (no guard call)',
  })
  @ApiOkResponse({ type: NextResponse })
  @ApiErrors(401, 403, 404, 503)
  next(@WorkspaceId() ws: string, @Param('identityId') identityId: string, @Param('actionSlug') actionSlug: string): Promise<NextResponse> {
    return this.guard.next(ws, identityId, actionSlug);
  }

  @Get('identities/:identityId/schedule')
  @ApiOperation({
    operationId: 'getIdentitySchedule',
    summary: "An identity's planned actions (schedule mode), earliest first: from (default now) up to to (default: no end), at most 1000",
  })
  @ApiOkResponse({ type: ScheduleResponse })
  @ApiErrors(400, 401, 404, 503)
  schedule(@WorkspaceId() ws: string, @Param('identityId') identityId: string, @Query() q: ScheduleQueryDto): Promise<ScheduleResponse> {
    return this.guard.listSchedule(ws, identityId, q.from ? new Date(q.from) : undefined, q.to ? new Date(q.to) : undefined);
  }

  @Get('identities/:identityId/limits')
  @ApiOperation({ operationId: 'getIdentityLimits', summary: 'Every limit of an identity (Edges shape)' })
  @ApiOkResponse({ type: EdgesLimitsResponse })
  @ApiErrors(401, 404, 503)
  identityLimits(@WorkspaceId() ws: string, @Param('identityId') identityId: string): Promise<EdgesLimitsResponse> {
    return this.reads.forIdentity(ws, identityId);
  }
}
