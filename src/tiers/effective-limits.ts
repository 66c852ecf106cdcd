import { z } from 'zod';
import { ENGAGEMENT_TIERS } from './engagement-tiers.data.js';
import { ENDPOINT_GROUPS, type EndpointGroup } from './endpoint-groups.js';
import { PLAN_TIERS } from './plan-tiers.data.js';
import { engagementTierFor, planTierFor } from './tier-resolution.js';
import { type EngagementTier, type PlanTier, type PlanTierName, type Rate, type Source } from './tier.types.js';

export type { Source } from './tier.types.js';

export interface EffectiveRate extends Rate {
  /** The system whose per-minute figure applies (see effectiveLimits). */
  source: Source;
}

export interface EffectiveValue {
  value: number;
  source: Source;
}

export interface EffectiveLimits {
  plan_tier: PlanTierName;
  engagement_tier: string | null;
  groups: Record<EndpointGroup, EffectiveRate>;
  concurrent_runs: EffectiveValue;
  batches_per_run: EffectiveValue;
  daily_api_limit: EffectiveValue;
}

const rateSchema = z
  .strictObject({
    // null: negotiated away (no per-second bucket); fractional allowed, as in the seed (2.5, 0.4).
    per_second: z.number().positive().max(100_000).nullable().optional(),
    per_minute: z.number().int().positive().max(10_000_000).optional(),
  })
  .refine((r) => r.per_second !== undefined || r.per_minute !== undefined, 'give per_second, per_minute or both');

const count = (max: number) => z.number().int().positive().max(max).optional();

/** Custom limits negotiated for a workspace (admin `PATCH /v1/workspaces/{id}`); every part optional. */
export const customLimitsSchema = z.strictObject({
  '/v1/actions': rateSchema.optional(),
  '/v1/identities': rateSchema.optional(),
  '/v1/workspaces': rateSchema.optional(),
  '/v1/runs/outputs': rateSchema.optional(),
  concurrent_runs: count(100_000),
  batches_per_run: count(100_000),
  daily_api_limit: count(10_000_000_000),
});
export type CustomLimits = z.infer<typeof customLimitsSchema>;

export interface EffectiveLimitsInput {
  monthlyCredits: number;
  engagementIdentities: number;
  customLimits?: CustomLimits | null;
}

/**
 * "If you have both engagement identities and a credit-based plan, the higher limit between the two
 * systems applies for each endpoint."
 *
 * - Per endpoint group the rows are compared on their per-minute figure (the one the seed calls the
 *   limit, "how many requests you can make per minute"); the larger wins and is the `source`, ties
 *   going to the plan. The winner brings its per-second figure, never lower than the other row's
 *   own per-second figure: adding engagement identities never lowers a limit (Titanium with
 *   1,001–5,000 engagement identities gets 1,250/min from the engagement row and keeps 40/s). A
 *   winner without a per-second figure keeps none, so its per-minute figure is reachable.
 * - The engagement table has no /v1/runs/outputs: that group is always the plan's.
 * - concurrent_runs, batches_per_run and daily_api_limit: the larger value, ties to the plan.
 * - Custom limits then replace exactly what they name (source `custom`); a group given only
 *   per_minute or only per_second keeps the other figure from the tiers.
 */
export function effectiveLimits(input: EffectiveLimitsInput): EffectiveLimits;
/** Positional form, kept for existing callers. */
export function effectiveLimits(monthlyCredits: number, engagementIdentities: number, customLimits?: CustomLimits | null): EffectiveLimits;
export function effectiveLimits(a: EffectiveLimitsInput | number, b?: number, c?: CustomLimits | null): EffectiveLimits {
  const { monthlyCredits, engagementIdentities, customLimits } =
    typeof a === 'number' ? { monthlyCredits: a, engagementIdentities: b ?? 0, customLimits: c } : a;
  const plan = planTierFor(monthlyCredits);
  const engagement = engagementTierFor(engagementIdentities);
  const groups = {} as Record<EndpointGroup, EffectiveRate>;
  for (const group of ENDPOINT_GROUPS) groups[group] = withCustom(higherRate(plan, engagement, group), customLimits?.[group]);
  return {
    plan_tier: plan.name,
    engagement_tier: engagement?.name ?? null,
    groups,
    concurrent_runs: higherValue(plan.concurrent_runs, engagement?.concurrent_runs, customLimits?.concurrent_runs),
    batches_per_run: higherValue(plan.batches_per_run, engagement?.batches_per_run, customLimits?.batches_per_run),
    daily_api_limit: higherValue(plan.daily_api_limit, engagement?.daily_api_limit, customLimits?.daily_api_limit),
  };
}

function higherRate(plan: PlanTier, engagement: EngagementTier | null, group: EndpointGroup): EffectiveRate {
  const p = plan.limits[group];
  const e = engagement && group !== '/v1/runs/outputs' ? engagement.limits[group] : null;
  if (!e) return { ...p, source: 'plan' };
  const [winner, loser, source]: [Rate, Rate, Source] = e.per_minute > p.per_minute ? [e, p, 'engagement'] : [p, e, 'plan'];
  const perSecond = winner.per_second === null || loser.per_second === null ? winner.per_second : Math.max(winner.per_second, loser.per_second);
  return { per_second: perSecond, per_minute: winner.per_minute, source };
}

function withCustom(tier: EffectiveRate, custom: CustomLimits[EndpointGroup]): EffectiveRate {
  if (!custom || (custom.per_second === undefined && custom.per_minute === undefined)) return tier;
  return {
    per_second: custom.per_second !== undefined ? custom.per_second : tier.per_second,
    per_minute: custom.per_minute ?? tier.per_minute,
    source: 'custom',
  };
}

function higherValue(plan: number, engagement: number | undefined, custom: number | undefined): EffectiveValue {
  if (custom !== undefined) return { value: custom, source: 'custom' };
  if (engagement !== undefined && engagement > plan) return { value: engagement, source: 'engagement' };
  return { value: plan, source: 'plan' };
}

/** How the service reads what the seed leaves open; served with the tables. */
export const TIER_RULES = {
  plan_tier: 'the highest row whose minimum monthly_credits is reached: under 2,500 (including under 1,000) is Trial, above 50,000,000 is Titanium',
  engagement_tier: 'none for 0 engagement identities; above 10,000 stays on the 5,001–10,000 row',
  per_second_null: 'no per-second limit: the seed\'s "< 1", or no per-second figure; the per-minute limit applies alone',
  per_second_fraction: 'a burst of ceil(per_second) requests (at least 1), refilled no slower than per_minute / 60',
  plan_daily_api_limit: "the seed's estimated daily capacity of /v1/actions for the plan",
  higher_of_two:
    'per endpoint group the row with the larger per_minute applies (ties: plan), keeping the larger per_second where both rows give one; runs, batches and daily limit: the larger value',
  custom: 'custom limits negotiated for a workspace replace what they name',
} as const;

export interface TiersTable {
  plan_tiers: PlanTier[];
  engagement_tiers: EngagementTier[];
  rules: typeof TIER_RULES;
}

/** Both tables for `GET /v1/tiers`: plain, unfrozen copies (nulls, no undefined), plus the rules. */
export function tiersTable(): TiersTable {
  return { plan_tiers: structuredClone([...PLAN_TIERS]), engagement_tiers: structuredClone([...ENGAGEMENT_TIERS]), rules: { ...TIER_RULES } };
}
