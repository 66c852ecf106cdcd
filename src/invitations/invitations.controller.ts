import { Body, Controller, Get, HttpCode, Param, Post, Put, Query, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { WorkspaceId } from '../common/auth/auth-context.js';
import { WorkspaceAuthGuard } from '../workspaces/workspace-auth.guard.js';
import { ApiError } from '../common/errors/api-error.js';
import { decodeCursor, encodeCursor } from '../common/http/cursor.js';
import { ApiErrors } from '../common/http/api-errors.decorator.js';
import { INVITATION_RULES } from './invitation-rules.js';
import {
  InvitationPage,
  ListInvitationsQuery,
  ReconcileInvitationsDto,
  ReconcileInvitationsResponse,
  ReportInvitationDto,
  ReportInvitationResponse,
} from './invitations.dto.js';
import { InvitationsService, toInvitationView } from './invitations.service.js';

const CURSOR_KIND = 'v';

/** `<known_since ISO>|<id>`: the last row of the previous page, oldest first. */
function listPosition(payload: string): { knownSince: Date; id: string } | null {
  const m = /^([^|]+)\|(\d{1,18})$/.exec(payload);
  const knownSince = m ? new Date(m[1]) : null;
  return m && knownSince && !Number.isNaN(knownSince.getTime()) ? { knownSince, id: m[2] } : null;
}

function checkedTarget(target: string): string {
  if (!target || target.length > INVITATION_RULES.maxTargetLength) {
    throw ApiError.badRequest('Invalid target', { target: [`must be 1–${INVITATION_RULES.maxTargetLength} characters (URL-encode it in the path)`] });
  }
  return target;
}

@ApiTags('invitations')
@ApiBearerAuth('workspace')
@UseGuards(WorkspaceAuthGuard)
@Controller('v1/identities/:identityId/invitations')
export class InvitationsController {
  constructor(private readonly invitations: InvitationsService) {}

  @Get()
  @ApiOperation({
    operationId: 'listInvitations',
    summary: "An identity's invitations, oldest first (filters status, older_than_days; keyset paging)",
    description:
      'status=pending&older_than_days=21 is the list to withdraw first (at most 100 a day is the safe pace). Ordered by known_since: sent_at, or when a reconcile first saw an invitation sent before the service knew it.',
  })
  @ApiOkResponse({ type: InvitationPage })
  @ApiErrors(400, 401, 404, 429, 503)
  async list(@WorkspaceId() ws: string, @Param('identityId') id: string, @Query() q: ListInvitationsQuery): Promise<InvitationPage> {
    const limit = q.limit ?? 50;
    const { rows, more } = await this.invitations.list(ws, id, {
      status: q.status,
      olderThanDays: q.older_than_days,
      limit,
      after: q.cursor ? decodeCursor(q.cursor, CURSOR_KIND, listPosition) : null,
    });
    const last = rows[rows.length - 1];
    return {
      data: rows.map(toInvitationView),
      next_cursor: more && last ? encodeCursor(CURSOR_KIND, `${last.knownSince.toISOString()}|${last.id}`) : null,
    };
  }

  @Put('pending')
  @HttpCode(200)
  @ApiOperation({
    operationId: 'reconcilePendingInvitations',
    summary: "Reconcile with LinkedIn's list of pending sent invitations",
    description:
      `Up to ${INVITATION_RULES.maxReconcileTargets} targets (a bigger list is a 400 naming the limit; this route reads bodies up to 320 KiB). ` +
      'Pending invitations known before as_of that the list omits are marked withdrawn at as_of (report acceptances first); ' +
      'listed targets unknown here are added as pending with an unknown sent_at; listed ones recorded otherwise become pending again.',
  })
  @ApiOkResponse({ type: ReconcileInvitationsResponse })
  @ApiErrors(400, 401, 404, 413, 429, 503)
  reconcile(@WorkspaceId() ws: string, @Param('identityId') id: string, @Body() dto: ReconcileInvitationsDto): Promise<ReconcileInvitationsResponse> {
    return this.invitations.reconcile(ws, id, dto.targets, dto.as_of ? new Date(dto.as_of) : undefined);
  }

  @Post(':target')
  @HttpCode(200)
  @ApiOperation({
    operationId: 'reportInvitation',
    summary: 'Report what became of an invitation: accepted, declined, withdrawn or expired',
    description:
      "Applies to the target's latest invitation (one the service never saw is recorded with an unknown sent_at). The same status again is a no-op (changed: false). " +
      'A withdrawn person may be invited again after 21 days.',
  })
  @ApiParam({ name: 'target', description: "The person invited, as in the guard's target (URL-encoded; 1–256 chars)" })
  @ApiOkResponse({ type: ReportInvitationResponse })
  @ApiErrors(400, 401, 404, 413, 429, 503)
  report(
    @WorkspaceId() ws: string,
    @Param('identityId') id: string,
    @Param('target') target: string,
    @Body() dto: ReportInvitationDto,
  ): Promise<ReportInvitationResponse> {
    return this.invitations.report(ws, id, checkedTarget(target), dto.status, dto.at ? new Date(dto.at) : undefined);
  }
}
