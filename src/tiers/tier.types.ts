import { type EndpointGroup } from './endpoint-groups.js';

/** One endpoint group's limit as a table row prints it. */
export interface Rate {
  /**
   * null: no per-second bucket, only the per-minute one applies. Plan rows use it for the seed's
   * "< 1" (the per-minute bucket refills at per_minute/60 < 1 a second, which is that figure);
   * engagement rows for /v1/identities and /v1/workspaces, where the seed gives no per-second column.
   */
  per_second: number | null;
  per_minute: number;
}

export const PLAN_TIER_NAMES = ['Trial', 'Bronze', 'Silver', 'Gold', 'Platinum', 'Diamond', 'Titanium'] as const;
export type PlanTierName = (typeof PLAN_TIER_NAMES)[number];

export interface PlanTier {
  name: PlanTierName;
  /** Inclusive bounds as the seed prints them; tier-resolution.ts reads the gaps between rows. */
  min_credits: number;
  max_credits: number;
  limits: Record<EndpointGroup, Rate>;
  concurrent_runs: number;
  batches_per_run: number;
  /** Not a column of the seed's plan table: see plan-tiers.data.ts. */
  daily_api_limit: number;
}

/** The engagement table has no /v1/runs/outputs column. */
export type EngagementGroup = Exclude<EndpointGroup, '/v1/runs/outputs'>;

export interface EngagementTier {
  /** The seed's row label, e.g. `1–50` (en dash). */
  name: string;
  min_identities: number;
  max_identities: number;
  limits: Record<EngagementGroup, Rate>;
  concurrent_runs: number;
  daily_api_limit: number;
  batches_per_run: number;
}

/** Which system an effective figure comes from. */
export type Source = 'plan' | 'engagement' | 'custom';
