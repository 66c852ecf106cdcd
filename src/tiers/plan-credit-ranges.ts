import { PLAN_TIERS } from './plan-tiers.data.js';
import { type PlanTierName } from './tier.types.js';

export interface PlanCreditRange {
  tier: PlanTierName;
  /** Inclusive. */
  from: number;
  /** Inclusive; null for the top row (no upper bound). */
  to: number | null;
}

/**
 * The monthly_credits that select each plan tier, as planTierFor reads the seed (its gaps filled
 * downwards: 0 … 2,499 is Trial, the top row has no end). Operators read it before creating a
 * workspace; the README table and the monthly_credits description are built from it.
 */
export function planCreditRanges(): PlanCreditRange[] {
  return PLAN_TIERS.map((t, i) => ({
    tier: t.name,
    from: i === 0 ? 0 : t.min_credits,
    to: i === PLAN_TIERS.length - 1 ? null : PLAN_TIERS[i + 1].min_credits - 1,
  }));
}

const n = (x: number) => x.toLocaleString('en-US');

/** "0–2,499" or "20,000,001 or more". */
export function creditRangeText(r: PlanCreditRange): string {
  return r.to === null ? `${n(r.from)} or more` : `${n(r.from)}–${n(r.to)}`;
}

/** One line for an OpenAPI description: "Trial 0–2,499 · Bronze 2,500–10,000 · …". */
export function planCreditRangesText(): string {
  return planCreditRanges()
    .map((r) => `${r.tier} ${creditRangeText(r)}`)
    .join(' · ');
}
