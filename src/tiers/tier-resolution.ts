import { ENGAGEMENT_TIERS } from './engagement-tiers.data.js';
import { PLAN_TIERS } from './plan-tiers.data.js';
import { type EngagementTier, type PlanTier, type Rate } from './tier.types.js';

function assertCount(what: string, n: number): void {
  if (!Number.isFinite(n) || n < 0) throw new RangeError(`${what} must be a finite number ≥ 0, got ${n}`);
}

/**
 * The plan tier for a workspace's monthly credits: the highest row whose lower bound they reach.
 * The seed's gaps read down, never up (a tier is earned by reaching its minimum):
 * - below 1,000 (the Trial figure) → Trial: every workspace has at least the trial's limits;
 * - between 1,000 and Bronze's 2,500 (1,001 … 2,499) → Trial;
 * - inside a row's range → that row (ranges are inclusive: 10,000 is Bronze, 10,001 Silver);
 * - above 50,000,000 → Titanium, the top row (the seed sends bigger needs to custom limits).
 */
export function planTierFor(monthlyCredits: number): PlanTier {
  assertCount('monthlyCredits', monthlyCredits);
  for (let i = PLAN_TIERS.length - 1; i > 0; i--) if (monthlyCredits >= PLAN_TIERS[i].min_credits) return PLAN_TIERS[i];
  return PLAN_TIERS[0];
}

/**
 * The engagement tier for a workspace's count of engagement-mode identities: null for 0 (no
 * engagement tier; the plan alone applies); 1 … 10,000 → the row whose range holds it; more than
 * 10,000 → stays on the top row (5,001–10,000): the seed's 2,400 a minute is marked "(cap)".
 */
export function engagementTierFor(engagementIdentities: number): EngagementTier | null {
  assertCount('engagementIdentities', engagementIdentities);
  if (engagementIdentities < ENGAGEMENT_TIERS[0].min_identities) return null;
  for (let i = ENGAGEMENT_TIERS.length - 1; i > 0; i--) if (engagementIdentities >= ENGAGEMENT_TIERS[i].min_identities) return ENGAGEMENT_TIERS[i];
  return ENGAGEMENT_TIERS[0];
}

/** How a per-second figure is enforced: a token bucket. */
export interface PerSecondBucket {
  /** Requests that may arrive together. */
  capacity: number;
  /** Tokens regained per second. */
  refill_per_second: number;
}

/**
 * A per-second figure is a burst allowance, not a pace that could forbid the row's own per-minute
 * figure: the bucket holds ceil(per_second) requests, at least 1 (0.4 → 1, 2.5 → 3, 20.8 → 21),
 * and refills at per_second but never slower than per_minute / 60, so the per-minute count is
 * always reachable (0.4/s beside 25/min refills at 25/60 a second, not 24 a minute). null: no
 * per-second bucket (the seed's "< 1", or no per-second column): only the per-minute bucket
 * applies, which already holds the average under one a second.
 */
export function perSecondBucket(rate: Rate): PerSecondBucket | null {
  if (rate.per_second === null) return null;
  return {
    capacity: Math.max(1, Math.ceil(rate.per_second)),
    refill_per_second: Math.max(rate.per_second, rate.per_minute / 60),
  };
}
