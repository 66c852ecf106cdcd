import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { WorkspaceId } from '../common/auth/auth-context.js';
import { WorkspaceAuthGuard } from '../workspaces/workspace-auth.guard.js';
import { ApiErrors } from '../common/http/api-errors.decorator.js';
import { CreateIdentityDto, IdentityPage, IdentityResponse, ListIdentitiesQuery, UpdateIdentityDto } from './identities.dto.js';
import { IdentitiesService, toIdentityResponse } from './identities.service.js';

@ApiTags('identities')
@ApiBearerAuth('workspace')
@UseGuards(WorkspaceAuthGuard)
@Controller('v1/identities')
export class IdentitiesController {
  constructor(private readonly identities: IdentitiesService) {}

  @Post()
  @ApiOperation({ operationId: 'createIdentity', summary: 'Register a LinkedIn account (identity) of the workspace' })
  @ApiCreatedResponse({ type: IdentityResponse })
  @ApiErrors(400, 401, 409, 413, 429)
  async create(@WorkspaceId() ws: string, @Body() dto: CreateIdentityDto): Promise<IdentityResponse> {
    return toIdentityResponse(await this.identities.create(ws, dto));
  }

  @Get()
  @ApiOperation({ operationId: 'listIdentities', summary: 'List identities (keyset paging: limit, cursor; filters mode, status)' })
  @ApiOkResponse({ type: IdentityPage })
  @ApiErrors(400, 401, 429)
  list(@WorkspaceId() ws: string, @Query() q: ListIdentitiesQuery): Promise<IdentityPage> {
    return this.identities.list(ws, q);
  }

  @Get(':identityId')
  @ApiOperation({ operationId: 'getIdentity', summary: 'Read an identity' })
  @ApiOkResponse({ type: IdentityResponse })
  @ApiErrors(401, 404, 429)
  async get(@WorkspaceId() ws: string, @Param('identityId') id: string): Promise<IdentityResponse> {
    return toIdentityResponse(await this.identities.get(ws, id));
  }

  @Patch(':identityId')
  @ApiOperation({ operationId: 'updateIdentity', summary: 'Change an identity' })
  @ApiOkResponse({ type: IdentityResponse })
  @ApiErrors(400, 401, 404, 409, 413, 429)
  async update(@WorkspaceId() ws: string, @Param('identityId') id: string, @Body() dto: UpdateIdentityDto): Promise<IdentityResponse> {
    return toIdentityResponse(await this.identities.update(ws, id, dto));
  }

  @Delete(':identityId')
  @HttpCode(204)
  @ApiOperation({ operationId: 'deleteIdentity', summary: 'Delete an identity and all of its Redis state' })
  @ApiNoContentResponse()
  @ApiErrors(401, 404, 429)
  async delete(@WorkspaceId() ws: string, @Param('identityId') id: string): Promise<void> {
    await this.identities.delete(ws, id);
  }
}
