import { Controller, Get, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { WorkspaceAuthGuard } from '../workspaces/workspace-auth.guard.js';
import { ApiErrors } from '../common/http/api-errors.decorator.js';
import { CatalogService } from './catalog.service.js';

const CATALOG_SCHEMA = {
  type: 'object',
  required: ['actions', 'limits', 'levels', 'warmup'],
  properties: {
    actions: {
      type: 'array',
      items: {
        type: 'object',
        required: ['slug', 'limits', 'account_types'],
        properties: {
          slug: { type: 'string', example: 'linkedin-connect-profile' },
          limits: { type: 'array', items: { type: 'string' }, example: ['LK_INVITATIONS_SENT', 'LK_INVITATIONS_WEEKLY'] },
          account_types: { type: 'array', items: { type: 'string' } },
        },
      },
    },
    limits: {
      type: 'array',
      items: {
        type: 'object',
        required: ['slug', 'name', 'window_seconds', 'default_max'],
        properties: {
          slug: { type: 'string', example: 'LK_INVITATIONS_SENT' },
          name: { type: 'string' },
          window_seconds: { type: 'integer', example: 86400 },
          default_max: {
            type: 'object',
            required: ['free', 'premium', 'sales_navigator', 'recruiter'],
            properties: {
              free: { type: 'integer' },
              premium: { type: 'integer' },
              sales_navigator: { type: 'integer' },
              recruiter: { type: 'integer' },
            },
          },
        },
      },
    },
    levels: {
      type: 'object',
      description: 'The factor each level applies to every threshold',
      required: ['conservative', 'standard', 'aggressive'],
      properties: {
        conservative: { type: 'number', minimum: 0, example: 0.6 },
        standard: { type: 'number', minimum: 0, example: 1 },
        aggressive: { type: 'number', minimum: 0, example: 1.3 },
      },
    },
    warmup: { type: 'object', additionalProperties: true },
  },
};

@ApiTags('catalog')
@ApiBearerAuth('workspace')
@UseGuards(WorkspaceAuthGuard)
@Controller('v1/catalog')
export class CatalogController {
  constructor(private readonly catalog: CatalogService) {}

  @Get()
  @ApiOperation({ operationId: 'getCatalog', summary: 'Actions, the limits each consumes, default thresholds, levels and warm-up' })
  @ApiOkResponse({ schema: CATALOG_SCHEMA })
  @ApiErrors(401, 429)
  get() {
    const c = this.catalog.get();
    return {
      actions: c.actions.map((a) => ({ slug: a.slug, limits: a.limits, account_types: a.account_types })),
      limits: c.limits.map((l) => ({ slug: l.slug, name: l.name, window_seconds: l.window_seconds, default_max: l.default_max })),
      levels: c.levels,
      warmup: c.warmup,
    };
  }
}
