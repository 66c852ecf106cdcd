import { Controller, Get, Param, Query, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { WorkspaceId } from '../common/auth/auth-context.js';
import { WorkspaceAuthGuard } from '../workspaces/workspace-auth.guard.js';
import { ApiError } from '../common/errors/api-error.js';
import { ApiErrors } from '../common/http/api-errors.decorator.js';
import { decodeCursor, encodeCursor } from '../common/http/cursor.js';
import { IdentitiesService } from '../identities/identities.service.js';
import { ActionsPage, ActionsQuery } from './journal.dto.js';
import { JournalRepository } from './journal.repository.js';

const CURSOR_KIND = 'a';

/** `<recorded_at ISO>|<action_id>`: the keyset position after the last row of a page. */
function position(payload: string): { atMs: number; actionId: string } | null {
  const m = /^([^|]+)\|(.{1,128})$/s.exec(payload);
  const at = m ? Date.parse(m[1]) : NaN;
  return m && !Number.isNaN(at) ? { atMs: at, actionId: m[2] } : null;
}

@ApiTags('identities')
@ApiBearerAuth('workspace')
@UseGuards(WorkspaceAuthGuard)
@Controller('v1/identities/:identityId/actions')
export class JournalController {
  constructor(
    private readonly identities: IdentitiesService,
    private readonly journal: JournalRepository,
  ) {}

  @Get()
  @ApiOperation({
    operationId: 'listIdentityActions',
    summary: 'Recorded actions of an identity from the journal, newest first (keyset paging: limit, cursor; from inclusive, to exclusive)',
    description:
      'Every action the guard recorded (released ones too, with released_at), kept JOURNAL_RETENTION_DAYS (90). ' +
      'The journal is written in batches: an action appears here within about JOURNAL_FLUSH_MS (100 ms) of its guard call.',
  })
  @ApiOkResponse({ type: ActionsPage })
  @ApiErrors(400, 401, 404, 429, 503)
  async list(@WorkspaceId() ws: string, @Param('identityId') id: string, @Query() q: ActionsQuery): Promise<ActionsPage> {
    const fromMs = q.from !== undefined ? Date.parse(q.from) : undefined;
    const toMs = q.to !== undefined ? Date.parse(q.to) : undefined;
    if (fromMs !== undefined && toMs !== undefined && fromMs >= toMs) {
      throw ApiError.badRequest('Invalid query', { from: ['must be before to'] });
    }
    const identity = await this.identities.get(ws, id);
    const limit = q.limit ?? 50;
    const rows = await this.journal.page(ws, identity.id, {
      fromMs,
      toMs,
      after: q.cursor ? decodeCursor(q.cursor, CURSOR_KIND, position) : undefined,
      limit: limit + 1,
    });
    const page = rows.slice(0, limit);
    const last = page[page.length - 1];
    return {
      data: page.map((r) => ({
        action_id: r.actionId,
        action: r.actionSlug,
        limits: r.limits,
        cost: r.cost,
        kind: r.kind,
        recorded_at: r.recordedAt.toISOString(),
        decided_at: r.decidedAt.toISOString(),
        released_at: r.releasedAt?.toISOString() ?? null,
      })),
      next_cursor: rows.length > limit && last ? encodeCursor(CURSOR_KIND, `${last.recordedAt.toISOString()}|${last.actionId}`) : null,
    };
  }
}
