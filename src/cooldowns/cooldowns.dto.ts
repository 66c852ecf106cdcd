import { PageQuery } from '../common/http/page-query.js';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsInt, IsOptional, IsString, Length, Matches, Max, Min } from 'class-validator';

const YEAR_SECONDS = 365 * 86_400;

export class ManualCooldownDto {
  @ApiProperty({ type: 'integer', minimum: 1, maximum: YEAR_SECONDS, example: 3600, description: 'How long the cooldown lasts (no jitter)' })
  @IsInt()
  @Min(1)
  @Max(YEAR_SECONDS)
  duration_seconds!: number;

  @ApiProperty({
    example: 'owner is travelling',
    minLength: 1,
    maxLength: 200,
    description: 'Why (shown in the history, the guard refusal and events)',
  })
  @IsString()
  @Length(1, 200)
  reason!: string;

  @ApiPropertyOptional({
    example: 'LK_INVITATIONS_SENT',
    pattern: '^[A-Z0-9_]{1,64}$',
    description: 'Cool down only this limit (default: the whole identity)',
  })
  @IsOptional()
  @IsString()
  @Matches(/^[A-Z0-9_]{1,64}$/, { message: 'limit must be a limit slug (GET /v1/catalog)' })
  limit?: string;
}

export class CooldownHistoryQuery extends PageQuery {}

export class CooldownResponse {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ format: 'uuid' }) identity_id!: string;
  @ApiProperty({ enum: ['identity', 'limits'] }) scope!: string;
  @ApiProperty({ type: [String], description: 'Limits cooled down; empty when the whole identity is' }) limits!: string[];
  @ApiProperty({ example: 'STATUS_429_STRIKE_1' }) reason!: string;
  @ApiProperty({ type: 'integer', description: 'Escalation level (1–3 for LinkedIn 429s, 1 otherwise)' }) level!: number;
  @ApiProperty({ enum: ['outcome', 'manual'] }) source!: string;
  @ApiProperty({ nullable: true, type: 'integer', description: 'Status code of the outcome that started it' }) source_status!: number | null;
  @ApiProperty({ nullable: true, type: String }) action_slug!: string | null;
  @ApiProperty() at_risk!: boolean;
  @ApiProperty({ format: 'date-time' }) started_at!: string;
  @ApiProperty({ format: 'date-time', nullable: true, type: String, description: 'null: until a person clears it' }) ends_at!: string | null;
  @ApiProperty({ format: 'date-time', nullable: true, type: String }) ended_at!: string | null;
  @ApiProperty({ enum: ['expiry', 'cleared', 'superseded'], nullable: true, type: String }) ended_by!: string | null;
  @ApiProperty({ description: 'Still enforced now' }) active!: boolean;
}

export class CooldownPage {
  @ApiProperty({ type: [CooldownResponse] }) data!: CooldownResponse[];
  @ApiProperty({ nullable: true, type: String }) next_cursor!: string | null;
}

export class ClearResponse {
  @ApiProperty({ type: [CooldownResponse], description: 'The cooldowns this call ended' }) cleared!: CooldownResponse[];
  @ApiProperty({
    description: 'An acceptance-rate refusal (rate below 15 %) was lifted too; it stays lifted until the rate recovers and falls again',
  })
  acceptance_refusal_cleared!: boolean;
}

export class ClassificationResponse {
  @ApiProperty({
    enum: [
      'success',
      'internal',
      'detected',
      'passive',
      'weekly_limit',
      'antibot',
      'challenge',
      'restricted',
      'auth_expired',
      'transient',
      'client_error',
      'unknown',
    ],
  })
  type!: string;
  @ApiProperty({ type: 'integer' }) status_code!: number;
  @ApiProperty({ nullable: true, type: String }) error_label!: string | null;
  @ApiProperty({ enum: ['linkedin', 'smart-limits', 'api', 'network', 'upstream'] }) origin!: string;
  @ApiProperty() retryable!: boolean;
  @ApiProperty({ nullable: true, type: 'integer' }) retry_after_seconds!: number | null;
  @ApiProperty({ description: 'The evidence that decided, e.g. linkedin_429, http_999, checkpoint_challenge' }) signal!: string;
  @ApiProperty({ enum: ['none', 'strike', 'note_limit', 'weekly_limit', 'antibot', 'challenge', 'restricted', 'auth_expired'] })
  cooldown_rule!: string;
}

export class ClassifyResponse {
  @ApiProperty({ type: ClassificationResponse }) classification!: ClassificationResponse;
}

export class OutcomeResponse {
  @ApiProperty({ type: ClassificationResponse }) classification!: ClassificationResponse;
  @ApiProperty({ type: CooldownResponse, nullable: true, description: 'The cooldown now in force because of this outcome, or null' })
  cooldown!: CooldownResponse | null;
  @ApiProperty({
    enum: ['none', 'started', 'extended', 'absorbed'],
    description: 'started: a new cooldown; extended: a running one was prolonged; absorbed: a running one already covers it',
  })
  effect!: string;
}
