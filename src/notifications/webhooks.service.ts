import { randomBytes } from 'node:crypto';
import { Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { ApiError } from '../common/errors/api-error.js';
import { createValidationPipe, validationFailed } from '../common/validation/validation.pipe.js';
import { Clock } from '../common/clock.js';
import { AppConfig } from '../config/app-config.js';
import { DeliveriesRepository, type DeliveryView } from './deliveries.repository.js';
import { DISPATCH_OPTIONS, type DispatchOptions } from './webhook-dispatcher.js';
import { TEST_EVENT_TYPE } from './webhook-events.js';
import { checkWebhookTarget } from './webhook-target.js';
import {
  type CreatedWebhookResponse,
  CreateWebhookDto,
  type DeliveryPage,
  type DeliveryResponse,
  type TestEventResponse,
  type WebhookResponse,
} from './webhooks.dto.js';
import { type WebhookSubscription, WebhooksRepository } from './webhooks.repository.js';
import { decodeCursor, encodeCursor } from '../common/http/cursor.js';

type Validated = { dto: CreateWebhookDto; error: null } | { dto: null; error: unknown };

/** Enough for every integration a workspace runs; bounds the fan-out work of one event. */
const MAX_WEBHOOKS_PER_WORKSPACE = 20;

enum WebhookErrorLabel {
  WEBHOOK_URL_REFUSED = 'WEBHOOK_URL_REFUSED',
  WEBHOOK_LIMIT = 'WEBHOOK_LIMIT',
}

function toResponse(s: WebhookSubscription): WebhookResponse {
  return { id: s.id, url: s.url, events: s.events, created_at: s.createdAt.toISOString() };
}

function toDelivery(d: DeliveryView): DeliveryResponse {
  return {
    id: d.id,
    event_id: d.eventId,
    event_type: d.eventType,
    status: d.status,
    next_attempt_at: d.nextAttemptAt ? d.nextAttemptAt.toISOString() : null,
    created_at: d.createdAt.toISOString(),
    delivered_at: d.deliveredAt ? d.deliveredAt.toISOString() : null,
    attempts: d.attempts,
  };
}

/** Deliveries are paged by their sequence number: the cursor is the last one shown. */
const CURSOR_KIND = 'd';
const deliverySeq = (payload: string): string | null => (/^\d{1,18}$/.test(payload) ? payload : null);

/** Where a refused private address can be allowed: named in the refusal, so nobody has to search for it. */
const PRIVATE_NETWORKS_SETTING = 'WEBHOOK_ALLOW_PRIVATE_NETWORKS';

@Injectable()
export class WebhooksService implements OnApplicationBootstrap {
  private readonly logger = new Logger('Webhooks');

  constructor(
    private readonly webhooks: WebhooksRepository,
    private readonly deliveries: DeliveriesRepository,
    private readonly config: AppConfig,
    private readonly clock: Clock,
    @Inject(DISPATCH_OPTIONS) private readonly options: DispatchOptions,
  ) {}

  onApplicationBootstrap(): void {
    if (this.config.webhookAllowPrivateNetworks) {
      this.logger.warn(
        `${PRIVATE_NETWORKS_SETTING}=true: webhooks may target loopback, private and cloud-metadata addresses (a workspace key can make this service call into its network); keep it off in production`,
      );
    }
  }

  private readonly bodyPipe = createValidationPipe();

  /**
   * Validates the body and checks the URL's target (DNS included) together, so a bad URL is listed
   * with every other field problem at once: VALIDATION_FAILED naming them all, or
   * WEBHOOK_URL_REFUSED when the target is the only problem.
   */
  async create(workspaceId: string, body: unknown): Promise<CreatedWebhookResponse> {
    const rawUrl = typeof body === 'object' && body !== null ? (body as { url?: unknown }).url : undefined;
    const [validated, target] = await Promise.all([
      this.bodyPipe.transform(body, { type: 'body', metatype: CreateWebhookDto }).then(
        (dto: CreateWebhookDto): Validated => ({ dto, error: null }),
        (error: unknown): Validated => ({ dto: null, error }),
      ),
      typeof rawUrl === 'string'
        ? checkWebhookTarget(rawUrl, { allowPrivate: this.config.webhookAllowPrivateNetworks, resolve: this.options.resolve })
        : null,
    ]);
    const refused =
      target && !target.ok
        ? target.reason === 'private'
          ? `${target.message}; an operator allows private networks with ${PRIVATE_NETWORKS_SETTING}=true (development and trusted networks only)`
          : target.message
        : null;
    if (validated.dto === null) {
      if (!(validated.error instanceof ApiError) || !refused) throw validated.error;
      const details = { ...(validated.error.details as Record<string, string[]>) };
      details.url = [...(details.url ?? []), refused];
      throw validationFailed(details);
    }
    if (!target || !target.ok) {
      const message = refused ?? 'url must be a string';
      throw new ApiError(400, WebhookErrorLabel.WEBHOOK_URL_REFUSED, `Webhook URL refused: ${message}`, { url: [message] });
    }
    const dto = validated.dto;
    if ((await this.webhooks.countInWorkspace(workspaceId)) >= MAX_WEBHOOKS_PER_WORKSPACE) {
      throw new ApiError(409, WebhookErrorLabel.WEBHOOK_LIMIT, `A workspace has at most ${MAX_WEBHOOKS_PER_WORKSPACE} webhooks; delete one first`);
    }
    const secret = `whsec_${randomBytes(24).toString('base64url')}`;
    const created = await this.webhooks.create(workspaceId, target.url.toString(), dto.events, secret);
    return { ...toResponse(created), secret };
  }

  async list(workspaceId: string): Promise<WebhookResponse[]> {
    return (await this.webhooks.listInWorkspace(workspaceId)).map(toResponse);
  }

  async get(workspaceId: string, id: string): Promise<WebhookResponse> {
    return toResponse(await this.mustFind(workspaceId, id));
  }

  async delete(workspaceId: string, id: string): Promise<void> {
    if (!(await this.webhooks.delete(workspaceId, id))) throw ApiError.notFound('Webhook');
  }

  async sendTest(workspaceId: string, id: string): Promise<TestEventResponse> {
    const hook = await this.mustFind(workspaceId, id);
    const r = await this.deliveries.enqueueTestEvent(
      workspaceId,
      hook.id,
      { webhook_id: hook.id, message: 'Test event from smart-limits', requested_at: this.clock.now().toISOString() },
      TEST_EVENT_TYPE,
      this.clock.now(),
    );
    return { event_id: r.eventId, delivery_id: r.deliveryId };
  }

  async deliveriesOf(workspaceId: string, id: string, q: { limit?: number; cursor?: string }): Promise<DeliveryPage> {
    const hook = await this.mustFind(workspaceId, id);
    const limit = q.limit ?? 20;
    const rows = await this.deliveries.pageForSubscription(hook.id, q.cursor ? decodeCursor(q.cursor, CURSOR_KIND, deliverySeq) : null, limit + 1);
    const page = rows.slice(0, limit);
    return { data: page.map(toDelivery), next_cursor: rows.length > limit ? encodeCursor(CURSOR_KIND, page[page.length - 1].seq) : null };
  }

  private async mustFind(workspaceId: string, id: string): Promise<WebhookSubscription> {
    const hook = await this.webhooks.findInWorkspace(workspaceId, id);
    if (!hook) throw ApiError.notFound('Webhook');
    return hook;
  }
}
