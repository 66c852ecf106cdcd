import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsInt, IsOptional, IsString, Length, Matches, Max, Min } from 'class-validator';

export class TakeRunDto {
  @ApiProperty({ example: 'run_2026_11_22_001', minLength: 1, maxLength: 128, pattern: '^[A-Za-z0-9._:-]+$' })
  @IsString()
  @Length(1, 128)
  @Matches(/^[A-Za-z0-9._:-]+$/, { message: 'run_id may contain letters, digits and . _ : -' })
  run_id!: string;

  @ApiProperty({ type: 'integer', minimum: 1, maximum: 10000, example: 2 })
  @IsInt()
  @Min(1)
  @Max(10000)
  batches!: number;

  @ApiPropertyOptional({
    type: 'integer',
    minimum: 10,
    maximum: 3600,
    description: 'Lease length; renew with heartbeats before it ends (default: 60)',
  })
  @IsOptional()
  @IsInt()
  @Min(10)
  @Max(3600)
  lease_seconds?: number;
}

export class HeartbeatDto {
  @ApiPropertyOptional({ type: 'integer', minimum: 10, maximum: 3600, description: 'Default: 60' })
  @IsOptional()
  @IsInt()
  @Min(10)
  @Max(3600)
  lease_seconds?: number;
}

export class RunLeaseResponse {
  @ApiProperty() run_id!: string;
  @ApiPropertyOptional({ type: 'integer', description: 'On POST /v1/runs only' }) batches?: number;
  @ApiProperty({ format: 'date-time' }) expires_at!: string;
  @ApiProperty({ type: 'integer' }) active_runs!: number;
  @ApiProperty({ type: 'integer' }) concurrent_runs!: number;
}
