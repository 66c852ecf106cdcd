import { PageQuery } from '../common/http/page-query.js';
import { ApiProperty, ApiPropertyOptional, PartialType } from '@nestjs/swagger';
import { IsIn, IsISO8601, IsOptional, IsString, Length, Matches, Validate } from 'class-validator';
import { ACCOUNT_TYPES, LEVELS, WARMUP_MODES } from '../catalog/catalog.types.js';
import { IsIanaTimeZone } from '../common/validation/is-iana-time-zone.js';
import { IDENTITY_MODES, IDENTITY_STATUSES } from './identity.js';
import { LimitOverridesConstraint } from './limit-overrides.constraint.js';

const EXTERNAL_ID = /^[^\s\u0000-\u001f][^\u0000-\u001f]*$/;

export class CreateIdentityDto {
  @ApiProperty({
    description: "The caller's own id for this LinkedIn account, unique in the workspace",
    example: 'li-account-42',
    minLength: 1,
    maxLength: 200,
    pattern: EXTERNAL_ID.source,
  })
  @IsString()
  @Length(1, 200)
  @Matches(EXTERNAL_ID, { message: 'external_id must not start with a space or contain control characters' })
  external_id!: string;

  @ApiPropertyOptional({ type: String, example: 'Alice (SDR)', nullable: true, maxLength: 200 })
  @IsOptional()
  @IsString()
  @Length(0, 200)
  label?: string | null;

  @ApiPropertyOptional({ enum: IDENTITY_MODES, description: 'Default: standard' })
  @IsOptional()
  @IsIn(IDENTITY_MODES)
  mode?: (typeof IDENTITY_MODES)[number];

  @ApiPropertyOptional({ enum: ACCOUNT_TYPES, description: 'Default: free' })
  @IsOptional()
  @IsIn(ACCOUNT_TYPES)
  account_type?: (typeof ACCOUNT_TYPES)[number];

  @ApiPropertyOptional({ example: 'Europe/Paris', description: 'An IANA time zone (default: UTC)' })
  @IsOptional()
  @IsIanaTimeZone()
  timezone?: string;

  @ApiPropertyOptional({ enum: WARMUP_MODES, description: 'Default: standard' })
  @IsOptional()
  @IsIn(WARMUP_MODES)
  warmup?: (typeof WARMUP_MODES)[number];

  @ApiPropertyOptional({ description: 'Start of the warm-up ramp (default: now)', format: 'date-time' })
  @IsOptional()
  @IsISO8601({ strict: true })
  warmup_started_at?: string;

  @ApiPropertyOptional({ enum: LEVELS, description: 'Default: standard' })
  @IsOptional()
  @IsIn(LEVELS)
  level?: (typeof LEVELS)[number];

  @ApiPropertyOptional({
    description: 'Exact thresholds per limit slug (no level or warm-up factor applied)',
    example: { LK_INVITATIONS_SENT: 10 },
    type: 'object',
    additionalProperties: { type: 'integer', minimum: 0, maximum: 1_000_000 },
  })
  @IsOptional()
  @Validate(LimitOverridesConstraint)
  limit_overrides?: Record<string, number>;

  @ApiPropertyOptional({
    enum: IDENTITY_STATUSES,
    description: 'Default: active. paused: its guard refuses every action (409 IDENTITY_PAUSED, backfills excepted) and auto mode skips it',
  })
  @IsOptional()
  @IsIn(IDENTITY_STATUSES)
  status?: (typeof IDENTITY_STATUSES)[number];
}

/** Every field of CreateIdentityDto, each optional (PATCH): one set of rules and one OpenAPI schema. */
export class UpdateIdentityDto extends PartialType(CreateIdentityDto) {}

export class ListIdentitiesQuery extends PageQuery {
  @ApiPropertyOptional({ enum: IDENTITY_MODES })
  @IsOptional()
  @IsIn(IDENTITY_MODES)
  mode?: (typeof IDENTITY_MODES)[number];

  @ApiPropertyOptional({ enum: IDENTITY_STATUSES })
  @IsOptional()
  @IsIn(IDENTITY_STATUSES)
  status?: (typeof IDENTITY_STATUSES)[number];
}

export class IdentityResponse {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty() external_id!: string;
  @ApiProperty({ nullable: true, type: String }) label!: string | null;
  @ApiProperty({ enum: IDENTITY_MODES }) mode!: string;
  @ApiProperty({ enum: ACCOUNT_TYPES }) account_type!: string;
  @ApiProperty() timezone!: string;
  @ApiProperty({ enum: WARMUP_MODES }) warmup!: string;
  @ApiProperty({ format: 'date-time' }) warmup_started_at!: string;
  @ApiProperty({ enum: LEVELS }) level!: string;
  @ApiProperty({ type: 'object', additionalProperties: { type: 'integer', minimum: 0 } }) limit_overrides!: Record<string, number>;
  @ApiProperty({ enum: IDENTITY_STATUSES }) status!: string;
  @ApiProperty({ format: 'date-time' }) created_at!: string;
  @ApiProperty({ format: 'date-time' }) updated_at!: string;
}

export class IdentityPage {
  @ApiProperty({ type: [IdentityResponse] }) data!: IdentityResponse[];
  @ApiProperty({ nullable: true, type: String, description: 'Pass as cursor for the next page; null on the last page' })
  next_cursor!: string | null;
}
