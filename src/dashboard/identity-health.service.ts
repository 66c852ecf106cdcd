import { Inject, Injectable } from '@nestjs/common';
import { CatalogService } from '../catalog/catalog.service.js';
import { Clock } from '../common/clock.js';
import { ApiError } from '../common/errors/api-error.js';
import { CooldownsService } from '../cooldowns/cooldowns.service.js';
import { IdentitiesService } from '../identities/identities.service.js';
import { RedisKeys } from '../redis/redis-keys.js';
import { REDIS_CLIENT, type RedisClient } from '../redis/redis.tokens.js';
import { WindowReader } from '../smart-limits/window-reader.service.js';
import { ACTIVITY_SCRIPT } from './activity.script.js';
import { ACTIVITY_BUCKETS, ACTIVITY_WINDOWS, type ActivityBucket, type ActivityWindow, MAX_ACTIVITY_BUCKETS } from './activity-options.js';
import { type ActivityResponse, type HealthResponse } from './dashboard.dto.js';
import { AT_RISK_WINDOW_MS } from './health-status.js';
import { summarizeIdentity } from './health-view.js';

/** One identity's health and activity (SPEC §7). */
@Injectable()
export class IdentityHealthService {
  constructor(
    @Inject(REDIS_CLIENT) private readonly redis: RedisClient,
    private readonly keys: RedisKeys,
    private readonly identities: IdentitiesService,
    private readonly reader: WindowReader,
    private readonly cooldowns: CooldownsService,
    private readonly catalog: CatalogService,
    private readonly clock: Clock,
  ) {
    ACTIVITY_SCRIPT.define(redis);
  }

  /** One Redis round trip (every window and mirror, one script call) and one PostgreSQL query. */
  async health(workspaceId: string, identityId: string): Promise<HealthResponse> {
    const identity = await this.identities.getCached(workspaceId, identityId);
    const [windows, facts] = await Promise.all([
      this.reader.read(identity),
      this.cooldowns.healthFacts({ workspaceId, identityId }, AT_RISK_WINDOW_MS / 86_400_000),
    ]);
    const s = summarizeIdentity(identity, windows, facts, this.catalog.get());
    return {
      identity_id: identity.id,
      external_id: identity.externalId,
      label: identity.label,
      mode: identity.mode,
      account_type: identity.accountType,
      level: identity.level,
      identity_status: identity.status,
      status: s.verdict.status,
      reasons: s.verdict.reasons,
      checked_at: new Date(windows.nowMs).toISOString(),
      usage: s.verdict.usage,
      ...s.warmup,
      limits: s.limits,
      cooldown: s.cooldown,
      cooldowns: s.cooldowns,
      risk: { at_risk: s.verdict.atRisk, cooldowns_7d: facts.cooldowns7d, flagged: facts.flagged7d || facts.running.some((c) => c.atRisk) },
      recent_errors: facts.errors,
    };
  }

  /** Units recorded per limit per bucket, counted in Redis (one script call, no entries sent). */
  async activity(workspaceId: string, identityId: string, window: ActivityWindow, bucket: ActivityBucket): Promise<ActivityResponse> {
    const spanS = ACTIVITY_WINDOWS[window];
    const bucketS = ACTIVITY_BUCKETS[bucket];
    const n = spanS / bucketS;
    if (!Number.isInteger(n) || n > MAX_ACTIVITY_BUCKETS) {
      throw ApiError.badRequest('Invalid query', {
        bucket: [
          `${bucket} buckets over ${window} make ${Math.ceil(n)} bars; at most ${MAX_ACTIVITY_BUCKETS}, and the bucket must divide the window`,
        ],
      });
    }
    const identity = await this.identities.getCached(workspaceId, identityId);
    const limits = this.catalog.get().limits;
    // A store failure propagates (503 by the global filter); a bad reply is a logged 500.
    const { nowMs, counts } = await ACTIVITY_SCRIPT.run(this.redis, {
      nowMs: this.clock.scriptNowMs(),
      spanMs: spanS * 1000,
      bucketMs: bucketS * 1000,
      limits: limits.map((l) => ({ windowKey: this.keys.window(workspaceId, identityId, l.slug), windowMs: l.window_seconds * 1000 })),
    });
    const fromMs = nowMs - spanS * 1000;
    return {
      identity_id: identity.id,
      window,
      bucket,
      bucket_seconds: bucketS,
      from: new Date(fromMs).toISOString(),
      to: new Date(nowMs).toISOString(),
      buckets: Array.from({ length: n }, (_, j) => new Date(fromMs + j * bucketS * 1000).toISOString()),
      limits: limits.map((l, i) => ({
        slug: l.slug,
        name: l.name,
        window_seconds: l.window_seconds,
        total: counts[i].reduce<number>((t, c) => t + (c ?? 0), 0),
        counts: counts[i],
      })),
    };
  }
}
