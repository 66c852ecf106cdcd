/**
 * The two tables of seeds/edges-rate-limits.txt, row for row. Per-second figures written "< 1" in
 * the seed are `null`: the per-minute figure is under 60, i.e. under one a second on average, and
 * only the per-minute bucket applies (so a Trial workspace may send its 5 workspace requests of a
 * minute in a burst, and the 6th is refused).
 */
export interface Rate {
  /** null: no per-second bucket (the seed's "< 1", or no figure at all). */
  per_second: number | null;
  per_minute: number;
}

export const GROUPS = ['/v1/actions', '/v1/identities', '/v1/workspaces', '/v1/runs/outputs'] as const;
export type Group = (typeof GROUPS)[number];

export interface PlanTier {
  name: 'Trial' | 'Bronze' | 'Silver' | 'Gold' | 'Platinum' | 'Diamond' | 'Titanium';
  /** Inclusive lower bound of monthly credits selecting this tier (see planTierFor for the gaps). */
  min_credits: number;
  max_credits: number | null;
  limits: Record<Group, Rate>;
  concurrent_runs: number;
  batches_per_run: number;
  /**
   * The seed gives plans a daily quota without a figure; its "Estimated Daily Capacity" column is
   * used as the plan's daily API limit.
   */
  daily_api_limit: number;
}

const silverGold = {
  limits: {
    '/v1/actions': { per_second: 10, per_minute: 600 },
    '/v1/identities': { per_second: 4, per_minute: 250 },
    '/v1/workspaces': { per_second: 1, per_minute: 50 },
    '/v1/runs/outputs': { per_second: 2.5, per_minute: 150 },
  },
  concurrent_runs: 5,
  batches_per_run: 3,
  daily_api_limit: 864_000,
};
const platinumDiamond = {
  limits: {
    '/v1/actions': { per_second: 20, per_minute: 1200 },
    '/v1/identities': { per_second: 5, per_minute: 300 },
    '/v1/workspaces': { per_second: 1, per_minute: 75 },
    '/v1/runs/outputs': { per_second: 5, per_minute: 300 },
  },
  concurrent_runs: 10,
  batches_per_run: 5,
  daily_api_limit: 1_728_000,
};

export const PLAN_TIERS: PlanTier[] = [
  {
    name: 'Trial',
    min_credits: 0,
    max_credits: 2_499,
    limits: {
      '/v1/actions': { per_second: 1, per_minute: 60 },
      '/v1/identities': { per_second: 2, per_minute: 100 },
      '/v1/workspaces': { per_second: null, per_minute: 5 },
      '/v1/runs/outputs': { per_second: null, per_minute: 30 },
    },
    concurrent_runs: 2,
    batches_per_run: 2,
    daily_api_limit: 86_400,
  },
  {
    name: 'Bronze',
    min_credits: 2_500,
    max_credits: 10_000,
    limits: {
      '/v1/actions': { per_second: 2, per_minute: 120 },
      '/v1/identities': { per_second: 2, per_minute: 100 },
      '/v1/workspaces': { per_second: null, per_minute: 10 },
      '/v1/runs/outputs': { per_second: 1, per_minute: 60 },
    },
    concurrent_runs: 2,
    batches_per_run: 2,
    daily_api_limit: 172_800,
  },
  { name: 'Silver', min_credits: 10_001, max_credits: 100_000, ...silverGold },
  { name: 'Gold', min_credits: 100_001, max_credits: 500_000, ...silverGold },
  { name: 'Platinum', min_credits: 500_001, max_credits: 2_000_000, ...platinumDiamond },
  { name: 'Diamond', min_credits: 2_000_001, max_credits: 20_000_000, ...platinumDiamond },
  {
    name: 'Titanium',
    min_credits: 20_000_001,
    max_credits: 50_000_000,
    limits: {
      '/v1/actions': { per_second: 40, per_minute: 1200 },
      '/v1/identities': { per_second: 8, per_minute: 500 },
      '/v1/workspaces': { per_second: 2, per_minute: 100 },
      '/v1/runs/outputs': { per_second: 10, per_minute: 600 },
    },
    concurrent_runs: 15,
    batches_per_run: 8,
    daily_api_limit: 3_456_000,
  },
];

export interface EngagementTier {
  name: string;
  min_identities: number;
  max_identities: number;
  /** /v1/actions per minute and per second; /v1/identities and /v1/workspaces per minute only. */
  limits: Record<Exclude<Group, '/v1/runs/outputs'>, Rate>;
  concurrent_runs: number;
  daily_api_limit: number;
  batches_per_run: number;
}

const eng = (name: string, min: number, max: number, apm: number, aps: number, ids: number, wss: number, runs: number, daily: number, batches: number): EngagementTier => ({
  name,
  min_identities: min,
  max_identities: max,
  limits: {
    '/v1/actions': { per_second: aps, per_minute: apm },
    '/v1/identities': { per_second: null, per_minute: ids },
    '/v1/workspaces': { per_second: null, per_minute: wss },
  },
  concurrent_runs: runs,
  daily_api_limit: daily,
  batches_per_run: batches,
});

export const ENGAGEMENT_TIERS: EngagementTier[] = [
  eng('1–50', 1, 50, 25, 0.4, 100, 10, 2, 720_000, 2),
  eng('51–200', 51, 200, 50, 0.8, 300, 30, 6, 3_600_000, 6),
  eng('201–1,000', 201, 1_000, 250, 4.2, 600, 60, 12, 14_400_000, 12),
  eng('1,001–5,000', 1_001, 5_000, 1_250, 20.8, 1_000, 100, 20, 72_000_000, 20),
  eng('5,001–10,000', 5_001, 10_000, 2_400, 40, 1_000, 100, 20, 72_000_000, 20),
];

/**
 * Credits select the highest row whose lower bound they reach: under 2,500 (including the seed's
 * gap between 1,000 and 2,500, and fewer than 1,000) is Trial; above 50,000,000 stays Titanium.
 */
export function planTierFor(monthlyCredits: number): PlanTier {
  for (let i = PLAN_TIERS.length - 1; i >= 0; i--) if (monthlyCredits >= PLAN_TIERS[i].min_credits) return PLAN_TIERS[i];
  return PLAN_TIERS[0];
}

/** No engagement identities: no engagement tier. More than 10,000 stays on the top row. */
export function engagementTierFor(count: number): EngagementTier | null {
  if (count < 1) return null;
  for (let i = ENGAGEMENT_TIERS.length - 1; i >= 0; i--) if (count >= ENGAGEMENT_TIERS[i].min_identities) return ENGAGEMENT_TIERS[i];
  return ENGAGEMENT_TIERS[0];
}
