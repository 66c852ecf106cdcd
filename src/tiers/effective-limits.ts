import { z } from 'zod';
import { engagementTierFor, GROUPS, type Group, planTierFor } from './tier-tables.js';

export type Source = 'plan' | 'engagement' | 'custom';

export interface EffectiveLimits {
  plan_tier: string;
  engagement_tier: string | null;
  groups: Record<Group, { per_second: number | null; per_minute: number; source: Source }>;
  concurrent_runs: { value: number; source: Source };
  batches_per_run: { value: number; source: Source };
  daily_api_limit: { value: number; source: Source };
}

const rate = z
  .object({
    per_second: z.number().positive().max(100_000).nullable().optional(),
    per_minute: z.number().int().positive().max(10_000_000).optional(),
  })
  .strict();

/** Custom limits an operator negotiated (admin PATCH /v1/workspaces/{id}); every part optional. */
export const customLimitsSchema = z
  .object({
    '/v1/actions': rate.optional(),
    '/v1/identities': rate.optional(),
    '/v1/workspaces': rate.optional(),
    '/v1/runs/outputs': rate.optional(),
    concurrent_runs: z.number().int().positive().max(100_000).optional(),
    batches_per_run: z.number().int().positive().max(100_000).optional(),
    daily_api_limit: z.number().int().positive().max(10_000_000_000).optional(),
  })
  .strict();
export type CustomLimits = z.infer<typeof customLimitsSchema>;

/**
 * "If you have both engagement identities and a credit-based plan, the higher limit between the two
 * systems applies for each endpoint": per endpoint group the system with the larger per-minute figure
 * wins and brings its per-second figure (ties go to the plan); runs, batches and the daily limit take
 * the larger of the two. Custom limits then replace what they name (source `custom`).
 */
export function effectiveLimits(monthlyCredits: number, engagementIdentities: number, custom?: CustomLimits | null): EffectiveLimits {
  const plan = planTierFor(monthlyCredits);
  const engagement = engagementTierFor(engagementIdentities);
  const groups = {} as EffectiveLimits['groups'];
  for (const g of GROUPS) {
    const p = plan.limits[g];
    const e = engagement && g !== '/v1/runs/outputs' ? engagement.limits[g] : null;
    groups[g] = e && e.per_minute > p.per_minute ? { ...e, source: 'engagement' } : { ...p, source: 'plan' };
    const c = custom?.[g];
    if (c) {
      groups[g] = {
        per_second: c.per_second !== undefined ? c.per_second : groups[g].per_second,
        per_minute: c.per_minute ?? groups[g].per_minute,
        source: 'custom',
      };
    }
  }
  const higher = (pv: number, ev: number | undefined, cv: number | undefined) =>
    cv !== undefined
      ? { value: cv, source: 'custom' as const }
      : ev !== undefined && ev > pv
        ? { value: ev, source: 'engagement' as const }
        : { value: pv, source: 'plan' as const };
  return {
    plan_tier: plan.name,
    engagement_tier: engagement?.name ?? null,
    groups,
    concurrent_runs: higher(plan.concurrent_runs, engagement?.concurrent_runs, custom?.concurrent_runs),
    batches_per_run: higher(plan.batches_per_run, engagement?.batches_per_run, custom?.batches_per_run),
    daily_api_limit: higher(plan.daily_api_limit, engagement?.daily_api_limit, custom?.daily_api_limit),
  };
}
