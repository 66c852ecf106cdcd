import { Controller, Get, Header, Inject, Res } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import { type FastifyReply } from 'fastify';
import { DataSource } from 'typeorm';
import { ApiErrors, ApiPublic } from '../common/http/api-errors.decorator.js';
import { errorEnvelope } from '../common/errors/error-envelope.js';
import { REDIS_CLIENT, type RedisClient } from '../redis/redis.tokens.js';
import { MetricsService } from './metrics.service.js';

function within<T>(p: Promise<T>, ms: number): Promise<T> {
  return Promise.race([p, new Promise<T>((_, rej) => setTimeout(() => rej(new Error(`timed out after ${ms} ms`)), ms))]);
}

const CHECKS_SCHEMA = {
  type: 'object',
  required: ['redis', 'database'],
  properties: {
    redis: { type: 'string', description: 'up, or down: <why>', example: 'up' },
    database: { type: 'string', description: 'up, or down: <why>', example: 'up' },
  },
};

const READY_SCHEMA = {
  type: 'object',
  required: ['status', 'checks'],
  properties: { status: { type: 'string', enum: ['ready'] }, checks: CHECKS_SCHEMA },
};

@ApiTags('operations')
@ApiPublic()
@Controller()
export class HealthController {
  constructor(
    @Inject(REDIS_CLIENT) private readonly redis: RedisClient,
    private readonly ds: DataSource,
    private readonly metrics: MetricsService,
  ) {}

  @Get('health/live')
  @ApiOperation({ operationId: 'getLiveness', summary: 'Liveness: the process answers' })
  @ApiOkResponse({
    schema: { type: 'object', required: ['status'], properties: { status: { type: 'string', enum: ['ok'] } } },
  })
  live() {
    return { status: 'ok' };
  }

  @Get('health/ready')
  @ApiOperation({ operationId: 'getReadiness', summary: 'Readiness: Redis and PostgreSQL answer within 1 s' })
  @ApiOkResponse({ schema: READY_SCHEMA })
  @ApiErrors({
    status: 503,
    description: 'STORE_UNAVAILABLE: Redis or PostgreSQL does not answer (details.checks says which and why)',
  })
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
  @ApiOperation({ operationId: 'getMetrics', summary: 'Prometheus metrics (text exposition format 0.0.4)' })
  @ApiProduces('text/plain')
  @ApiOkResponse({ schema: { type: 'string' } })
  @Header('Content-Type', 'text/plain; version=0.0.4; charset=utf-8')
  async prometheus(): Promise<string> {
    return this.metrics.registry.metrics();
  }
}
