import { Body, Controller, Delete, HttpCode, Inject, Param, Post, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { WorkspaceId } from '../common/auth/auth-context.js';
import { WorkspaceAuthGuard } from '../workspaces/workspace-auth.guard.js';
import { Clock } from '../common/clock.js';
import { ApiError } from '../common/errors/api-error.js';
import { ApiErrors } from '../common/http/api-errors.decorator.js';
import { RedisKeys } from '../redis/redis-keys.js';
import { REDIS_CLIENT, type RedisClient } from '../redis/redis.tokens.js';
import { ApiLimitsService } from './api-limits.service.js';
import { RUN_LEASE_SCRIPT, type RunLeaseOp, type RunLeaseReply } from './run-lease.script.js';
import { HeartbeatDto, RunLeaseResponse, TakeRunDto } from './runs.dto.js';

const DEFAULT_LEASE_S = 60;

/** Concurrent-run slots (SPEC §6): leases with a TTL, renewed by heartbeats, freed or expired. */
@ApiTags('runs')
@ApiBearerAuth('workspace')
@UseGuards(WorkspaceAuthGuard)
@Controller('v1/runs')
export class RunsController {
  constructor(
    @Inject(REDIS_CLIENT) private readonly redis: RedisClient,
    private readonly keys: RedisKeys,
    private readonly limits: ApiLimitsService,
    private readonly clock: Clock,
  ) {
    RUN_LEASE_SCRIPT.define(redis);
  }

  /** One script call; a store failure propagates (503 by the global filter), a bad reply is a 500. */
  private lease(ws: string, op: RunLeaseOp, runId: string, leaseS: number, max: number): Promise<RunLeaseReply> {
    return RUN_LEASE_SCRIPT.run(this.redis, {
      key: this.keys.runLeases(ws),
      nowMs: this.clock.scriptNowMs(),
      op,
      runId,
      leaseMs: leaseS * 1000,
      max,
    });
  }

  @Post()
  @ApiOperation({
    operationId: 'takeRun',
    summary: "Take a concurrent-run slot (idempotent per run_id); refused over the tier's concurrent runs or batches per run",
  })
  @ApiCreatedResponse({ type: RunLeaseResponse })
  @ApiErrors(
    { status: 400, description: "VALIDATION_FAILED, or BATCHES_PER_RUN_EXCEEDED over the tier's batches per run" },
    { status: 429, description: 'CONCURRENT_RUNS_LIMIT: every concurrent-run slot is taken (Retry-After until the earliest lease ends)' },
  )
  async take(@WorkspaceId() ws: string, @Body() dto: TakeRunDto): Promise<RunLeaseResponse> {
    const limits = await this.limits.limitsFor(ws);
    const maxBatches = limits.batches_per_run.value;
    if (dto.batches > maxBatches) {
      throw new ApiError(400, 'BATCHES_PER_RUN_EXCEEDED', `At most ${maxBatches} batches per run on this workspace's tier`, {
        batches: [`must be at most ${maxBatches} (${limits.batches_per_run.source})`],
      });
    }
    const max = limits.concurrent_runs.value;
    const lease = await this.lease(ws, 'take', dto.run_id, dto.lease_seconds ?? DEFAULT_LEASE_S, max);
    if (lease.code !== 1 && lease.code !== 2) {
      const nowMs = this.clock.now().getTime();
      const retry = String(Math.max(1, Math.ceil(((lease.earliestExpiryMs ?? nowMs) - nowMs) / 1000)));
      throw new ApiError(
        429,
        'CONCURRENT_RUNS_LIMIT',
        `All ${max} concurrent-run slots are taken`,
        { concurrent_runs: max, active_runs: lease.active, 'Retry-After': retry, 'X-RateLimit-Type': 'concurrent_runs' },
        { 'Retry-After': retry },
      );
    }
    return {
      run_id: dto.run_id,
      batches: dto.batches,
      expires_at: new Date(lease.expiryMs).toISOString(),
      active_runs: lease.active,
      concurrent_runs: max,
    };
  }

  @Post(':runId/heartbeat')
  @HttpCode(200)
  @ApiOperation({ operationId: 'renewRun', summary: "Renew a run's lease" })
  @ApiBody({ type: HeartbeatDto, required: false, description: 'Optional: without a body the lease is renewed for 60 s' })
  @ApiOkResponse({ type: RunLeaseResponse })
  @ApiErrors(401, 404)
  async heartbeat(@WorkspaceId() ws: string, @Param('runId') runId: string, @Body() dto: HeartbeatDto): Promise<RunLeaseResponse> {
    const limits = await this.limits.limitsFor(ws);
    const lease = await this.lease(ws, 'renew', runId, dto.lease_seconds ?? DEFAULT_LEASE_S, limits.concurrent_runs.value);
    if (lease.code !== 1 && lease.code !== 2) throw ApiError.notFound('Run lease (expired or never taken)');
    return {
      run_id: runId,
      expires_at: new Date(lease.expiryMs).toISOString(),
      active_runs: lease.active,
      concurrent_runs: limits.concurrent_runs.value,
    };
  }

  @Delete(':runId')
  @HttpCode(204)
  @ApiOperation({ operationId: 'freeRun', summary: "Free a run's slot" })
  @ApiNoContentResponse()
  @ApiErrors(401, 404)
  async free(@WorkspaceId() ws: string, @Param('runId') runId: string): Promise<void> {
    const { code } = await this.lease(ws, 'free', runId, 0, 0);
    if (code === -1) throw ApiError.notFound('Run lease (expired or never taken)');
  }
}
