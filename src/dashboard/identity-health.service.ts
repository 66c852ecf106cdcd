import { Inject, Injectable } from '@nestjs/common';
import { CatalogService } from '../catalog/catalog.service.js';
import { Clock } from '../common/clock.js';
import { ApiError } from '../common/errors/api-error.js';
import { CooldownsService } from '../cooldowns/cooldowns.service.js';
import { IdentitiesService } from '../identities/identities.service.js';
import { InvitationsService } from '../invitations/invitations.service.js';
import { RedisKeys } from '../redis/redis-keys.js';
import { REDIS_CLIENT, type RedisClient } from '../redis/redis.tokens.js';
import { WindowReader } from '../smart-limits/window-reader.service.js';
import { JournalService } from '../journal/journal.service.js';
import { ACTIVITY_SCRIPT } from './activity.script.js';
import {
  ACTIVITY_BUCKETS,
  ACTIVITY_SOURCES,
  ACTIVITY_WINDOWS,
  type ActivityBucket,
  type ActivityWindow,
  MAX_ACTIVITY_BUCKETS,
} from './activity-options.js';
import { type ActivityResponse, type HealthResponse } from './dashboard.dto.js';
import { AT_RISK_WINDOW_MS } from './health-status.js';
import { invitationFacts, summarizeIdentity } from './health-view.js';

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
    private readonly invitations: InvitationsService,
    private readonly journal: JournalService,
  ) {
    ACTIVITY_SCRIPT.define(redis);
  }

  /** One Redis round trip (every window and mirror, one script call) and one PostgreSQL query. */
  async health(workspaceId: string, identityId: string): Promise<HealthResponse> {
    const identity = await this.identities.getCached(workspaceId, identityId);
    const ref = { workspaceId, identityId: identity.id };
    const [windows, facts, invitations, toWithdraw] = await Promise.all([
      this.reader.read(identity),
      this.cooldowns.healthFacts(ref, AT_RISK_WINDOW_MS / 86_400_000),
      this.invitations.summary(ref),
      this.invitations.withdrawAdvice(ref),
    ]);
    const s = summarizeIdentity(identity, windows, facts, this.catalog.get(), invitationFacts(invitations));
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
      invitations: { ...invitations, to_withdraw: toWithdraw },
    };
  }

  /**
   * Units recorded per limit per bucket: over 24h and 7d counted in the Redis windows (one script
   * call, no entries sent), over 30d and 90d in the journal.
   */
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
    if (ACTIVITY_SOURCES[window] === 'journal') return this.journalActivity(identity.id, workspaceId, window, bucket);
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
      source: 'windows',
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

  /** Counts from the journal: every limit over the whole span; null for buckets that start before the retention. */
  private async journalActivity(identityId: string, workspaceId: string, window: ActivityWindow, bucket: ActivityBucket): Promise<ActivityResponse> {
    const spanMs = ACTIVITY_WINDOWS[window] * 1000;
    const bucketMs = ACTIVITY_BUCKETS[bucket] * 1000;
    const n = spanMs / bucketMs;
    const nowMs = this.clock.scriptNowMs() ?? this.clock.now().getTime();
    const fromMs = nowMs - spanMs;
    const horizon = nowMs - this.journal.retentionDays * 86_400_000;
    // PostgreSQL unreachable: the global filter answers 503 STORE_UNAVAILABLE.
    const rows = await this.journal.unitsPerBucket(workspaceId, identityId, fromMs, nowMs, bucketMs);
    const limits = this.catalog.get().limits;
    const counts = new Map(
      limits.map((l) => [l.slug, Array.from({ length: n }, (_, j) => (fromMs + j * bucketMs < horizon ? null : 0)) as (number | null)[]]),
    );
    for (const r of rows) {
      const series = counts.get(r.slug);
      if (series && r.bucket >= 0 && r.bucket < n && series[r.bucket] !== null) series[r.bucket] = (series[r.bucket] ?? 0) + r.units;
    }
    return {
      identity_id: identityId,
      window,
      bucket,
      source: 'journal',
      bucket_seconds: bucketMs / 1000,
      from: new Date(fromMs).toISOString(),
      to: new Date(nowMs).toISOString(),
      buckets: Array.from({ length: n }, (_, j) => new Date(fromMs + j * bucketMs).toISOString()),
      limits: limits.map((l) => {
        const c = counts.get(l.slug)!;
        return { slug: l.slug, name: l.name, window_seconds: l.window_seconds, total: c.reduce<number>((t, x) => t + (x ?? 0), 0), counts: c };
      }),
    };
  }
}
