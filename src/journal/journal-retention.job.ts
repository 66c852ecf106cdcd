import { type BeforeApplicationShutdown, Injectable, Logger, type OnApplicationBootstrap, type OnModuleInit } from '@nestjs/common';
import { Interval } from '@nestjs/schedule';
import { DataSource } from 'typeorm';
import { CatalogService } from '../catalog/catalog.service.js';
import { Clock } from '../common/clock.js';
import { AppConfig, ConfigError } from '../config/app-config.js';
import { ADVISORY_LOCKS, tryWithAdvisoryLock } from '../database/advisory-lock.js';
import { JournalRepository } from './journal.repository.js';

const EVERY_MS = 10 * 60_000;
/** Rows per delete: each transaction stays short (no long lock, no long-held snapshot). */
export const RETENTION_BATCH = 5_000;

/**
 * Drops journal rows older than JOURNAL_RETENTION_DAYS, in small batches, on one instance at a time
 * (`pg_try_advisory_lock`; the others skip the tick). Runs at start and every 10 minutes.
 */
@Injectable()
export class JournalRetentionJob implements OnModuleInit, OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('JournalRetention');
  private current: Promise<number | undefined> | null = null;
  private stopped = false;

  constructor(
    private readonly repo: JournalRepository,
    private readonly ds: DataSource,
    private readonly clock: Clock,
    private readonly config: AppConfig,
    private readonly catalog: CatalogService,
  ) {}

  /** A retention shorter than a window would make a rebuild forget what that window still counts. */
  onModuleInit(): void {
    const longestDays = Math.ceil(Math.max(...this.catalog.get().limits.map((l) => l.window_seconds)) / 86_400);
    if (this.config.journal.retentionDays < longestDays) {
      throw new ConfigError([
        `JOURNAL_RETENTION_DAYS: must be at least ${longestDays} (the catalog's longest window), got ${this.config.journal.retentionDays}`,
      ]);
    }
  }

  onApplicationBootstrap(): void {
    if (this.config.jobsEnabled) void this.tick();
  }

  @Interval('journal-retention', EVERY_MS)
  tick(): Promise<number | undefined> | undefined {
    if (!this.config.jobsEnabled || this.stopped || this.current) return;
    this.current = tryWithAdvisoryLock(this.ds, ADVISORY_LOCKS.journalRetention, () => this.runOnce())
      .catch((e: Error) => {
        this.logger.warn(`journal retention pass failed: ${e.message}`);
        return undefined;
      })
      .finally(() => (this.current = null));
    return this.current;
  }

  /** Deletes every row recorded before now − JOURNAL_RETENTION_DAYS; returns how many. */
  async runOnce(): Promise<number> {
    const before = new Date(this.clock.now().getTime() - this.config.journal.retentionDays * 86_400_000);
    let total = 0;
    for (;;) {
      const n = await this.repo.deleteOlderThan(before, RETENTION_BATCH);
      total += n;
      if (n < RETENTION_BATCH || this.stopped) break;
    }
    if (total) this.logger.log(`journal retention: ${total} rows recorded before ${before.toISOString()} removed`);
    return total;
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stopped = true;
    await this.current;
  }
}
