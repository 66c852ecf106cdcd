import { type ExecutionContext, Injectable, SetMetadata } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { type FastifyReply, type FastifyRequest } from 'fastify';
import { type AfterAuthentication } from '../common/auth/after-authentication.js';
import { type AuthContext } from '../common/auth/auth-context.js';
import { ApiLimitsService } from './api-limits.service.js';
import { endpointGroupFor } from './endpoint-group.js';
import { apiLimitHeaders, apiLimitRefusal } from './rate-limit-http.js';

/** Marks routes whose API-limit check happens inside their own script (the guard): counted once. */
const API_LIMIT_IN_SCRIPT = 'apiLimitInScript';
export const ApiLimitInScript = () => SetMetadata(API_LIMIT_IN_SCRIPT, true);

/**
 * Counts every authenticated request of an endpoint group against it and the daily limit (one Lua call)
 * right after authentication (WorkspaceAuthGuard calls it) and before the handler; the headers go on
 * every response, errors included.
 */
@Injectable()
export class ApiLimitCounter implements AfterAuthentication {
  constructor(
    private readonly limits: ApiLimitsService,
    private readonly reflector: Reflector,
  ) {}

  async afterAuthentication(ctx: ExecutionContext, auth: AuthContext): Promise<void> {
    if (this.reflector.get<boolean>(API_LIMIT_IN_SCRIPT, ctx.getHandler())) return;
    const req = ctx.switchToHttp().getRequest<FastifyRequest>();
    // Routes charged to no group (run leases: see endpointGroupFor) pass uncounted.
    const group = endpointGroupFor(req.method, req.routeOptions?.url ?? req.url);
    if (!group) return;
    const { take, limits, nowMs } = await this.limits.take(auth.workspaceId, group);
    if (!take.ok) throw apiLimitRefusal(group, limits, take, nowMs);
    void ctx
      .switchToHttp()
      .getResponse<FastifyReply>()
      .headers(apiLimitHeaders(group, limits, take, nowMs));
  }
}
