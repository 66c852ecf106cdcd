import { type Logger } from '@nestjs/common';
import { storeOfError } from '../errors/store-errors.js';

export interface JobTickOptions {
  /** Named in the log line of a failed run. */
  name: string;
  logger: Logger;
  /** Checked on every tick (JOBS_ENABLED). */
  enabled: () => boolean;
  /** A tick that finds a run in flight asks for one more right after it (e.g. Redis came back mid-pass). */
  rerunWhenBusy?: boolean;
}

/**
 * One scheduled job's ticks on one instance: single flight (a tick while a run is in flight starts
 * none, so slow runs never pile up), a failed run logged and never thrown into the scheduler (a store
 * outage as a warning, anything else as an error with its stack), and a stop that waits for the run
 * in flight (shutdown). Jobs that must run once across instances also take a lock inside `run`.
 */
export class JobTick<T> {
  private current: Promise<T | undefined> | null = null;
  private again = false;
  private halted = false;

  constructor(
    private readonly run: () => Promise<T>,
    private readonly opts: JobTickOptions,
  ) {}

  /** True once stop() was called: long runs check it between batches. */
  get stopped(): boolean {
    return this.halted;
  }

  /** Starts a run unless stopped, disabled or already running; returns the run it started or joined. */
  tick(): Promise<T | undefined> | undefined {
    if (this.halted || !this.opts.enabled()) return undefined;
    if (this.current) {
      if (!this.opts.rerunWhenBusy) return undefined;
      this.again = true;
      return this.current;
    }
    this.current = this.run()
      .catch((e: unknown) => {
        const err = e instanceof Error ? e : new Error(String(e));
        if (storeOfError(err)) this.opts.logger.warn(`${this.opts.name} failed: ${err.message}`);
        else this.opts.logger.error({ err }, `${this.opts.name} failed`);
        return undefined;
      })
      .finally(() => {
        this.current = null;
        if (this.again && !this.halted) {
          this.again = false;
          void this.tick();
        }
      });
    return this.current;
  }

  /** Starts no further run and waits for the one in flight. */
  async stop(): Promise<void> {
    this.halted = true;
    await this.current;
  }
}
