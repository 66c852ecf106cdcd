import { ApiProperty, ApiPropertyOptional, PartialType, PickType } from '@nestjs/swagger';
import { IsInt, IsObject, IsOptional, IsString, Length, Max, Min } from 'class-validator';
import { z } from 'zod';
import { customLimitsSchema } from '../tiers/effective-limits.js';

/** The JSON Schema of custom limits, from the zod schema that validates them (one source). */
const { $schema: _dialect, ...CUSTOM_LIMITS_SCHEMA } = z.toJSONSchema(customLimitsSchema, { target: 'draft-2020-12', io: 'input' }) as Record<
  string,
  unknown
>;
import { planCreditRangesText } from '../tiers/plan-credit-ranges.js';

const MONTHLY_CREDITS = `Selects the plan tier: ${planCreditRangesText()} (each tier's limits: GET /v1/tiers)`;

export class CreateWorkspaceDto {
  @ApiProperty({ example: 'Acme outbound', minLength: 1, maxLength: 200 })
  @IsString()
  @Length(1, 200)
  name!: string;

  @ApiProperty({ type: 'integer', minimum: 0, maximum: 1_000_000_000_000, example: 25000, description: MONTHLY_CREDITS })
  @IsInt()
  @Min(0)
  @Max(1_000_000_000_000)
  monthly_credits!: number;
}

/** monthly_credits as on create (optional), and the negotiated limits (PATCH only). */
export class UpdateWorkspaceDto extends PartialType(PickType(CreateWorkspaceDto, ['monthly_credits'] as const)) {
  @ApiPropertyOptional({
    description:
      'Negotiated limits replacing the tier\'s where given; null removes them. Keys: "/v1/actions", "/v1/identities", "/v1/workspaces", "/v1/runs/outputs" ({per_second, per_minute}), concurrent_runs, batches_per_run, daily_api_limit',
    example: { '/v1/actions': { per_second: 5, per_minute: 300 }, daily_api_limit: 500000 },
    ...CUSTOM_LIMITS_SCHEMA,
    nullable: true,
  })
  @IsOptional()
  @IsObject()
  custom_limits?: Record<string, unknown> | null;
}

export class WorkspaceResponse {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty() name!: string;
  @ApiProperty({ type: 'integer' }) monthly_credits!: number;
  @ApiProperty({ example: 'Silver' }) plan_tier!: string;
  @ApiProperty({ ...CUSTOM_LIMITS_SCHEMA, nullable: true, description: "Negotiated limits replacing the tier's where given; null when none" })
  custom_limits?: Record<string, unknown> | null;
  @ApiProperty({ format: 'date-time' }) created_at!: string;
}

export class CreatedWorkspaceResponse extends WorkspaceResponse {
  @ApiProperty({ description: 'Shown once; store it now' }) api_key!: string;
}

export class CreateApiKeyDto {
  @ApiPropertyOptional({
    example: 'worker fleet eu',
    minLength: 1,
    maxLength: 100,
    description: "Tells the workspace's keys apart in GET …/api-keys",
  })
  @IsOptional()
  @IsString()
  @Length(1, 100)
  name?: string;
}

export class CreatedApiKeyResponse {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ type: String, nullable: true, example: 'worker fleet eu' }) name!: string | null;
  @ApiProperty({ description: 'Shown once; store it now' }) api_key!: string;
}

export class ApiKeyResponse {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ type: String, nullable: true, example: 'worker fleet eu' }) name!: string | null;
  @ApiProperty({ example: 'sl_live_k3Jd', description: 'The first characters of the key, to recognise it; never the key itself' }) prefix!: string;
  @ApiProperty({ format: 'date-time' }) created_at!: string;
  @ApiProperty({
    type: String,
    format: 'date-time',
    nullable: true,
    description: 'To the minute: written at most once a minute per key; null when never used',
  })
  last_used_at!: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true, description: 'Set once revoked; a revoked key gets 401' }) revoked_at!:
    string | null;
}

export class ApiKeyList {
  @ApiProperty({ type: [ApiKeyResponse], description: 'Every key of the workspace, revoked ones included, oldest first' }) data!: ApiKeyResponse[];
}
