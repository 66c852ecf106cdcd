import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsISO8601, IsOptional } from 'class-validator';
import { PageQuery } from '../common/http/page-query.js';

export class ActionsQuery extends PageQuery {
  @ApiPropertyOptional({ format: 'date-time', description: 'only actions recorded at or after this time' })
  @IsOptional()
  @IsISO8601({ strict: true })
  from?: string;

  @ApiPropertyOptional({ format: 'date-time', description: 'only actions recorded before this time' })
  @IsOptional()
  @IsISO8601({ strict: true })
  to?: string;
}

export class JournalActionView {
  @ApiProperty({ description: "the caller's action_id", minLength: 1, maxLength: 128 }) action_id!: string;
  @ApiProperty({ example: 'linkedin-connect-profile' }) action!: string;
  @ApiProperty({ type: [String], description: 'the limits it was recorded in' }) limits!: string[];
  @ApiProperty({ type: 'integer', minimum: 1 }) cost!: number;
  @ApiProperty({ enum: ['now', 'backfill', 'scheduled'], description: 'recorded at the guard call, backfilled (occurred_at), or scheduled ahead' })
  kind!: string;
  @ApiProperty({ format: 'date-time', description: 'when it counts in the windows (occurred_at of a backfill, scheduled_at of a scheduled action)' })
  recorded_at!: string;
  @ApiProperty({ format: 'date-time', description: 'when the guard recorded it' }) decided_at!: string;
  @ApiProperty({ format: 'date-time', nullable: true, type: String, description: 'when it was released (its slots freed); null: it stands' })
  released_at!: string | null;
}

export class ActionsPage {
  @ApiProperty({ type: [JournalActionView] }) data!: JournalActionView[];
  @ApiProperty({ nullable: true, type: String }) next_cursor!: string | null;
}
