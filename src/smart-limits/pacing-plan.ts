import { type ActionDefinition, type Catalog, type LimitDefinition } from '../catalog/catalog.types.js';
import { effectiveThreshold } from '../catalog/thresholds.js';
import { type Identity } from '../identities/identity.js';
import { type GuardScriptBurst } from './guard.script.js';

export interface PacedLimit {
  /** Units the action puts in this window: its cost, or 1 for a limit consumed once per action. */
  units: number;
  gapMs: number;
  jitterMs: number;
  bursts: GuardScriptBurst[];
}

export interface PacingPlan {
  limits: PacedLimit[];
  /** > 0: the action is single-flight for this identity (lease length). */
  leaseMs: number;
}

const ceilShare = (x: number) => Math.ceil(Math.round(x * 1e9) / 1e9);

/**
 * A burst's max: `max` as is; `max_share` of the threshold WITHOUT warm-up (default × level, or the
 * identity's override), rounded up, at least 1 (SPEC 4b: warm-up never scales a burst). None where
 * that threshold is 0: the main window already refuses everything.
 */
function burstMax(burst: { max?: number; max_share?: number }, limit: LimitDefinition, identity: Identity, catalog: Catalog): number | null {
  if (burst.max !== undefined) return burst.max;
  const override = identity.limitOverrides?.[limit.slug];
  const base = effectiveThreshold(
    {
      limit,
      accountType: identity.accountType,
      level: identity.level,
      warmup: { factor: 1 },
      override: typeof override === 'number' ? override : undefined,
    },
    catalog,
  );
  if (base <= 0) return null;
  return Math.max(1, ceilShare((burst.max_share ?? 1) * base));
}

/**
 * How an identity is paced for one action (pure): gaps (the identity's pacing_overrides replace the
 * catalog's min_gap_seconds; 0 disables), jitter, bursts and the in-flight lease. `pacing: "off"`
 * turns off gaps, bursts and single flight; windows, cooldowns and working hours still apply.
 */
export function pacingPlan(identity: Identity, action: ActionDefinition, limits: LimitDefinition[], catalog: Catalog, cost: number): PacingPlan {
  const on = identity.pacing !== 'off';
  return {
    leaseMs: on && action.single_flight ? catalog.pacing.in_flight_seconds * 1000 : 0,
    limits: limits.map((l) => {
      const units = l.per_action ? 1 : cost;
      if (!on) return { units, gapMs: 0, jitterMs: 0, bursts: [] };
      const override = identity.pacingOverrides?.[l.slug];
      const gapSeconds = typeof override === 'number' ? override : l.min_gap_seconds;
      const bursts: GuardScriptBurst[] = [];
      for (const b of l.bursts) {
        const max = burstMax(b, l, identity, catalog);
        if (max !== null) bursts.push({ windowMs: b.window_seconds * 1000, max });
      }
      return { units, gapMs: gapSeconds * 1000, jitterMs: gapSeconds > 0 ? l.jitter_seconds * 1000 : 0, bursts };
    }),
  };
}
