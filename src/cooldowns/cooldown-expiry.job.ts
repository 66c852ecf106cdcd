import { type BeforeApplicationShutdown, Injectable, Logger } from '@nestjs/common';
import { Interval } from '@nestjs/schedule';
import { Clock } from '../common/clock.js';
import { JobTick } from '../common/jobs/job-tick.js';
import { AppConfig } from '../config/app-config.js';
import { cooldownEnded } from './cooldown-events.js';
import { CooldownMirror } from './cooldown-mirror.service.js';
import { CooldownsRepository } from './cooldowns.repository.js';

const BATCH = 200;

/**
 * Every second, ends the cooldowns whose end has passed and records `cooldown.ended` for each, in
 * the same transaction (so the event is written once, by whichever instance claimed the row), then
 * removes their mirrors. The mirror's own TTL already lifted the refusal; this makes history and
 * notifications follow within seconds.
 */
@Injectable()
export class CooldownExpiryJob implements BeforeApplicationShutdown {
  private readonly logger = new Logger('CooldownExpiry');
  private readonly ticks: JobTick<number>;

  constructor(
    private readonly repo: CooldownsRepository,
    private readonly mirror: CooldownMirror,
    private readonly clock: Clock,
    private readonly config: AppConfig,
  ) {
    this.ticks = new JobTick(() => this.runOnce(), {
      name: 'cooldown expiry tick',
      logger: this.logger,
      enabled: () => this.config.jobsEnabled,
    });
  }

  @Interval('cooldown-expiry', 1000)
  tick(): Promise<number | undefined> | undefined {
    return this.ticks.tick();
  }

  /** Ends every cooldown due now; returns how many this instance ended. */
  async runOnce(): Promise<number> {
    let total = 0;
    for (;;) {
      const now = this.clock.now();
      const ended = await this.repo.endExpired(now, BATCH, (rows) => rows.map((r) => cooldownEnded(r, now)));
      total += ended.length;
      const refs = new Map(ended.map((c) => [c.identityId, { workspaceId: c.workspaceId, identityId: c.identityId }]));
      for (const ref of refs.values()) {
        await this.mirror.mirrorIdentity(ref).catch((e: Error) => {
          this.logger.warn(`mirror of ${ref.identityId} not updated after expiry (its TTL ends it anyway): ${e.message}`);
        });
      }
      if (ended.length < BATCH || this.ticks.stopped) return total;
    }
  }

  beforeApplicationShutdown(): Promise<void> {
    return this.ticks.stop();
  }
}
