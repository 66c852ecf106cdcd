import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { InvitationSummaryResponse } from '../invitations/invitations.dto.js';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsISO8601,
  IsOptional,
  IsString,
  IsUUID,
  Length,
  Max,
  Min,
} from 'class-validator';

/** Schedule mode (SPEC 4b): the fields both guard bodies share. */
export class ScheduleFieldsDto {
  @ApiPropertyOptional({
    enum: ['earliest'],
    description:
      'Schedule mode: instead of refusing, record the action at the earliest time (≥ now and ≥ not_before) that passes every rule, answered as scheduled_at. Not with occurred_at.',
  })
  @IsOptional()
  @IsIn(['earliest'])
  when?: 'earliest';

  @ApiPropertyOptional({ format: 'date-time', description: 'Schedule mode: plan no earlier than this (default now; at most 30 days ahead)' })
  @IsOptional()
  @IsISO8601({ strict: true })
  not_before?: string;

  @ApiPropertyOptional({
    format: 'date-time',
    description: 'Schedule mode: plan no later than this (default: 7 days after now or not_before; at most 30 days ahead); 429 when no time fits',
  })
  @IsOptional()
  @IsISO8601({ strict: true })
  not_after?: string;
}

export class GuardDto extends ScheduleFieldsDto {
  @ApiProperty({
    description: "The caller's id of this action (1–128 chars); retries with the same id are idempotent",
    example: 'job-81723-step-2',
    minLength: 1,
    maxLength: 128,
  })
  @IsString()
  @Length(1, 128)
  action_id!: string;

  @ApiPropertyOptional({
    type: 'integer',
    minimum: 1,
    maximum: 10000,
    description: 'Units consumed (e.g. profiles returned by a search); default: 1',
  })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(10000)
  cost?: number;

  @ApiPropertyOptional({
    format: 'date-time',
    description: 'Backfill of an action already done (not in the future, not older than the longest window)',
  })
  @IsOptional()
  @IsISO8601({ strict: true })
  occurred_at?: string;

  @ApiPropertyOptional({ description: 'Decide without recording (default: false)' })
  @IsOptional()
  @IsBoolean()
  dry_run?: boolean;

  @ApiPropertyOptional({
    minLength: 1,
    maxLength: 256,
    description:
      'Invitation actions only: the person invited (profile URL, URN or id, compared exactly). A person whose invitation is pending or accepted is refused with 409 ALREADY_INVITED, one withdrawn under 21 days ago with 429 REINVITE_TOO_SOON; neither spends quota.',
    example: 'https://www.linkedin.com/in/jane-doe',
  })
  @IsOptional()
  @IsString()
  @Length(1, 256)
  target?: string;
}

export class ReleaseDto {
  @ApiProperty({ example: 'job-81723-step-2', minLength: 1, maxLength: 128 })
  @IsString()
  @Length(1, 128)
  action_id!: string;
}

export class AutoGuardDto extends ScheduleFieldsDto {
  @ApiProperty({ example: 'job-81723-step-2', minLength: 1, maxLength: 128 })
  @IsString()
  @Length(1, 128)
  action_id!: string;

  @ApiPropertyOptional({
    type: 'array',
    items: { type: 'string', format: 'uuid' },
    minItems: 1,
    maxItems: 1000,
    description: 'Candidate identities (default: every active identity of the workspace)',
  })
  @IsOptional()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(1000)
  @IsUUID('all', { each: true })
  identity_ids?: string[];

  @ApiPropertyOptional({ type: 'integer', minimum: 1, maximum: 10000, description: 'Default: 1' })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(10000)
  cost?: number;

  @ApiPropertyOptional({ description: 'Default: false' })
  @IsOptional()
  @IsBoolean()
  dry_run?: boolean;
}

export class GuardLimitState {
  @ApiProperty({ example: 'LK_INVITATIONS_SENT' }) slug!: string;
  @ApiProperty({ type: 'integer', example: 86400 }) window_seconds!: number;
  @ApiProperty({ type: 'integer', example: 25 }) max_limit!: number;
  @ApiProperty({ type: 'integer', example: 3 }) consumed!: number;
  @ApiProperty({ type: 'integer', example: 22 }) remaining!: number;
  @ApiProperty({ type: 'integer', example: 0, description: 'Units planned ahead of now (schedule mode); they count from their scheduled time' })
  scheduled!: number;
  @ApiProperty({
    type: String,
    format: 'date-time',
    nullable: true,
    description: 'When there is room for one more action at every instant it would count (now when there is room); null when it never fits',
  })
  available_at!: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true, description: 'When the window is empty again' })
  reset_at!: string | null;
}

export class GuardResponse {
  @ApiProperty() allowed!: boolean;
  @ApiProperty({ format: 'uuid' }) identity_id!: string;
  @ApiProperty({ example: 'linkedin-connect-profile' }) action!: string;
  @ApiProperty() action_id!: string;
  @ApiProperty({ description: 'Whether this call recorded the action' }) recorded!: boolean;
  @ApiProperty({ description: 'A retry of an action already recorded' }) duplicate!: boolean;
  @ApiPropertyOptional() dry_run?: boolean;
  @ApiPropertyOptional({
    format: 'date-time',
    description: 'Schedule mode: when the action is planned (perform it then); also on a retry of an action planned ahead of now',
  })
  scheduled_at?: string;
  @ApiPropertyOptional({ description: 'Present when Redis was unreachable and GUARD_FAIL_MODE=open allowed the action unrecorded' })
  fail_open?: boolean;
  @ApiProperty({ type: [GuardLimitState] }) limits!: GuardLimitState[];
}

export class ReleaseResponse {
  @ApiProperty() released!: boolean;
}

export class EdgesLimit {
  @ApiProperty() slug!: string;
  @ApiProperty() name!: string;
  @ApiProperty({ type: 'integer' }) max_limit!: number;
  @ApiProperty({ type: 'integer', description: 'Units in the window now (planned actions count from their time, not before)' })
  consumed!: number;
  @ApiProperty({ type: 'integer' }) remaining!: number;
  @ApiProperty({ type: 'integer', description: 'Units planned ahead of now (schedule mode), not yet in consumed' })
  scheduled!: number;
  @ApiProperty() has_reached_limit!: boolean;
  @ApiProperty({ format: 'date-time', description: 'Start of the sliding window (now − window)' }) started_at!: string;
  @ApiProperty({ format: 'date-time', description: 'End of the sliding window (now)' }) ended_at!: string;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) first_consumption_at!: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) last_consumption_at!: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) available_at!: string | null;
  @ApiProperty({ type: 'integer' }) window_seconds!: number;
  @ApiProperty({
    example: 0.4,
    description:
      "The share of the limit's full threshold that warm-up allows now: max_limit is default × level × this (1: warm-up is over, does not touch this limit, or an override applies)",
  })
  warmup_factor!: number;
}

export class EdgesLimitsResponse {
  @ApiProperty({ format: 'uuid' }) identity_id!: string;
  @ApiPropertyOptional() action_slug?: string;
  @ApiProperty({ example: 'standard' }) level!: string;
  @ApiProperty({ example: 1 }) standard_level!: number;
  @ApiProperty({
    example: 1,
    description:
      "Factor on the invitation limits' thresholds from the acceptance rate (SPEC §5b): 0.5 while below 30 %, else 1; already applied to their max_limit (not to overrides)",
  })
  acceptance_factor!: number;
  @ApiProperty({ type: InvitationSummaryResponse, description: 'Pending invitations and the acceptance rate with its sample' })
  invitations!: InvitationSummaryResponse;
  @ApiProperty({ type: [EdgesLimit] }) limits!: EdgesLimit[];
}

export class BlockedRuleDto {
  @ApiProperty({ enum: ['cooldown', 'window', 'burst', 'gap', 'in_flight', 'working_hours', 'pending_invitations', 'acceptance_rate', 'reinvite'] })
  rule!: string;
  @ApiPropertyOptional({
    type: String,
    nullable: true,
    example: 'LK_INVITATIONS_SENT',
    description: 'The limit the rule is about (window, burst, gap, a limit-scoped cooldown)',
  })
  limit?: string | null;
  @ApiPropertyOptional({ type: Number, nullable: true, example: 900, description: 'The full window (main or burst)' })
  window_seconds?: number | null;
  @ApiProperty({
    type: String,
    format: 'date-time',
    nullable: true,
    description: 'When this rule alone passes; null: never by itself (a person or a configuration must act)',
  })
  until!: string | null;
  @ApiPropertyOptional({ format: 'date-time', description: 'For a gap: the recorded action it waits after' })
  last_action_at?: string;
}

export class NextResponse {
  @ApiProperty({ format: 'uuid' }) identity_id!: string;
  @ApiProperty({ example: 'linkedin-connect-profile' }) action!: string;
  @ApiProperty({ format: 'date-time' }) now!: string;
  @ApiProperty({
    type: String,
    format: 'date-time',
    nullable: true,
    description: 'The earliest time the action passes every rule at once (now when allowed now); null: no time will do',
  })
  available_at!: string | null;
  @ApiProperty() allowed_now!: boolean;
  @ApiProperty({ type: [BlockedRuleDto], description: 'Every rule that refuses now' }) blocked_by!: BlockedRuleDto[];
}

export class ScheduleQueryDto {
  @ApiPropertyOptional({ format: 'date-time', description: 'Planned at or after this time (default: now)' })
  @IsOptional()
  @IsISO8601({ strict: true })
  from?: string;

  @ApiPropertyOptional({ format: 'date-time', description: 'Planned before this time (default: no end)' })
  @IsOptional()
  @IsISO8601({ strict: true })
  to?: string;
}

export class PlannedActionDto {
  @ApiProperty({ example: 'linkedin-connect-profile' }) action!: string;
  @ApiProperty({ example: 'campaign-7-lead-12' }) action_id!: string;
  @ApiProperty({ format: 'date-time' }) scheduled_at!: string;
}

export class ScheduleResponse {
  @ApiProperty({ format: 'uuid' }) identity_id!: string;
  @ApiProperty({ format: 'date-time' }) from!: string;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) to!: string | null;
  @ApiProperty({ type: [PlannedActionDto], description: 'Planned actions, earliest first' }) actions!: PlannedActionDto[];
}
