import { type BeforeApplicationShutdown, Injectable, Logger } from '@nestjs/common';
import { Interval } from '@nestjs/schedule';
import { AppConfig } from '../config/app-config.js';
import { WebhookDispatcher } from './webhook-dispatcher.js';

/** Every second, send what is due (cooldown.ended must reach receivers within seconds of expiry). */
@Injectable()
export class WebhookDispatchJob implements BeforeApplicationShutdown {
  private readonly logger = new Logger('WebhookDispatchJob');
  private current: Promise<void> | null = null;

  constructor(
    private readonly dispatcher: WebhookDispatcher,
    private readonly config: AppConfig,
  ) {}

  @Interval('webhook-dispatch', 1000)
  tick(): Promise<void> | undefined {
    // A slow round (receivers timing out) must not pile ticks on top of each other.
    if (!this.config.jobsEnabled || this.current) return;
    this.current = this.dispatcher
      .runOnce()
      .then(() => undefined)
      .catch((e: Error) => this.logger.warn(`webhook dispatch tick failed: ${e.message}`))
      .finally(() => (this.current = null));
    return this.current;
  }

  /** Let the round in flight settle its deliveries, so a clean stop never causes a resend. */
  async beforeApplicationShutdown(): Promise<void> {
    this.dispatcher.stop();
    await this.current;
  }
}
