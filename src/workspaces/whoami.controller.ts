import { Controller, Get, Req, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { type AuthedRequest } from '../common/auth/auth-context.js';
import { WorkspaceAuthGuard } from './workspace-auth.guard.js';
import { ApiErrors } from '../common/http/api-errors.decorator.js';

/** Cheapest authenticated route: lets a client check its key (and is the benchmarks' baseline). */
@ApiTags('workspace')
@ApiBearerAuth('workspace')
@UseGuards(WorkspaceAuthGuard)
@Controller('v1/whoami')
export class WhoamiController {
  @Get()
  @ApiOperation({ operationId: 'whoami', summary: 'The workspace and key the request authenticated as' })
  @ApiOkResponse({
    schema: {
      type: 'object',
      required: ['workspace_id', 'key_id'],
      properties: { workspace_id: { type: 'string', format: 'uuid' }, key_id: { type: 'string', format: 'uuid' } },
    },
  })
  @ApiErrors(401)
  whoami(@Req() req: AuthedRequest) {
    return { workspace_id: req.auth!.workspaceId, key_id: req.auth!.keyId };
  }
}
