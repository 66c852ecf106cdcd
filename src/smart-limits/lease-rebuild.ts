import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { CatalogService } from '../catalog/catalog.service.js';
import { Clock } from '../common/clock.js';
import { IdentitiesService } from '../identities/identities.service.js';
import { JournalService } from '../journal/journal.service.js';
import { RedisKeys } from '../redis/redis-keys.js';
import { REDIS_CLIENT, type RedisClient } from '../redis/redis.tokens.js';
import { IdentityRebuild } from './identity-rebuild.service.js';

/**
 * The in-flight lease after a Redis data loss (SPEC 4b, §9b): the single-flight action the identity
 * admitted last, if its lease could still be running, holds it again until the time it was given.
 *
 * The guard takes the lease in the call that records the action (ends = decided at + in_flight
 * seconds); the journal has both times. A reported outcome or a release frees a lease early; the
 * journal keeps releases (those recordings are out) but not outcomes, so an action whose outcome was
 * already reported gets its lease back until its original end: at most in_flight_seconds of waiting,
 * never a second outreach action in flight because Redis forgot the first.
 */
@Injectable()
export class LeaseRebuild implements OnModuleInit {
  constructor(
    @Inject(REDIS_CLIENT) private readonly redis: RedisClient,
    private readonly keys: RedisKeys,
    private readonly catalog: CatalogService,
    private readonly identities: IdentitiesService,
    private readonly journal: JournalService,
    private readonly clock: Clock,
    private readonly rebuild: IdentityRebuild,
  ) {}

  onModuleInit(): void {
    this.rebuild.register('lease', async (ref) => {
      await this.restore(ref.workspaceId, ref.identityId);
    });
  }

  /** Restores the lease when the journal shows one that may still run; returns its end, or null. */
  async restore(workspaceId: string, identityId: string): Promise<number | null> {
    if (!this.journal.enabled) return null;
    const catalog = this.catalog.get();
    const leaseMs = catalog.pacing.in_flight_seconds * 1000;
    if (leaseMs <= 0) return null;
    const identity = await this.identities.getCached(workspaceId, identityId);
    // `pacing: "off"` takes no lease (pacing-plan.ts).
    if (identity.pacing === 'off') return null;
    const nowMs = this.clock.scriptNowMs() ?? (await this.redisNowMs());
    const recent = await this.journal.standingSince(identityId, nowMs - leaseMs);
    let last: { actionId: string; endsMs: number } | null = null;
    for (const a of recent) {
      // Planned actions and backfills take no lease; only an action admitted now does.
      if (a.kind !== 'now' || !this.catalog.action(a.actionSlug)?.single_flight) continue;
      const endsMs = a.atMs + leaseMs;
      if (endsMs > nowMs && (!last || endsMs >= last.endsMs)) last = { actionId: a.actionId, endsMs };
    }
    if (!last) return null;
    // The lease's value and PX as guard.lua writes them; NX: a lease taken since the loss stays.
    await this.redis.set(this.keys.lease(workspaceId, identityId), `${last.endsMs}:${last.actionId}`, 'PX', last.endsMs - nowMs, 'NX');
    return last.endsMs;
  }

  /** Redis TIME in ms: the clock every lease is compared with. */
  private async redisNowMs(): Promise<number> {
    const [s, us] = await this.redis.time();
    return Number(s) * 1000 + Math.floor(Number(us) / 1000);
  }
}
