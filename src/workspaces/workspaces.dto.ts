import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsInt, IsObject, IsOptional, IsString, Length, Max, Min } from 'class-validator';

export class CreateWorkspaceDto {
  @ApiProperty({ example: 'Acme outbound', minLength: 1, maxLength: 200 })
  @IsString()
  @Length(1, 200)
  name!: string;

  @ApiProperty({ example: 25000, description: 'Selects the plan tier (Trial … Titanium)' })
  @IsInt()
  @Min(0)
  @Max(1_000_000_000_000)
  monthly_credits!: number;
}

export class UpdateWorkspaceDto {
  @ApiPropertyOptional({ example: 150000 })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(1_000_000_000_000)
  monthly_credits?: number;

  @ApiPropertyOptional({
    description:
      'Negotiated limits replacing the tier\'s where given; null removes them. Keys: "/v1/actions", "/v1/identities", "/v1/workspaces", "/v1/runs/outputs" ({per_second, per_minute}), concurrent_runs, batches_per_run, daily_api_limit',
    example: { '/v1/actions': { per_second: 5, per_minute: 300 }, daily_api_limit: 500000 },
    nullable: true,
    type: 'object',
    additionalProperties: true,
  })
  @IsOptional()
  @IsObject()
  custom_limits?: Record<string, unknown> | null;
}

export class WorkspaceResponse {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty() name!: string;
  @ApiProperty() monthly_credits!: number;
  @ApiProperty({ example: 'Silver' }) plan_tier!: string;
  @ApiPropertyOptional({ type: 'object', additionalProperties: true, nullable: true })
  custom_limits?: Record<string, unknown> | null;
  @ApiProperty() created_at!: string;
}

export class CreatedWorkspaceResponse extends WorkspaceResponse {
  @ApiProperty({ description: 'Shown once; store it now' }) api_key!: string;
}

export class CreatedApiKeyResponse {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ description: 'Shown once; store it now' }) api_key!: string;
}
