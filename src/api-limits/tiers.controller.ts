import { Controller, Get, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { ApiErrors } from '../common/http/api-errors.decorator.js';
import { tiersTable } from '../tiers/effective-limits.js';
import { AdminOrWorkspaceAuthGuard } from '../workspaces/admin-or-workspace-auth.guard.js';
import { SEED_429 } from './api-limits.controller.js';
import { TIERS_SCHEMA } from './api-limits.schemas.js';

@ApiTags('workspace')
@ApiBearerAuth('workspace')
@ApiBearerAuth('admin')
@UseGuards(AdminOrWorkspaceAuthGuard)
@Controller('v1')
export class TiersController {
  @Get('tiers')
  @ApiOperation({
    operationId: 'getTiers',
    summary: 'Both tier tables: plan tiers (monthly credits) and engagement tiers (engagement identities)',
    description:
      'With a workspace key (counted against /v1/workspaces) or the admin key (an operator reads them before creating a workspace; not counted).',
  })
  @ApiOkResponse({ schema: TIERS_SCHEMA })
  @ApiResponse(SEED_429)
  @ApiErrors(401)
  tiers() {
    return tiersTable();
  }
}
