import { type CallHandler, type ExecutionContext, Injectable, type NestInterceptor, SetMetadata } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { type FastifyReply, type FastifyRequest } from 'fastify';
import { type Observable } from 'rxjs';
import { type AuthedRequest } from '../common/auth/auth-context.js';
import { ApiLimitsService } from './api-limits.service.js';
import { endpointGroupFor } from './endpoint-group.js';
import { apiLimitHeaders, apiLimitRefusal } from './rate-limit-http.js';

/** Marks routes whose API-limit check happens inside their own script (the guard): counted once. */
const API_LIMIT_IN_SCRIPT = 'apiLimitInScript';
export const ApiLimitInScript = () => SetMetadata(API_LIMIT_IN_SCRIPT, true);

/**
 * Counts every authenticated request of an endpoint group against it and the daily limit (one Lua call)
 * after authentication and before the handler; the headers go on every response, errors included.
 */
@Injectable()
export class ApiLimitInterceptor implements NestInterceptor {
  constructor(
    private readonly limits: ApiLimitsService,
    private readonly reflector: Reflector,
  ) {}

  async intercept(ctx: ExecutionContext, next: CallHandler): Promise<Observable<unknown>> {
    const req = ctx.switchToHttp().getRequest<FastifyRequest & AuthedRequest>();
    if (!req.auth || this.reflector.get<boolean>(API_LIMIT_IN_SCRIPT, ctx.getHandler())) return next.handle();
    // Routes charged to no group (run leases: see endpointGroupFor) pass uncounted.
    const group = endpointGroupFor(req.method, req.routeOptions?.url ?? req.url);
    if (!group) return next.handle();
    const { take, limits, nowMs } = await this.limits.take(req.auth.workspaceId, group);
    if (!take.ok) throw apiLimitRefusal(group, limits, take, nowMs);
    void ctx
      .switchToHttp()
      .getResponse<FastifyReply>()
      .headers(apiLimitHeaders(group, limits, take, nowMs));
    return next.handle();
  }
}
