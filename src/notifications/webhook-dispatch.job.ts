import { type BeforeApplicationShutdown, Injectable, Logger } from '@nestjs/common';
import { Interval } from '@nestjs/schedule';
import { JobTick } from '../common/jobs/job-tick.js';
import { AppConfig } from '../config/app-config.js';
import { WebhookDispatcher } from './webhook-dispatcher.js';

/** Every second, send what is due (cooldown.ended must reach receivers within seconds of expiry). */
@Injectable()
export class WebhookDispatchJob implements BeforeApplicationShutdown {
  // Single flight: a slow round (receivers timing out) must not pile ticks on top of each other.
  private readonly ticks: JobTick<number>;

  constructor(
    private readonly dispatcher: WebhookDispatcher,
    private readonly config: AppConfig,
  ) {
    this.ticks = new JobTick(() => this.dispatcher.runOnce(), {
      name: 'webhook dispatch tick',
      logger: new Logger('WebhookDispatchJob'),
      enabled: () => this.config.jobsEnabled,
    });
  }

  @Interval('webhook-dispatch', 1000)
  tick(): Promise<number | undefined> | undefined {
    return this.ticks.tick();
  }

  /** Let the round in flight settle its deliveries, so a clean stop never causes a resend. */
  async beforeApplicationShutdown(): Promise<void> {
    this.dispatcher.stop();
    await this.ticks.stop();
  }
}
