import { Body, Controller, Delete, Get, HttpCode, Param, Post, Query, UseGuards } from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiBearerAuth,
  ApiBody,
  ApiCallbacks,
  ApiCreatedResponse,
  ApiExtraModels,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import { WorkspaceId } from '../common/auth/auth-context.js';
import { WorkspaceAuthGuard } from '../workspaces/workspace-auth.guard.js';
import { ApiErrors } from '../common/http/api-errors.decorator.js';
import { EVENT_ID_HEADER, SIGNATURE_HEADER } from 'smart-limits-client/webhooks';
import {
  CreatedWebhookResponse,
  CreateWebhookDto,
  DeliveryPage,
  IdentityLowAcceptanceData,
  InvitationsPendingHighData,
  ListDeliveriesQuery,
  TestEventResponse,
  WebhookEventPayload,
  WebhookList,
  WebhookResponse,
} from './webhooks.dto.js';
import { WebhooksService } from './webhooks.service.js';

const DELIVERY_DOC =
  `Each event is POSTed as JSON (schema ${'`WebhookEventPayload`'}: {id, type, created_at, workspace_id, data}) with ` +
  `${SIGNATURE_HEADER}: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, t + "." + raw body)> and ${EVENT_ID_HEADER}: <event id>. ` +
  'Any 2xx acknowledges; anything else (including redirects and no answer within 10 s) is retried with exponential backoff and jitter ' +
  'for 24 hours, then the delivery is failed. Delivery is at least once: de-duplicate on the event id. Per identity, events arrive in order.';

@ApiTags('webhooks')
@ApiBearerAuth('workspace')
@ApiExtraModels(WebhookEventPayload, InvitationsPendingHighData, IdentityLowAcceptanceData)
@UseGuards(WorkspaceAuthGuard)
@Controller('v1/webhooks')
export class WebhooksController {
  constructor(private readonly webhooks: WebhooksService) {}

  @Post()
  @ApiOperation({
    operationId: 'createWebhook',
    summary: 'Subscribe a URL to events; the signing secret is shown only in this response',
    description: DELIVERY_DOC,
  })
  @ApiBody({ type: CreateWebhookDto })
  @ApiCreatedResponse({ type: CreatedWebhookResponse })
  @ApiCallbacks({
    name: 'event',
    callbackUrl: '{$request.body#/url}',
    method: 'post',
    requestBody: { type: WebhookEventPayload },
    expectedResponse: { status: 200, description: 'Any 2xx acknowledges the event; anything else is retried' },
  })
  @ApiErrors(400, 401, 409, 413, 429)
  // The body is validated by the service together with the URL's target (all problems at once).
  create(@WorkspaceId() ws: string, @Body() body: unknown): Promise<CreatedWebhookResponse> {
    return this.webhooks.create(ws, body);
  }

  @Get()
  @ApiOperation({ operationId: 'listWebhooks', summary: "The workspace's webhooks (never their secrets)" })
  @ApiOkResponse({ type: WebhookList })
  @ApiErrors(401, 429)
  async list(@WorkspaceId() ws: string): Promise<WebhookList> {
    return { data: await this.webhooks.list(ws) };
  }

  @Get(':webhookId')
  @ApiOperation({ operationId: 'getWebhook', summary: 'Read a webhook (never its secret)' })
  @ApiOkResponse({ type: WebhookResponse })
  @ApiErrors(401, 404, 429)
  get(@WorkspaceId() ws: string, @Param('webhookId') id: string): Promise<WebhookResponse> {
    return this.webhooks.get(ws, id);
  }

  @Delete(':webhookId')
  @HttpCode(204)
  @ApiOperation({ operationId: 'deleteWebhook', summary: 'Delete a webhook; its pending deliveries are dropped' })
  @ApiNoContentResponse()
  @ApiErrors(401, 404, 429)
  async delete(@WorkspaceId() ws: string, @Param('webhookId') id: string): Promise<void> {
    await this.webhooks.delete(ws, id);
  }

  @Post(':webhookId/test')
  @HttpCode(202)
  @ApiOperation({ operationId: 'testWebhook', summary: 'Queue a webhook.test event to this webhook only (delivered like any event)' })
  @ApiAcceptedResponse({ type: TestEventResponse })
  @ApiErrors(401, 404, 429)
  sendTest(@WorkspaceId() ws: string, @Param('webhookId') id: string): Promise<TestEventResponse> {
    return this.webhooks.sendTest(ws, id);
  }

  @Get(':webhookId/deliveries')
  @ApiOperation({
    operationId: 'listWebhookDeliveries',
    summary: "A webhook's deliveries, newest first, each with every attempt (time, HTTP status, latency, error)",
  })
  @ApiOkResponse({ type: DeliveryPage })
  @ApiErrors(400, 401, 404, 429)
  deliveries(@WorkspaceId() ws: string, @Param('webhookId') id: string, @Query() q: ListDeliveriesQuery): Promise<DeliveryPage> {
    return this.webhooks.deliveriesOf(ws, id, q);
  }
}
