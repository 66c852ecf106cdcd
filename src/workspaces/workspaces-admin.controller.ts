import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { AdminAuthGuard } from './admin-auth.guard.js';
import { ApiErrors } from '../common/http/api-errors.decorator.js';
import {
  ApiKeyList,
  CreateApiKeyDto,
  CreatedApiKeyResponse,
  CreatedWorkspaceResponse,
  CreateWorkspaceDto,
  UpdateWorkspaceDto,
  WorkspaceResponse,
} from './workspaces.dto.js';
import { toWorkspaceResponse, WorkspacesService } from './workspaces.service.js';

@ApiTags('admin')
@ApiBearerAuth('admin')
@UseGuards(AdminAuthGuard)
@Controller('v1/workspaces')
export class WorkspacesAdminController {
  constructor(private readonly workspaces: WorkspacesService) {}

  @Post()
  @ApiOperation({ operationId: 'createWorkspace', summary: 'Create a workspace and its first API key (shown once)' })
  @ApiCreatedResponse({ type: CreatedWorkspaceResponse })
  @ApiErrors(400, 401, 413)
  create(@Body() dto: CreateWorkspaceDto): Promise<CreatedWorkspaceResponse> {
    return this.workspaces.create(dto.name, dto.monthly_credits);
  }

  @Get(':workspaceId')
  @ApiOperation({ operationId: 'getWorkspace', summary: 'Read a workspace' })
  @ApiOkResponse({ type: WorkspaceResponse })
  @ApiErrors(401, 404)
  async get(@Param('workspaceId') id: string): Promise<WorkspaceResponse> {
    return toWorkspaceResponse(await this.workspaces.get(id));
  }

  @Patch(':workspaceId')
  @ApiOperation({ operationId: 'updateWorkspace', summary: 'Change monthly credits (plan tier) or negotiated custom limits' })
  @ApiOkResponse({ type: WorkspaceResponse })
  @ApiErrors(400, 401, 404, 413)
  async update(@Param('workspaceId') id: string, @Body() dto: UpdateWorkspaceDto): Promise<WorkspaceResponse> {
    return toWorkspaceResponse(await this.workspaces.update(id, dto));
  }

  @Post(':workspaceId/api-keys')
  @ApiOperation({ operationId: 'createApiKey', summary: 'Create another API key for the workspace (shown once), with an optional name' })
  @ApiCreatedResponse({ type: CreatedApiKeyResponse })
  @ApiErrors(400, 401, 404, 413)
  addKey(@Param('workspaceId') id: string, @Body() dto: CreateApiKeyDto): Promise<CreatedApiKeyResponse> {
    return this.workspaces.addKey(id, dto?.name ?? null);
  }

  @Get(':workspaceId/api-keys')
  @ApiOperation({
    operationId: 'listApiKeys',
    summary: "The workspace's API keys: names, creation, last use (to the minute), revocation; never the keys",
  })
  @ApiOkResponse({ type: ApiKeyList })
  @ApiErrors(401, 404)
  async listKeys(@Param('workspaceId') id: string): Promise<ApiKeyList> {
    return { data: await this.workspaces.listKeys(id) };
  }

  @Delete(':workspaceId/api-keys/:keyId')
  @HttpCode(204)
  @ApiOperation({ operationId: 'revokeApiKey', summary: 'Revoke an API key; requests with it get 401 at once' })
  @ApiNoContentResponse()
  @ApiErrors(401, 404)
  async revokeKey(@Param('workspaceId') id: string, @Param('keyId') keyId: string): Promise<void> {
    await this.workspaces.revokeKey(id, keyId);
  }
}
