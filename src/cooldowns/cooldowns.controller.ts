import { Body, Controller, Get, HttpCode, Param, Post, Query, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CatalogService } from '../catalog/catalog.service.js';
import { WorkspaceId } from '../common/auth/auth-context.js';
import { WorkspaceAuthGuard } from '../workspaces/workspace-auth.guard.js';
import { Clock } from '../common/clock.js';
import { ApiError } from '../common/errors/api-error.js';
import { ApiErrors } from '../common/http/api-errors.decorator.js';
import { IdentitiesService } from '../identities/identities.service.js';
import { InvitationsService } from '../invitations/invitations.service.js';
import { ClearResponse, CooldownHistoryQuery, CooldownPage, CooldownResponse, ManualCooldownDto } from './cooldowns.dto.js';
import { CooldownsService } from './cooldowns.service.js';
import { type IdentityRef } from './cooldowns.repository.js';
import { toCooldownView } from './cooldown.types.js';
import { decodeCursor, encodeCursor } from '../common/http/cursor.js';
import { isUuid } from '../common/validation/uuid.js';

/** History is paged by (started_at, id), newest first: the cursor is the last row's pair. */
const CURSOR_KIND = 'c';

function historyPosition(payload: string): { startedAt: Date; id: string } | null {
  const m = /^([^|]+)\|(.+)$/.exec(payload);
  const startedAt = m ? new Date(m[1]) : null;
  return m && startedAt && !Number.isNaN(startedAt.getTime()) && isUuid(m[2]) ? { startedAt, id: m[2] } : null;
}

@ApiTags('cooldowns')
@ApiBearerAuth('workspace')
@UseGuards(WorkspaceAuthGuard)
@Controller('v1/identities/:identityId/cooldowns')
export class CooldownsController {
  constructor(
    private readonly cooldowns: CooldownsService,
    private readonly identities: IdentitiesService,
    private readonly catalog: CatalogService,
    private readonly clock: Clock,
    private readonly invitations: InvitationsService,
  ) {}

  /** 404 for unknown ids and other workspaces' identities alike. */
  private async ref(ws: string, id: string): Promise<IdentityRef> {
    const identity = await this.identities.get(ws, id);
    return { workspaceId: ws, identityId: identity.id };
  }

  @Get()
  @ApiOperation({ operationId: 'listCooldowns', summary: 'Cooldown history of an identity, newest first (keyset paging: limit, cursor)' })
  @ApiOkResponse({ type: CooldownPage })
  @ApiErrors(400, 401, 404, 429, 503)
  async history(@WorkspaceId() ws: string, @Param('identityId') id: string, @Query() q: CooldownHistoryQuery): Promise<CooldownPage> {
    const ref = await this.ref(ws, id);
    const limit = q.limit ?? 50;
    const rows = await this.cooldowns.history(ref, q.cursor ? decodeCursor(q.cursor, CURSOR_KIND, historyPosition) : null, limit + 1);
    const page = rows.slice(0, limit);
    const now = this.clock.now();
    const last = page[page.length - 1];
    return {
      data: page.map((c) => toCooldownView(c, now)),
      next_cursor: rows.length > limit && last ? encodeCursor(CURSOR_KIND, `${last.startedAt.toISOString()}|${last.id}`) : null,
    };
  }

  @Post()
  @ApiOperation({ operationId: 'startCooldown', summary: 'Start a cooldown by hand: the whole identity, or one limit' })
  @ApiCreatedResponse({ type: CooldownResponse })
  @ApiErrors(400, 401, 404, 413, 429, 503)
  async start(@WorkspaceId() ws: string, @Param('identityId') id: string, @Body() dto: ManualCooldownDto): Promise<CooldownResponse> {
    if (dto.limit !== undefined && !this.catalog.limit(dto.limit)) {
      throw ApiError.badRequest(`Unknown limit ${dto.limit}`, { limit: ['unknown limit; see GET /v1/catalog'] });
    }
    const ref = await this.ref(ws, id);
    const row = await this.cooldowns.startManual(ref, { durationSeconds: dto.duration_seconds, reason: dto.reason, limit: dto.limit ?? null });
    return toCooldownView(row, this.clock.now());
  }

  @Post('clear')
  @HttpCode(200)
  @ApiOperation({
    operationId: 'clearCooldowns',
    summary: 'End every cooldown the identity is serving (after a person solved a checkpoint or reconnected), and lift an acceptance-rate refusal',
  })
  @ApiOkResponse({ type: ClearResponse })
  @ApiErrors(401, 404, 429, 503)
  async clear(@WorkspaceId() ws: string, @Param('identityId') id: string): Promise<ClearResponse> {
    const ref = await this.ref(ws, id);
    const now = this.clock.now();
    const cleared = (await this.cooldowns.clear(ref)).map((c) => toCooldownView(c, now));
    return { cleared, acceptance_refusal_cleared: await this.invitations.clearRefusal(ref) };
  }
}
