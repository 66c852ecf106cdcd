import { type SchemaObject } from '@nestjs/swagger';
import { TIER_RULES } from '../tiers/effective-limits.js';
import { ENDPOINT_GROUPS } from '../tiers/endpoint-groups.js';
import { PLAN_TIER_NAMES } from '../tiers/tier.types.js';

/** OpenAPI schemas of the workspace API-limit answers (GET /v1/workspace, /v1/tiers, POST /v1/ratelimit/check). */

const int: SchemaObject = { type: 'integer', minimum: 0 };
const obj = (properties: Record<string, SchemaObject>, description?: string): SchemaObject => ({
  type: 'object',
  required: Object.keys(properties),
  properties,
  ...(description ? { description } : {}),
});
const byGroup = (groups: readonly string[], schema: SchemaObject): SchemaObject => obj(Object.fromEntries(groups.map((g) => [g, schema])));

const SOURCE: SchemaObject = { type: 'string', enum: ['plan', 'engagement', 'custom'], description: 'Which system the figure comes from' };

const RATE = obj({
  per_second: { type: ['number', 'null'], minimum: 0, description: 'null: no per-second bucket; the per-minute limit applies alone' },
  per_minute: int,
});

const EFFECTIVE_RATE = obj({ ...RATE.properties, source: SOURCE });
const EFFECTIVE_VALUE = obj({ value: int, source: SOURCE });

export const CURRENT_WORKSPACE_SCHEMA = obj({
  workspace: obj({
    id: { type: 'string', format: 'uuid' },
    name: { type: 'string' },
    monthly_credits: int,
    custom_limits: { type: ['object', 'null'], additionalProperties: true, description: 'Negotiated limits (null: none)' },
  }),
  plan_tier: { type: 'string', enum: [...PLAN_TIER_NAMES] },
  engagement_identities: int,
  engagement_tier: { type: ['string', 'null'], description: 'null without engagement identities' },
  limits: obj({
    ...byGroup(ENDPOINT_GROUPS, EFFECTIVE_RATE).properties,
    concurrent_runs: EFFECTIVE_VALUE,
    batches_per_run: EFFECTIVE_VALUE,
    daily_api_limit: EFFECTIVE_VALUE,
  }),
  usage: obj({
    requests_today: int,
    daily_api_limit: int,
    daily_used_estimate: { ...int, description: 'Sliding 24 h: today plus the share of yesterday still inside it' },
    daily_remaining: int,
    daily_window: { type: 'string' },
  }),
});

export const TIERS_SCHEMA = obj({
  plan_tiers: {
    type: 'array',
    items: obj({
      name: { type: 'string', enum: [...PLAN_TIER_NAMES] },
      min_credits: int,
      max_credits: int,
      limits: byGroup(ENDPOINT_GROUPS, RATE),
      concurrent_runs: int,
      batches_per_run: int,
      daily_api_limit: int,
    }),
  },
  engagement_tiers: {
    type: 'array',
    items: obj({
      name: { type: 'string', example: '1–50' },
      min_identities: int,
      max_identities: int,
      limits: byGroup(
        ENDPOINT_GROUPS.filter((g) => g !== '/v1/runs/outputs'),
        RATE,
      ),
      concurrent_runs: int,
      daily_api_limit: int,
      batches_per_run: int,
    }),
  },
  rules: obj(Object.fromEntries(Object.keys(TIER_RULES).map((k) => [k, { type: 'string' }])), 'How the tables are read, in words'),
});

export const RATE_LIMIT_CHECK_SCHEMA = obj({
  allowed: { type: 'boolean', enum: [true] },
  endpoint: { type: 'string', enum: [...ENDPOINT_GROUPS] },
  limit: { ...int, description: "The group's per-minute limit" },
  remaining: int,
  reset: { ...int, description: 'When the per-minute bucket is full again, in unix seconds' },
  daily_remaining: { type: ['integer', 'null'], minimum: 0, description: 'null without a daily limit' },
});
