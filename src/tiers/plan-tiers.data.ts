import { deepFreeze } from './deep-freeze.js';
import { type PlanTier, type Rate } from './tier.types.js';

/*
 * The credit plan tiers of seeds/edges-rate-limits.txt, row for row: Monthly Credits, then the
 * Real-time Actions (/v1/actions), Identity Management (/v1/identities), Workspace Info
 * (/v1/workspaces), Run Outputs (/v1/runs/outputs) and Concurrent Execution tables. The seed groups
 * rows ("Silver / Gold", "Trial / Bronze"); each tier here carries its own copy of the shared figures.
 *
 * Daily API limit: the seed says every plan has a daily quota consumed by all API calls but prints
 * no quota column. Its only per-plan daily figure is the Real-time Actions "Estimated Daily
 * Capacity" (86,400 … 3,456,000 = the /v1/actions per-second figure × 86,400), so that figure is
 * the plan's daily API limit. It is never below what /v1/actions alone allows in a day at its
 * per-minute figure, and it is a number, not "none", so a plan's quota can be shown and warned about.
 */

/** The seed's "< 1" requests a second: no per-second bucket (see Rate.per_second). */
const BELOW_ONE = null;

const rate = (per_second: number | null, per_minute: number): Rate => ({ per_second, per_minute });

const SILVER_GOLD = {
  limits: {
    '/v1/actions': rate(10, 600),
    '/v1/identities': rate(4, 250),
    '/v1/workspaces': rate(1, 50),
    '/v1/runs/outputs': rate(2.5, 150),
  },
  concurrent_runs: 5,
  batches_per_run: 3,
  daily_api_limit: 864_000,
};

const PLATINUM_DIAMOND = {
  limits: {
    '/v1/actions': rate(20, 1_200),
    '/v1/identities': rate(5, 300),
    '/v1/workspaces': rate(1, 75),
    '/v1/runs/outputs': rate(5, 300),
  },
  concurrent_runs: 10,
  batches_per_run: 5,
  daily_api_limit: 1_728_000,
};

const rows: PlanTier[] = [
  {
    name: 'Trial',
    // The seed prints a single figure, 1,000 (a free trial).
    min_credits: 1_000,
    max_credits: 1_000,
    limits: {
      '/v1/actions': rate(1, 60),
      '/v1/identities': rate(2, 100),
      '/v1/workspaces': rate(BELOW_ONE, 5),
      '/v1/runs/outputs': rate(BELOW_ONE, 30),
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
      '/v1/actions': rate(2, 120),
      '/v1/identities': rate(2, 100),
      '/v1/workspaces': rate(BELOW_ONE, 10),
      '/v1/runs/outputs': rate(1, 60),
    },
    concurrent_runs: 2,
    batches_per_run: 2,
    daily_api_limit: 172_800,
  },
  { name: 'Silver', min_credits: 10_001, max_credits: 100_000, ...structuredClone(SILVER_GOLD) },
  { name: 'Gold', min_credits: 100_001, max_credits: 500_000, ...structuredClone(SILVER_GOLD) },
  { name: 'Platinum', min_credits: 500_001, max_credits: 2_000_000, ...structuredClone(PLATINUM_DIAMOND) },
  { name: 'Diamond', min_credits: 2_000_001, max_credits: 20_000_000, ...structuredClone(PLATINUM_DIAMOND) },
  {
    name: 'Titanium',
    min_credits: 20_000_001,
    max_credits: 50_000_000,
    limits: {
      '/v1/actions': rate(40, 1_200),
      '/v1/identities': rate(8, 500),
      '/v1/workspaces': rate(2, 100),
      '/v1/runs/outputs': rate(10, 600),
    },
    concurrent_runs: 15,
    batches_per_run: 8,
    daily_api_limit: 3_456_000,
  },
];

/** Lowest tier first. Frozen: every reader shares these rows. */
export const PLAN_TIERS: readonly PlanTier[] = deepFreeze(rows);
