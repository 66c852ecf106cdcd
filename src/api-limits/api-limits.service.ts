import { WARNING_SHARE } from '../catalog/thresholds.js';
import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { LRUCache } from 'lru-cache';
import { Clock } from '../common/clock.js';
import { storeOfError } from '../common/errors/store-errors.js';
import { PgEventsService } from '../database/pg-events.service.js';
import { IdentitiesService } from '../identities/identities.service.js';
import { RedisKeys } from '../redis/redis-keys.js';
import { REDIS_CLIENT, type RedisClient } from '../redis/redis.tokens.js';
import { WorkspacesService } from '../workspaces/workspaces.service.js';
import { type ApiLimitArgs, type ApiTake } from './api-limit.include.js';
import { API_LIMIT_SCRIPT } from './api-limit.script.js';
import { type EndpointGroup } from '../tiers/endpoint-groups.js';
import { API_USAGE_SCRIPT } from './api-usage.script.js';
import { QuotaWarningsRepository } from './quota-warnings.repository.js';
import { toWorkspaceApiLimits, type WorkspaceApiLimits } from './workspace-api-limits.js';

export { type ApiTake } from './api-limit.include.js';

const CACHE_MS = 5_000;

/**
 * The workspace API limits of SPEC §6: effective limits per workspace (tier tables, engagement
 * count, custom limits) cached briefly and dropped at once when the workspace or its identities
 * change (here and, through NOTIFY, on every instance).
 */
@Injectable()
export class ApiLimitsService implements OnModuleInit {
  /** Fresh for CACHE_MS; a stale entry stays (until evicted) to enforce while PostgreSQL is down. */
  private readonly cache = new LRUCache<string, { limits: Promise<WorkspaceApiLimits> }>({ max: 100_000, ttl: CACHE_MS, noDeleteOnStaleGet: true });

  constructor(
    @Inject(REDIS_CLIENT) private readonly redis: RedisClient,
    private readonly keys: RedisKeys,
    private readonly workspaces: WorkspacesService,
    private readonly identities: IdentitiesService,
    private readonly events: PgEventsService,
    private readonly clock: Clock,
    private readonly quotaWarnings: QuotaWarningsRepository,
  ) {}

  onModuleInit(): void {
    API_LIMIT_SCRIPT.define(this.redis);
    API_USAGE_SCRIPT.define(this.redis);
    this.identities.onChange((c) => {
      this.cache.delete(c.workspaceId);
    });
    this.events.subscribe('workspace.changed', (ws) => this.cache.delete(ws));
    this.events.subscribe('reconnect', () => this.cache.clear());
  }

  invalidate(workspaceId: string): void {
    this.cache.delete(workspaceId);
  }

  async limitsFor(workspaceId: string): Promise<WorkspaceApiLimits> {
    const fresh = this.cache.get(workspaceId);
    if (fresh) return fresh.limits;
    const hit = this.cache.get(workspaceId, { allowStale: true });
    const limits = (async () => {
      const [ws, engagement] = await Promise.all([this.workspaces.get(workspaceId), this.identities.countEngagement(workspaceId)]);
      return toWorkspaceApiLimits(ws.monthlyCredits, engagement, ws.customLimits);
    })();
    this.cache.set(workspaceId, { limits });
    try {
      return await limits;
    } catch (e) {
      // PostgreSQL down: keep enforcing what we knew, and look again in a second.
      if (hit && storeOfError(e) === 'postgres') {
        this.cache.set(workspaceId, { limits: hit.limits }, { ttl: 1_000 });
        return hit.limits;
      }
      this.cache.delete(workspaceId);
      throw e;
    }
  }

  /** Keys and limits for api_take, for scripts that embed it (the guard). */
  scriptArgs(workspaceId: string, group: EndpointGroup, limits: WorkspaceApiLimits): { bucketKey: string; dailyKey: string; limits: ApiLimitArgs } {
    const g = limits.groups[group];
    return {
      bucketKey: this.keys.apiLimit(workspaceId, group),
      dailyKey: this.keys.apiDaily(workspaceId),
      limits: { perSecond: g.per_second, perMinute: g.per_minute, daily: limits.daily_api_limit.value ?? 0 },
    };
  }

  /** One API-limit call (one round trip). A store failure propagates (503 by the global filter); a bad reply is a 500. */
  async take(workspaceId: string, group: EndpointGroup, cost = 1): Promise<{ take: ApiTake; limits: WorkspaceApiLimits; nowMs: number }> {
    const limits = await this.limitsFor(workspaceId);
    const { take, nowMs } = await API_LIMIT_SCRIPT.run(this.redis, {
      ...this.scriptArgs(workspaceId, group, limits),
      nowMs: this.clock.scriptNowMs(),
      cost,
    });
    this.noteDailyUsage(workspaceId, limits, take, cost, nowMs);
    return { take, limits, nowMs };
  }

  /**
   * quota.warning when this request took the workspace past WARNING_SHARE (80 %) of its daily limit. Computed from
   * the take's own reply and recorded off the request path (no extra round trip for the caller).
   */
  noteDailyUsage(workspaceId: string, limits: WorkspaceApiLimits, take: ApiTake, cost: number, nowMs: number): void {
    const daily = limits.daily_api_limit.value;
    if (!take.ok || !daily || take.dailyRemaining < 0) return;
    const threshold = daily * WARNING_SHARE;
    const after = daily - take.dailyRemaining;
    const before = after - cost;
    if (!(before < threshold && after >= threshold)) return;
    void this.quotaWarnings
      .recordOncePerDay(
        workspaceId,
        { daily_api_limit: daily, used_estimate: after, percent: Math.round(WARNING_SHARE * 100), source: limits.daily_api_limit.source },
        new Date(nowMs),
      )
      .catch(() => undefined);
  }

  /** Read-only view of today's usage (for GET /v1/workspace): one script call, the estimate computed where the limit checks it. */
  async usageToday(workspaceId: string): Promise<{ requests_today: number; daily_estimate: number }> {
    const u = await API_USAGE_SCRIPT.run(this.redis, { dailyKey: this.keys.apiDaily(workspaceId), nowMs: this.clock.scriptNowMs() });
    return { requests_today: u.requestsToday, daily_estimate: u.dailyEstimate };
  }
}
