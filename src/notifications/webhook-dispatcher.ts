import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { Clock } from '../common/clock.js';
import { AppConfig } from '../config/app-config.js';
import { type ClaimedDelivery, DeliveriesRepository } from './deliveries.repository.js';
import { DEFAULT_RETRY_POLICY, nextAttemptAt, type RetryPolicy } from './retry-policy.js';
import { EVENT_ID_HEADER, SIGNATURE_HEADER, signPayload } from 'smart-limits-client/webhooks';
import { type WebhookEventBody } from './webhook-events.js';
import { postWebhook, type SendResult } from './webhook-post.js';
import { type Resolver, systemResolver } from './webhook-target.js';

export interface DispatchOptions {
  retry: RetryPolicy;
  /** Per POST; a receiver should answer fast and do its work later. */
  timeoutMs: number;
  /** Deliveries claimed per round. */
  batchSize: number;
  /** Outbox events fanned out per round. */
  fanOutBatchSize: number;
  /** How long a claim holds before another instance may try (longer than any POST). */
  leaseMs: number;
  /** A tick stops starting rounds after this long, so ticks stay short. */
  tickBudgetMs: number;
  resolve: Resolver;
}

export const DISPATCH_OPTIONS = Symbol('DISPATCH_OPTIONS');

export const DEFAULT_DISPATCH_OPTIONS: DispatchOptions = {
  retry: DEFAULT_RETRY_POLICY,
  timeoutMs: 10_000,
  batchSize: 25,
  fanOutBatchSize: 500,
  leaseMs: 60_000,
  tickBudgetMs: 10_000,
  resolve: systemResolver,
};

function eventBody(d: Pick<ClaimedDelivery, 'eventId' | 'eventType' | 'eventCreatedAt' | 'workspaceId' | 'identityId' | 'payload'>): string {
  const body: WebhookEventBody = {
    id: d.eventId,
    type: d.eventType,
    created_at: new Date(d.eventCreatedAt).toISOString(),
    workspace_id: d.workspaceId,
    data: { ...(d.identityId ? { identity_id: d.identityId } : {}), ...d.payload },
  };
  return JSON.stringify(body);
}

/**
 * Sends due webhook deliveries: claim (lease), POST signed, settle. Every instance may run it at
 * once: claims never overlap, so in normal operation each event reaches each subscription once;
 * after a crash mid-POST the lease lapses and the delivery is sent again (receivers de-duplicate by
 * the event id header).
 */
@Injectable()
export class WebhookDispatcher {
  private readonly logger = new Logger('Webhooks');
  private stopping = false;

  constructor(
    private readonly deliveries: DeliveriesRepository,
    private readonly clock: Clock,
    private readonly config: AppConfig,
    @Inject(DISPATCH_OPTIONS) private readonly options: DispatchOptions,
  ) {}

  /**
   * Fans new outbox events out into deliveries and sends everything due now, round after round
   * within the tick budget; returns the attempts made.
   */
  async runOnce(): Promise<number> {
    const started = Date.now();
    let attempts = 0;
    while (!this.stopping) {
      const now = this.clock.now();
      const fanned = await this.deliveries.fanOutEvents(now, this.options.fanOutBatchSize);
      const claimed = await this.deliveries.claimDueDeliveries(
        now,
        new Date(now.getTime() + this.options.leaseMs),
        randomUUID(),
        this.options.batchSize,
      );
      if (!claimed.length && !fanned) break;
      // One claim holds at most one delivery per identity and subscription, so these may go in parallel.
      await Promise.all(claimed.map((d) => this.attempt(d)));
      attempts += claimed.length;
      if (Date.now() - started > this.options.tickBudgetMs) break;
    }
    return attempts;
  }

  /** A resolver that hangs must not hold a round longer than a POST may. */
  private readonly boundedResolve: Resolver = (host) =>
    Promise.race([
      this.options.resolve(host),
      new Promise<never>((_, reject) => setTimeout(() => reject(new Error('DNS lookup timed out')), this.options.timeoutMs).unref()),
    ]);

  /** Finish the current round and start no other (shutdown). */
  stop(): void {
    this.stopping = true;
  }

  private async attempt(d: ClaimedDelivery): Promise<void> {
    const attemptedAt = this.clock.now();
    const t0 = performance.now();
    const result = await this.send(d, attemptedAt);
    const latencyMs = Math.round(performance.now() - t0);
    let outcome: { status: 'delivered' } | { status: 'failed' } | { status: 'pending'; nextAttemptAt: Date };
    if (result.ok) {
      outcome = { status: 'delivered' };
    } else {
      const next = nextAttemptAt(this.options.retry, d.attempt, d.firstAttemptAt, this.clock.now());
      outcome = next ? { status: 'pending', nextAttemptAt: next } : { status: 'failed' };
    }
    await this.deliveries.recordAttempt(d, { attemptedAt, statusCode: result.statusCode, latencyMs, error: result.error, outcome });
    // Ids only: the URL may carry a token of the receiver's, and the secret never leaves the claim.
    const entry = {
      webhookId: d.subscriptionId,
      deliveryId: d.id,
      eventId: d.eventId,
      eventType: d.eventType,
      attempt: d.attempt,
      statusCode: result.statusCode,
      latencyMs,
      outcome: outcome.status,
    };
    if (outcome.status === 'failed') this.logger.warn({ ...entry, error: result.error }, 'webhook delivery failed for good');
    else if (outcome.status === 'pending') this.logger.log({ ...entry, error: result.error }, 'webhook attempt failed; will retry');
    else this.logger.debug(entry, 'webhook delivered');
  }

  private send(d: ClaimedDelivery, at: Date): Promise<SendResult> {
    const body = eventBody(d);
    return postWebhook(
      {
        url: d.url,
        headers: {
          'content-type': 'application/json',
          'user-agent': 'smart-limits-webhooks/1',
          [SIGNATURE_HEADER]: signPayload(d.secret, body, Math.floor(at.getTime() / 1000)),
          [EVENT_ID_HEADER]: d.eventId,
          'SmartLimits-Event-Type': d.eventType,
          'SmartLimits-Delivery-Attempt': String(d.attempt),
        },
        body,
      },
      { allowPrivate: this.config.webhookAllowPrivateNetworks, resolve: this.boundedResolve, timeoutMs: this.options.timeoutMs },
    );
  }
}
