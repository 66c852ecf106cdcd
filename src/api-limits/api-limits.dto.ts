import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsInt, IsOptional, Max, Min } from 'class-validator';
import { ENDPOINT_GROUPS } from '../tiers/endpoint-groups.js';

export class RateLimitCheckDto {
  @ApiProperty({ enum: ENDPOINT_GROUPS, example: '/v1/runs/outputs' })
  @IsIn([...ENDPOINT_GROUPS])
  endpoint!: (typeof ENDPOINT_GROUPS)[number];

  @ApiPropertyOptional({ type: 'integer', minimum: 1, maximum: 1000, description: 'Default: 1' })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(1000)
  cost?: number;
}
