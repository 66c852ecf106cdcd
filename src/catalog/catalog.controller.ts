import { Controller, Get, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { WorkspaceAuthGuard } from '../workspaces/workspace-auth.guard.js';
import { ApiErrors } from '../common/http/api-errors.decorator.js';
import { CatalogService } from './catalog.service.js';

const CATALOG_SCHEMA = {
  type: 'object',
  required: ['actions', 'limits', 'levels', 'warmup', 'pacing'],
  properties: {
    actions: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          slug: { type: 'string', example: 'linkedin-connect-profile' },
          limits: { type: 'array', items: { type: 'string' }, example: ['LK_INVITATIONS_SENT', 'LK_INVITATIONS_WEEKLY'] },
          account_types: { type: 'array', items: { type: 'string' } },
          single_flight: {
            type: 'boolean',
            description: 'Outreach: an admitted action holds the identity in flight until its outcome, its release or in_flight_seconds',
          },
          cost_note: { type: 'string' },
        },
        required: ['slug', 'limits', 'account_types', 'single_flight'],
      },
    },
    limits: {
      type: 'array',
      items: {
        type: 'object',
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
          min_gap_seconds: { type: 'integer', description: 'Least time between two recorded actions of this limit (0: none)', example: 60 },
          jitter_seconds: { type: 'integer', description: "Each recorded action's gap grows by a stable draw in [0, jitter_seconds]", example: 15 },
          bursts: {
            type: 'array',
            description: 'Short windows over the same recorded actions; max is absolute, max_share a share of the threshold without warm-up',
            items: {
              type: 'object',
              properties: {
                window_seconds: { type: 'integer', example: 900 },
                max: { type: 'integer', example: 3 },
                max_share: { type: 'number', minimum: 0, maximum: 1, example: 0.4 },
              },
              required: ['window_seconds'],
              additionalProperties: false,
            },
          },
          per_action: { type: 'boolean', description: 'Consumed once per action whatever its cost (LK_WRITE_ACTIONS)' },
        },
        required: ['slug', 'name', 'window_seconds', 'default_max', 'min_gap_seconds', 'jitter_seconds', 'bursts', 'per_action'],
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
    pacing: {
      type: 'object',
      properties: {
        in_flight_seconds: { type: 'integer', example: 120 },
        start_jitter_minutes: { type: 'integer', example: 30 },
      },
      required: ['in_flight_seconds', 'start_jitter_minutes'],
    },
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
      actions: c.actions.map((a) => ({
        slug: a.slug,
        limits: a.limits,
        account_types: a.account_types,
        single_flight: a.single_flight,
        ...(a.cost_note ? { cost_note: a.cost_note } : {}),
      })),
      limits: c.limits.map((l) => ({
        slug: l.slug,
        name: l.name,
        window_seconds: l.window_seconds,
        default_max: l.default_max,
        min_gap_seconds: l.min_gap_seconds,
        jitter_seconds: l.jitter_seconds,
        bursts: l.bursts,
        per_action: l.per_action,
      })),
      levels: c.levels,
      warmup: c.warmup,
      pacing: c.pacing,
    };
  }
}
