import { ApiProperty, ApiPropertyOptional, getSchemaPath } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, ArrayNotEmpty, ArrayUnique, IsArray, IsIn, IsInt, IsOptional, IsString, Length, Max, MaxLength, Min } from 'class-validator';
import { WEBHOOK_EVENT_TYPES } from './webhook-events.js';

export class CreateWebhookDto {
  @ApiProperty({
    description:
      'http(s) URL receiving a POST per event. Loopback, private, link-local, unique-local and multicast targets (also after DNS resolution) are refused unless WEBHOOK_ALLOW_PRIVATE_NETWORKS=true.',
    example: 'https://hooks.example.com/smart-limits',
    maxLength: 2048,
  })
  @IsString()
  @MaxLength(2048)
  url!: string;

  @ApiProperty({
    enum: WEBHOOK_EVENT_TYPES,
    isArray: true,
    minItems: 1,
    maxItems: WEBHOOK_EVENT_TYPES.length,
    uniqueItems: true,
    example: ['cooldown.started', 'cooldown.ended'],
  })
  @IsArray()
  @ArrayNotEmpty()
  @ArrayUnique()
  @ArrayMaxSize(WEBHOOK_EVENT_TYPES.length)
  @IsIn(WEBHOOK_EVENT_TYPES, { each: true, message: `each value in events must be one of: ${WEBHOOK_EVENT_TYPES.join(', ')}` })
  events!: string[];
}

export class WebhookResponse {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty() url!: string;
  @ApiProperty({ enum: WEBHOOK_EVENT_TYPES, isArray: true }) events!: string[];
  @ApiProperty({ format: 'date-time' }) created_at!: string;
}

export class CreatedWebhookResponse extends WebhookResponse {
  @ApiProperty({
    description:
      'Signing secret, shown only in this response: store it now. Verify SmartLimits-Signature with it (verifySignature of smart-limits-client).',
    example: 'whsec_3q2-7wAbCdEf…',
  })
  secret!: string;
}

export class WebhookList {
  @ApiProperty({ type: [WebhookResponse] }) data!: WebhookResponse[];
}

export class TestEventResponse {
  @ApiProperty({ format: 'uuid', description: 'Id of the webhook.test event (also sent as SmartLimits-Event-Id)' }) event_id!: string;
  @ApiProperty({ format: 'uuid' }) delivery_id!: string;
}

export class ListDeliveriesQuery {
  @ApiPropertyOptional({ type: 'integer', minimum: 1, maximum: 100, description: 'Default: 20' })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(100)
  limit?: number;

  @ApiPropertyOptional({ description: 'next_cursor from the previous page', minLength: 1, maxLength: 100 })
  @IsOptional()
  @IsString()
  @Length(1, 100)
  cursor?: string;
}

export class DeliveryAttemptResponse {
  @ApiProperty({ type: 'integer', description: '1 for the first attempt' }) attempt!: number;
  @ApiProperty({ format: 'date-time' }) attempted_at!: string;
  @ApiProperty({
    nullable: true,
    type: 'integer',
    description: "The receiver's HTTP status; null when no answer (refused target, timeout, connection error)",
  })
  status_code!: number | null;
  @ApiProperty({ type: 'integer', description: 'Milliseconds from sending to the answer (or the failure)' }) latency_ms!: number;
  @ApiProperty({ nullable: true, type: String }) error!: string | null;
}

export class DeliveryResponse {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ format: 'uuid' }) event_id!: string;
  @ApiProperty({ example: 'cooldown.started' }) event_type!: string;
  @ApiProperty({ enum: ['pending', 'delivered', 'failed'], description: 'failed: not delivered within 24 hours of the first attempt' })
  status!: string;
  @ApiProperty({ nullable: true, type: String, format: 'date-time', description: 'When it is (re)tried; null once delivered or failed' })
  next_attempt_at!: string | null;
  @ApiProperty({ format: 'date-time' }) created_at!: string;
  @ApiProperty({ nullable: true, type: String, format: 'date-time' }) delivered_at!: string | null;
  @ApiProperty({ type: [DeliveryAttemptResponse] }) attempts!: DeliveryAttemptResponse[];
}

export class DeliveryPage {
  @ApiProperty({ type: [DeliveryResponse], description: 'Newest first' }) data!: DeliveryResponse[];
  @ApiProperty({ nullable: true, type: String }) next_cursor!: string | null;
}

/** `data` of invitations.pending_high. */
export class InvitationsPendingHighData {
  @ApiProperty({ format: 'uuid' }) identity_id!: string;
  @ApiProperty() external_id!: string;
  @ApiProperty({ nullable: true, type: String }) label!: string | null;
  @ApiProperty({ example: 500, description: 'Pending invitations when the line was crossed' }) pending_invitations!: number;
  @ApiProperty({ example: 500 }) warning_at!: number;
  @ApiProperty({ example: 700, description: 'From this many pending, invitations are refused (rule pending_invitations)' }) refused_at!: number;
}

/** `data` of identity.low_acceptance. */
export class IdentityLowAcceptanceData {
  @ApiProperty({ format: 'uuid' }) identity_id!: string;
  @ApiProperty() external_id!: string;
  @ApiProperty({ nullable: true, type: String }) label!: string | null;
  @ApiProperty({ example: 0.22, description: 'Accepted share of the invitations sent 7–37 days ago' }) acceptance_rate!: number;
  @ApiProperty({ example: 41 }) sample_size!: number;
  @ApiProperty({ example: 9 }) accepted!: number;
  @ApiProperty({ example: 0.5, description: 'Factor now on the invitation thresholds' }) threshold_factor!: number;
  @ApiProperty({ description: 'Below 15 %: invitations are refused (rule acceptance_rate) until the rate recovers or a person clears it' })
  refusing!: boolean;
}

/** The body POSTed to a webhook (documented for receivers; `data` depends on `type`). */
export class WebhookEventPayload {
  @ApiProperty({ format: 'uuid', description: 'Event id, the same on every retry (also the SmartLimits-Event-Id header): de-duplicate on it' })
  id!: string;
  @ApiProperty({ enum: [...WEBHOOK_EVENT_TYPES, 'webhook.test'] }) type!: string;
  @ApiProperty({ format: 'date-time', description: 'When the event happened' }) created_at!: string;
  @ApiProperty({ format: 'uuid' }) workspace_id!: string;
  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    anyOf: [
      { $ref: getSchemaPath(InvitationsPendingHighData) },
      { $ref: getSchemaPath(IdentityLowAcceptanceData) },
      { type: 'object', additionalProperties: true },
    ],
    description:
      'Event details; every identity event carries identity_id, external_id and label (as they were when the event happened). cooldown.started: cooldown (the cooldown as GET …/cooldowns shows it), classification (null for a manual one), extends (the cooldown it lengthens, if any). cooldown.ended: cooldown, ended_by (expiry, cleared, superseded), superseded_by. identity.at_risk: cooldown_id, reason, level, ends_at. limit.warning (80 %) / limit.reached: action, limit, consumed, max, at. quota.warning: the workspace API limit and its usage. ' +
      'invitations.pending_high (pending invitations reached 500; once per crossing): pending_invitations, warning_at, refused_at (schema InvitationsPendingHighData). ' +
      'identity.low_acceptance (the acceptance rate fell below 30 % or below 15 %; once per crossing): acceptance_rate, sample_size, accepted, threshold_factor, refusing (schema IdentityLowAcceptanceData). ' +
      'webhook.test: webhook_id, message.',
    example: {
      identity_id: '5d1f6a2e-8c4b-4f0a-9d3e-2b7c1a9e4f10',
      external_id: 'crm-4711',
      label: 'Ana (sales)',
      action: 'linkedin-connect-profile',
      limit: 'LK_INVITATIONS_SENT',
      consumed: 16,
      max: 20,
      at: '2026-11-23T10:00:00.000Z',
    },
  })
  data!: Record<string, unknown>;
}
