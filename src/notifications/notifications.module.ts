import { Module } from '@nestjs/common';
import { SmartLimitsModule } from '../smart-limits/smart-limits.module.js';
import { DeliveriesRepository } from './deliveries.repository.js';
import { LimitCrossingsRecorder } from './limit-crossings.recorder.js';
import { LimitEventsRepository } from './limit-events.repository.js';
import { WebhookDispatchJob } from './webhook-dispatch.job.js';
import { DEFAULT_DISPATCH_OPTIONS, DISPATCH_OPTIONS, WebhookDispatcher } from './webhook-dispatcher.js';
import { WebhooksController } from './webhooks.controller.js';
import { WebhooksRepository } from './webhooks.repository.js';
import { WebhooksService } from './webhooks.service.js';

/** Webhooks: subscriptions, signed at-least-once delivery from the outbox, limit-crossing events. */
@Module({
  imports: [SmartLimitsModule],
  controllers: [WebhooksController],
  providers: [
    { provide: DISPATCH_OPTIONS, useValue: DEFAULT_DISPATCH_OPTIONS },
    WebhooksRepository,
    DeliveriesRepository,
    LimitEventsRepository,
    WebhooksService,
    WebhookDispatcher,
    WebhookDispatchJob,
    LimitCrossingsRecorder,
  ],
  exports: [WebhooksService],
})
export class NotificationsModule {}
