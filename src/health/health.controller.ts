import { Controller, Get, Header, Inject, Res } from '@nestjs/common';
import { ApiExcludeEndpoint, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { type FastifyReply } from 'fastify';
import { DataSource } from 'typeorm';
import { ApiErrors } from '../common/http/api-errors.decorator.js';
import { errorEnvelope } from '../common/errors/error-envelope.js';
import { REDIS_CLIENT, type RedisClient } from '../redis/redis.tokens.js';
import { MetricsService } from './metrics.service.js';

function within<T>(p: Promise<T>, ms: number): Promise<T> {
  return Promise.race([p, new Promise<T>((_, rej) => setTimeout(() => rej(new Error(`timed out after ${ms} ms`)), ms))]);
}

@ApiTags('operations')
@Controller()
export class HealthController {
  constructor(
    @Inject(REDIS_CLIENT) private readonly redis: RedisClient,
    private readonly ds: DataSource,
    private readonly metrics: MetricsService,
  ) {}

  @Get('health/live')
  @ApiOperation({ summary: 'Liveness: the process answers' })
  @ApiOkResponse({ schema: { example: { status: 'ok' } } })
  live() {
    return { status: 'ok' };
  }

  @Get('health/ready')
  @ApiOperation({ summary: 'Readiness: Redis and PostgreSQL answer within 1 s' })
  @ApiOkResponse({ schema: { example: { status: 'ready', checks: { redis: 'up', database: 'up' } } } })
  @ApiErrors(503)
  async ready(@Res() reply: FastifyReply): Promise<void> {
    const [redis, database] = await Promise.all([
      within(this.redis.ping(), 1000).then(
        () => 'up',
        (e: Error) => `down: ${e.message}`,
      ),
      within(this.ds.query('select 1'), 1000).then(
        () => 'up',
        (e: Error) => `down: ${e.message}`,
      ),
    ]);
    const checks = { redis, database };
    if (redis === 'up' && database === 'up') {
      void reply.status(200).send({ status: 'ready', checks });
      return;
    }
    void reply
      .status(503)
      .header('Retry-After', '1')
      .send(errorEnvelope(503, 'STORE_UNAVAILABLE', 'Not ready: a store cannot be reached', { checks }));
  }

  @Get('metrics')
  @ApiExcludeEndpoint()
  @Header('Content-Type', 'text/plain; version=0.0.4; charset=utf-8')
  async prometheus(): Promise<string> {
    return this.metrics.registry.metrics();
  }
}
