import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { SwaggerModule } from '@nestjs/swagger';
import { useContainer } from 'class-validator';
import { type FastifyError, type FastifyReply, type FastifyRequest } from 'fastify';
import { Logger } from 'nestjs-pino';
import { AppModule } from './app.module.js';
import { endpointGroupFor } from './api-limits/endpoint-group.js';
import { IpLimiter } from './api-limits/ip-limiter.js';
import { type Clock } from './common/clock.js';
import { errorEnvelope } from './common/errors/error-envelope.js';
import { BootQuietLogger } from './common/logging/boot-logger.js';
import { errorLabelOf, requestIdFor } from './common/logging/logging.js';
import { buildOpenApiDocument, isUnlimitedPath, responseSerializerSchema } from './common/http/openapi.js';
import { constraintContainer, createValidationPipe } from './common/validation/validation.pipe.js';
import { type AppConfig } from './config/app-config.js';
import { MetricsService } from './health/metrics.service.js';

const BODY_LIMIT_BYTES = 64 * 1024;
/** The invitation reconcile takes up to 1,000 targets of up to 256 chars: its own, larger body limit. */
const RECONCILE_BODY_LIMIT_BYTES = 320 * 1024;
const RECONCILE_ROUTE = '/v1/identities/:identityId/invitations/pending';
/** Hot routes whose 200 is written by a serializer compiled from its documented schema (issue 18). */
const SCHEMA_SERIALIZED = new Set(['POST /v1/identities/:identityId/actions/:actionSlug/guard', 'POST /v1/actions/:actionSlug/guard']);

export interface CreateAppOptions {
  clock?: Clock;
  /** Buffer logs until the pino logger is ready (off in tests that want silence). */
  silent?: boolean;
  /** Where the JSON logs go (default stdout); tests read them. */
  logDestination?: NodeJS.WritableStream;
}

/** Builds the configured application (not yet listening). Shared by main.ts, tests and benchmarks. */
export async function createApp(config: AppConfig, opts: CreateAppOptions = {}): Promise<NestFastifyApplication> {
  const adapter = new FastifyAdapter({
    bodyLimit: BODY_LIMIT_BYTES,
    trustProxy: config.trustProxy,
    genReqId: requestIdFor,
    requestIdHeader: false,
    return503OnClosing: true,
    forceCloseConnections: true,
    // Malformed URLs and similar router errors, which never reach a handler.
    frameworkErrors: (error: FastifyError, _req: FastifyRequest, reply: FastifyReply) => {
      void reply.status(400).send(errorEnvelope(400, 'VALIDATION_FAILED', `Bad request: ${error.message}`));
    },
  });
  const app = await NestFactory.create<NestFastifyApplication>(AppModule.forRoot(config, opts.clock, opts.logDestination), adapter, {
    bufferLogs: true,
    abortOnError: false,
    // Fastify's own JSON parser only: no form bodies (the API speaks JSON; others get 415).
    bodyParser: false,
  });
  app.useLogger(new BootQuietLogger(app.get(Logger)));
  // Validator constraints that need the catalog are Nest providers (LimitOverridesConstraint).
  useContainer(constraintContainer(app), { fallback: true, fallbackOnErrors: true });
  app.useGlobalPipes(createValidationPipe());

  const fastify = app.getHttpAdapter().getInstance();
  // Routes are registered at app.init(), after this hook is in place.
  fastify.addHook('onRoute', (route) => {
    if (route.url === RECONCILE_ROUTE && [route.method].flat().includes('PUT')) route.bodyLimit = RECONCILE_BODY_LIMIT_BYTES;
    if ([route.method].flat().length === 1 && SCHEMA_SERIALIZED.has(`${String(route.method)} ${route.url}`)) {
      route.schema = { ...route.schema, response: { 200: responseSerializerSchema(document, String(route.method), route.url, '200') } };
    }
  });
  // Errors Fastify raises before a handler runs (body size, JSON syntax, content type) reach Nest's own
  // error handler, which app.init() installs on this instance and which hands them to the global
  // AllExceptionsFilter (renderError). A second handler set here would be silently replaced (FSTWRN004).
  // Per client IP, before authentication (in memory per instance: see ip-limiter.ts).
  const ipLimiter = new IpLimiter(config.ipRateLimitPerMinute);
  fastify.addHook('onRequest', async (request, reply) => {
    if (isUnlimitedPath(request.url)) return;
    const now = Date.now();
    const wait = ipLimiter.hit(request.ip, now);
    if (wait > 0) {
      const headers = { ...ipLimiter.headers(request.ip, now), 'Retry-After': String(wait) };
      await reply
        .status(429)
        .headers(headers)
        .send(
          errorEnvelope(429, 'ip_rate_limited', `More than ${config.ipRateLimitPerMinute} requests a minute from this IP`, {
            'Retry-After': String(wait),
            'X-RateLimit-Limit': String(config.ipRateLimitPerMinute),
            'X-RateLimit-Type': 'ip',
          }),
        );
      return reply;
    }
  });
  const metrics = app.get(MetricsService);
  // The error label an error answer carried, for its request log line (read from the body, so every
  // path that answers an error is covered: the filter, Fastify's own errors, the IP limiter).
  const errorLabels = new WeakMap<FastifyRequest, string | null>();
  fastify.addHook('onSend', async (request, reply, payload) => {
    void reply.header('X-Request-Id', request.id);
    if (reply.statusCode >= 400) errorLabels.set(request, errorLabelOf(payload));
    // Every counted answer describes a limit: the workspace's once it is known, else the per-IP one
    // (401, 413, a guard refused before its script ran, a store outage).
    if (!isUnlimitedPath(request.url) && !reply.hasHeader('x-ratelimit-limit')) {
      for (const [k, v] of Object.entries(ipLimiter.headers(request.ip, Date.now()))) if (!reply.hasHeader(k)) void reply.header(k, v);
    }
    return payload;
  });
  // One structured line per request (pino-http's middleware does not run on Fastify here).
  const httpLogger = app.get(Logger);
  fastify.addHook('onResponse', async (request, reply) => {
    if (!/^\/(health|metrics)/.test(request.url)) {
      const entry = {
        req: { id: request.id, method: request.method, url: request.url, route: request.routeOptions?.url },
        statusCode: reply.statusCode,
        responseTime: Math.round(reply.elapsedTime * 100) / 100,
        workspaceId: (request as { auth?: { workspaceId: string } }).auth?.workspaceId,
        ...(reply.statusCode >= 400 ? { error_label: errorLabels.get(request) ?? null } : {}),
      };
      // The last argument is the context: without it the message would be taken for one.
      if (reply.statusCode >= 500) httpLogger.error(entry, 'request failed', 'HTTP');
      else httpLogger.log(entry, 'request completed', 'HTTP');
    }
    metrics.httpDuration.observe(
      { method: request.method, route: request.routeOptions?.url ?? 'unmatched', status: String(reply.statusCode) },
      reply.elapsedTime / 1000,
    );
  });

  const document = buildOpenApiDocument(app, {
    serverUrl: '/',
    // The check charges the endpoint named in its body, and answers that endpoint's 429.
    countedByWorkspaceLimits: (method, path) => endpointGroupFor(method, path) !== null || path === '/v1/ratelimit/check',
  });
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'openapi.json', yamlDocumentUrl: 'openapi.yaml' });
  await app.init();
  return app;
}
