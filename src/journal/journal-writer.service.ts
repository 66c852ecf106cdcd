import { type BeforeApplicationShutdown, Injectable, Logger } from '@nestjs/common';
import { storeOfError } from '../common/errors/store-errors.js';
import { AppConfig } from '../config/app-config.js';
import { MetricsService } from '../health/metrics.service.js';
import { JournalRepository } from './journal.repository.js';
import { type JournalEntry } from './journal.types.js';

/** Longest wait between two tries while PostgreSQL does not take a batch. */
const MAX_BACKOFF_MS = 2_000;
/** How long a shutdown waits for the last rows to reach PostgreSQL. */
const SHUTDOWN_FLUSH_MS = 5_000;
/** At most one drop warning per this period, with the count since the last one. */
const DROP_LOG_EVERY_MS = 10_000;

/**
 * Writes journal rows in batches, off the guard's round trip: `add` only queues. A batch goes out
 * JOURNAL_FLUSH_MS after its first row at the latest, or at once when it holds JOURNAL_BATCH_ROWS,
 * one statement at a time. When PostgreSQL does not take it, the rows stay queued (retried with
 * backoff) up to JOURNAL_MAX_PENDING_ROWS; beyond that the oldest go (they leave the windows first),
 * counted in `smart_limits_journal_rows_dropped_total` and logged. What is queued is written before
 * the application shuts down.
 */
@Injectable()
export class JournalWriter implements BeforeApplicationShutdown {
  private readonly logger = new Logger('Journal');
  private queue: JournalEntry[] = [];
  private timer: NodeJS.Timeout | null = null;
  private inFlight: Promise<void> | null = null;
  private failures = 0;
  private droppedSinceLog = 0;
  private lastDropLog = 0;
  private stopped = false;

  constructor(
    private readonly repo: JournalRepository,
    private readonly config: AppConfig,
    private readonly metrics: MetricsService,
  ) {}

  get enabled(): boolean {
    return this.config.journal.enabled;
  }

  /** Rows waiting in this instance (queued or in the statement in flight). */
  get pending(): number {
    return this.queue.length + this.inFlightRows;
  }
  private inFlightRows = 0;

  add(entry: JournalEntry): void {
    if (!this.enabled) return;
    this.queue.push(entry);
    this.enforceBound();
    this.metrics.journalPending.set(this.pending);
    if (this.stopped) return;
    if (this.queue.length >= this.config.journal.batchRows && this.failures === 0) this.schedule(0);
    else this.schedule(this.failures ? this.backoffMs() : this.config.journal.flushMs);
  }

  /**
   * Writes everything queued now (waits for the statement in flight first). Throws when PostgreSQL
   * does not take it; the rows stay queued. Used before a rebuild reads the journal, and at shutdown.
   */
  async flush(): Promise<void> {
    for (;;) {
      if (this.inFlight) await this.inFlight.catch(() => undefined);
      if (!this.queue.length) return;
      const failuresBefore = this.failures;
      await this.writeOne();
      if (this.failures > failuresBefore) throw new Error(`journal: PostgreSQL did not take ${this.queue.length} rows`);
    }
  }

  private schedule(delayMs: number): void {
    if (this.inFlight) return; // the statement in flight schedules the next one when it ends
    if (this.timer && delayMs > 0) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.writeOne();
    }, delayMs);
    this.timer.unref();
  }

  private backoffMs(): number {
    return Math.min(MAX_BACKOFF_MS, this.config.journal.flushMs * 2 ** Math.min(this.failures, 10));
  }

  /** One statement: takes a batch off the queue, puts it back at the front when PostgreSQL does not take it. */
  private writeOne(): Promise<void> {
    if (this.inFlight) return this.inFlight;
    if (!this.queue.length) return Promise.resolve();
    const batch = this.queue.splice(0, this.config.journal.batchRows);
    const startedAt = Date.now();
    this.inFlightRows = batch.length;
    this.inFlight = this.repo
      .insertMany(batch)
      .then(() => {
        this.metrics.journalRowsWritten.inc(batch.length);
        if (this.failures) this.logger.log(`journal: PostgreSQL takes batches again (${this.queue.length} rows still queued)`);
        this.failures = 0;
      })
      .catch((e: unknown) => {
        if (storeOfError(e) === 'postgres' || isTransient(e)) {
          this.failures++;
          this.metrics.journalFlushFailures.inc();
          this.queue = batch.concat(this.queue);
          this.enforceBound();
          if (this.failures === 1)
            this.logger.warn(`journal: PostgreSQL unreachable, ${this.queue.length} rows wait in memory: ${(e as Error).message}`);
        } else {
          // A batch PostgreSQL refuses for its content would be refused forever: drop it, loudly.
          this.metrics.journalRowsDropped.inc({ reason: 'refused' }, batch.length);
          this.logger.error({ err: e }, `journal: PostgreSQL refused a batch of ${batch.length} rows; they are lost`);
        }
      })
      .finally(() => {
        this.inFlight = null;
        this.inFlightRows = 0;
        this.metrics.journalPending.set(this.pending);
        // Rows queued meanwhile are younger than this statement: they go once a batch is full, or
        // JOURNAL_FLUSH_MS after it started, so no row waits much longer than the delay.
        if (this.queue.length && !this.stopped) {
          const full = this.queue.length >= this.config.journal.batchRows;
          this.schedule(this.failures ? this.backoffMs() : full ? 0 : Math.max(0, this.config.journal.flushMs - (Date.now() - startedAt)));
        }
      });
    return this.inFlight;
  }

  /**
   * Rows of the statement in flight are not counted: if it fails they come back to the front of the
   * queue and are counted then, so the oldest go first (memory stays under the bound + one batch).
   */
  private enforceBound(): void {
    const over = this.queue.length - this.config.journal.maxPendingRows;
    if (over <= 0) return;
    const dropped = this.queue.splice(0, Math.min(over, this.queue.length)).length;
    this.metrics.journalRowsDropped.inc({ reason: 'overflow' }, dropped);
    this.droppedSinceLog += dropped;
    const now = Date.now();
    if (now - this.lastDropLog >= DROP_LOG_EVERY_MS) {
      this.logger.error(
        `journal: ${this.droppedSinceLog} oldest rows dropped (over JOURNAL_MAX_PENDING_ROWS=${this.config.journal.maxPendingRows} while PostgreSQL is unreachable); a Redis data loss now could not restore them`,
      );
      this.droppedSinceLog = 0;
      this.lastDropLog = now;
    }
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (!this.pending) return;
    const deadline = new Promise<'late'>((r) => setTimeout(() => r('late'), SHUTDOWN_FLUSH_MS).unref());
    const result = await Promise.race([
      this.flush().then(
        () => 'ok' as const,
        () => 'failed' as const,
      ),
      deadline,
    ]);
    if (result !== 'ok' && this.pending) {
      this.metrics.journalRowsDropped.inc({ reason: 'shutdown' }, this.pending);
      this.logger.error(
        `journal: ${this.pending} rows not written before shutdown (PostgreSQL ${result === 'late' ? 'too slow' : 'unreachable'}); they are lost`,
      );
    }
  }
}

function isTransient(e: unknown): boolean {
  const code = (e as { code?: string })?.code ?? '';
  // Serialization failures, deadlocks, lock and statement timeouts, an identity deleted mid-batch (FK): retry.
  return ['40001', '40P01', '55P03', '57014', '23503'].includes(code) || /timeout|terminat|ECONN|connect/i.test((e as Error)?.message ?? '');
}
