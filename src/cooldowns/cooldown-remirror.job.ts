import { type BeforeApplicationShutdown, Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { Interval } from '@nestjs/schedule';
import { DataSource } from 'typeorm';
import { Clock } from '../common/clock.js';
import { JobTick } from '../common/jobs/job-tick.js';
import { AppConfig } from '../config/app-config.js';
import { ADVISORY_LOCKS, tryWithAdvisoryLock } from '../database/advisory-lock.js';
import { REDIS_CLIENT, type RedisClient } from '../redis/redis.tokens.js';
import { ClassifiedErrorsRepository } from './classified-errors.repository.js';
import { CooldownMirror } from './cooldown-mirror.service.js';
import { CooldownsRepository } from './cooldowns.repository.js';

/** SPEC §5 promises a lost mirror is back within 30 s; every 10 s leaves room for a slow pass. */
const REMIRROR_INTERVAL_MS = 10_000;
/** Identities whose cooldowns ended this recently are mirrored too, so a mirror left behind (Redis was down at the clear) goes. */
const ENDED_LOOKBACK_MS = 3_600_000;
const PAGE = 500;
const ERROR_LOG_RETENTION_MS = 30 * 86_400_000;
const PRUNE_EVERY_MS = 3_600_000;

/**
 * Re-writes every cooldown mirror from PostgreSQL: at start, every 10 s, and at once when Redis
 * comes back ('ready' after a reconnect), so a Redis restart or FLUSHALL loses no cooldown. One
 * instance does a pass at a time (advisory lock); the rest skip that tick.
 */
@Injectable()
export class CooldownRemirrorJob implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly ticks: JobTick<number | undefined>;
  private lastPrune = 0;
  private readonly onReady = () => void this.tick();

  constructor(
    private readonly repo: CooldownsRepository,
    private readonly errors: ClassifiedErrorsRepository,
    private readonly mirror: CooldownMirror,
    private readonly ds: DataSource,
    private readonly clock: Clock,
    private readonly config: AppConfig,
    @Inject(REDIS_CLIENT) private readonly redis: RedisClient,
  ) {
    // One pass at a time across instances (the advisory lock); a pass asked for while one runs here
    // (Redis came back mid-pass) runs right after it.
    this.ticks = new JobTick(() => tryWithAdvisoryLock(this.ds, ADVISORY_LOCKS.remirror, () => this.runOnce()), {
      name: 'cooldown re-mirror',
      logger: new Logger('CooldownRemirror'),
      enabled: () => this.config.jobsEnabled,
      rerunWhenBusy: true,
    });
  }

  onApplicationBootstrap(): void {
    if (!this.config.jobsEnabled) return;
    this.redis.on('ready', this.onReady);
    void this.tick();
  }

  @Interval('cooldown-remirror', REMIRROR_INTERVAL_MS)
  tick(): Promise<number | undefined> | undefined {
    return this.ticks.tick();
  }

  /** One pass over every identity with an open or recently ended cooldown; returns how many were mirrored. */
  async runOnce(): Promise<number> {
    const since = new Date(this.clock.now().getTime() - ENDED_LOOKBACK_MS);
    let after: string | null = null;
    let mirrored = 0;
    for (;;) {
      const refs = await this.repo.identitiesToMirror(since, after, PAGE);
      if (!refs.length) break;
      mirrored += await this.mirror.mirrorMany(refs);
      after = refs[refs.length - 1].identityId;
      if (refs.length < PAGE || this.ticks.stopped) break;
    }
    await this.pruneErrorLog();
    return mirrored;
  }

  private async pruneErrorLog(): Promise<void> {
    if (Date.now() - this.lastPrune < PRUNE_EVERY_MS) return;
    this.lastPrune = Date.now();
    await this.errors.pruneOlderThan(new Date(this.clock.now().getTime() - ERROR_LOG_RETENTION_MS));
  }

  beforeApplicationShutdown(): Promise<void> {
    this.redis.off('ready', this.onReady);
    return this.ticks.stop();
  }
}
