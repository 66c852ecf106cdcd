import { type ActionDefinition, type Catalog, type LimitDefinition } from '../catalog/catalog.types.js';
import { effectiveThreshold, warmupFactor } from '../catalog/thresholds.js';
import { INVITATION_RULES, isInvitationLimit } from '../invitations/invitation-rules.js';
import { type Identity } from '../identities/identity.js';

export interface PlannedLimit {
  slug: string;
  name: string;
  windowSeconds: number;
  windowMs: number;
  max: number;
  warmupFactor: number;
  /** The threshold once warm-up is over (default × level, or the override): says when warm-up is what limits. */
  fullMax: number;
  /** The identity's 1-based warm-up day; null without a ramp. */
  warmupDay: number | null;
  override: boolean;
  /**
   * The threshold while the identity's acceptance rate is low (SPEC §5b): an invitation limit's
   * default × level × warm-up × 0.5, rounded up, at least 1 — a factor like the level's, so an
   * override stays exact. Other limits: `max`. The guard's script picks it from the Redis state.
   */
  lowAcceptanceMax: number;
}

/** The effective thresholds of an identity for a set of limits at `now` (pure). */
export function planLimits(identity: Identity, limits: LimitDefinition[], catalog: Catalog, now: Date): PlannedLimit[] {
  return limits.map((limit) => {
    const override = identity.limitOverrides?.[limit.slug];
    const w = warmupFactor(
      {
        mode: identity.warmup,
        startedAt: identity.warmupStartedAt,
        now,
        windowSeconds: limit.window_seconds,
        frozenFrom: identity.warmupFrozenFrom,
        frozenUntil: identity.warmupFrozenUntil,
        restartFactor: identity.warmupRestartFactor,
      },
      catalog.warmup,
    );
    const threshold = (factor: number) =>
      effectiveThreshold(
        {
          limit,
          accountType: identity.accountType,
          level: identity.level,
          warmup: { factor },
          override: typeof override === 'number' ? override : undefined,
        },
        catalog,
      );
    const max = threshold(w.factor);
    return {
      slug: limit.slug,
      name: limit.name,
      windowSeconds: limit.window_seconds,
      windowMs: limit.window_seconds * 1000,
      max,
      warmupFactor: typeof override === 'number' ? 1 : w.factor,
      fullMax: threshold(1),
      warmupDay: w.day,
      override: typeof override === 'number',
      lowAcceptanceMax: isInvitationLimit(limit.slug) ? threshold(w.factor * INVITATION_RULES.lowFactor) : max,
    };
  });
}

export function limitsOf(catalog: Catalog, action: ActionDefinition): LimitDefinition[] {
  return action.limits.map((slug) => {
    const l = catalog.limits.find((x) => x.slug === slug);
    if (!l) throw new Error(`catalog: action ${action.slug} names unknown limit ${slug}`);
    return l;
  });
}
