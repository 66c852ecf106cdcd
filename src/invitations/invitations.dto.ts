import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsIn, IsInt, IsISO8601, IsOptional, IsString, Length, Max, Min } from 'class-validator';
import { PageQuery } from '../common/http/page-query.js';
import { INVITATION_RULES, INVITATION_STATUSES, RESOLVED_STATUSES } from './invitation-rules.js';

export class ReportInvitationDto {
  @ApiProperty({ enum: RESOLVED_STATUSES, description: 'What became of the invitation on LinkedIn' })
  @IsIn(RESOLVED_STATUSES, { message: `status must be one of: ${RESOLVED_STATUSES.join(', ')}` })
  status!: (typeof RESOLVED_STATUSES)[number];

  @ApiPropertyOptional({ format: 'date-time', description: 'When it happened (default: now; not in the future)' })
  @IsOptional()
  @IsISO8601({ strict: true })
  at?: string;
}

export class ReconcileInvitationsDto {
  @ApiProperty({
    type: [String],
    maxItems: INVITATION_RULES.maxReconcileTargets,
    description: `Every target LinkedIn's sent-invitations page lists as pending (at most ${INVITATION_RULES.maxReconcileTargets}, each 1–${INVITATION_RULES.maxTargetLength} chars; duplicates count once)`,
    example: ['https://www.linkedin.com/in/jane-doe', 'ACoAAB1x2y3'],
  })
  @IsArray()
  @ArrayMaxSize(INVITATION_RULES.maxReconcileTargets, {
    message: `targets must contain at most ${INVITATION_RULES.maxReconcileTargets} elements (the reconcile limit); send LinkedIn's list as it is, it stops near 700`,
  })
  @IsString({ each: true })
  @Length(1, INVITATION_RULES.maxTargetLength, { each: true })
  targets!: string[];

  @ApiPropertyOptional({
    format: 'date-time',
    description: 'When the list was read (default: now; within the last 7 days). Invitations sent after it are left alone.',
  })
  @IsOptional()
  @IsISO8601({ strict: true })
  as_of?: string;
}

export class ListInvitationsQuery extends PageQuery {
  @ApiPropertyOptional({ enum: INVITATION_STATUSES })
  @IsOptional()
  @IsIn(INVITATION_STATUSES, { message: `status must be one of: ${INVITATION_STATUSES.join(', ')}` })
  status?: (typeof INVITATION_STATUSES)[number];

  @ApiPropertyOptional({
    minimum: 0,
    maximum: 3650,
    description: 'Only invitations sent (or first seen by a reconcile) more than this many days ago',
  })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(3650)
  older_than_days?: number;
}

export class InvitationResponse {
  @ApiProperty({ nullable: true, type: String, description: "The caller's id of the person; null when the guard call named none" })
  target!: string | null;
  @ApiProperty({ nullable: true, type: String, description: 'The guard call that sent it; null when a reconcile or a report found it' })
  action_id!: string | null;
  @ApiProperty({ format: 'date-time', nullable: true, type: String, description: 'null: sent before the service knew of it' })
  sent_at!: string | null;
  @ApiProperty({ format: 'date-time', description: 'sent_at, or when a reconcile or report first saw it (the list is ordered by it)' })
  known_since!: string;
  @ApiProperty({ enum: INVITATION_STATUSES }) status!: string;
  @ApiProperty({ format: 'date-time', nullable: true, type: String }) resolved_at!: string | null;
}

export class InvitationPage {
  @ApiProperty({ type: [InvitationResponse] }) data!: InvitationResponse[];
  @ApiProperty({ nullable: true, type: String, description: 'pass as cursor for the next page; null on the last' }) next_cursor!: string | null;
}

export class AcceptanceRateResponse {
  @ApiProperty({ nullable: true, type: Number, description: 'accepted / sample_size; null while the sample is under min_sample' })
  rate!: number | null;
  @ApiProperty({ description: 'Invitations sent 7–37 days ago' }) sample_size!: number;
  @ApiProperty() accepted!: number;
  @ApiProperty({ example: INVITATION_RULES.sampleMin }) min_sample!: number;
  @ApiProperty({ description: 'The rate is below 30 %' }) low_acceptance!: boolean;
  @ApiProperty({ example: 1, description: 'Factor on the invitation thresholds: 0.5 while the rate is below 30 %' })
  threshold_factor!: number;
  @ApiProperty({ description: 'Invitations are refused (rate below 15 %, not cleared by a person)' }) refusing!: boolean;
}

export class InvitationSummaryResponse {
  @ApiProperty() pending_invitations!: number;
  @ApiProperty({ example: INVITATION_RULES.pendingWarning }) pending_warning_at!: number;
  @ApiProperty({ example: INVITATION_RULES.pendingRefuse }) pending_refused_at!: number;
  @ApiProperty({ type: AcceptanceRateResponse }) acceptance_rate!: AcceptanceRateResponse;
}

export class ReportInvitationResponse {
  @ApiProperty({ type: InvitationResponse }) invitation!: InvitationResponse;
  @ApiProperty({ description: 'false when the invitation already had this status (a retry)' }) changed!: boolean;
  @ApiProperty({ type: InvitationSummaryResponse }) summary!: InvitationSummaryResponse;
}

export class ReconcileInvitationsResponse {
  @ApiProperty({ description: 'Pending invitations after the reconcile' }) pending!: number;
  @ApiProperty({ description: 'Listed targets the service did not know: added as pending, sent_at unknown' }) added!: number;
  @ApiProperty({ description: 'Listed targets recorded otherwise here (accepted, withdrawn…): pending again' }) reopened!: number;
  @ApiProperty({ description: 'Pending invitations not listed: marked withdrawn at as_of' }) withdrawn!: number;
  @ApiProperty({ format: 'date-time' }) as_of!: string;
  @ApiProperty({ type: InvitationSummaryResponse }) summary!: InvitationSummaryResponse;
}
