import { type ActionDefinition, type Catalog } from '../catalog/catalog.types.js';
import { canPerform, warmupStage } from '../catalog/thresholds.js';
import { type Identity } from '../identities/identity.js';
import { isInvitationAction } from '../invitations/invitation-rules.js';
import { type RedisKeys } from '../redis/redis-keys.js';
import { type GuardScriptLimit } from './guard.script.js';
import { limitsOf, planLimits, type PlannedLimit } from './limit-plan.js';
import { pacingPlan } from './pacing-plan.js';

/** What the guard derives from an identity and an action before its call: the same until either changes. */
export interface ActionPlan {
  /** Whether the identity's account type can perform the action (else 403). */
  performable: boolean;
  plan: PlannedLimit[];
  /** The script's limits for a cost of 1 (`perAction` ones stay at 1 unit whatever the cost). */
  limits: GuardScriptLimit[];
  perAction: boolean[];
  /** The in-flight lease of a single-flight action (0: none). */
  leaseMs: number;
  keys: { identityCooldown: string; lease: string; schedule: string; marker: string; invitations: string };
  invitation: boolean;
}

interface Cached extends ActionPlan {
  stage: string;
}

/**
 * Plans per identity and action (issue 18), computed once and reused: thresholds (level, warm-up,
 * overrides), pacing, Redis keys. Keyed by the identity object that IdentitiesService's cache holds,
 * so a plan lives exactly as long as that cached copy: an update here or on another instance (its
 * NOTIFY), a pause, a cooldown's warm-up freeze, the cache's own expiry all bring a new object, and
 * the old plans go with the old object. Within one copy a plan is remade when the warm-up ramp moves
 * to its next stage (`warmupStage`), so a plan is never a millisecond late.
 */
export class GuardPlans {
  private readonly byIdentity = new WeakMap<Identity, Map<string, Cached>>();

  constructor(
    private readonly catalog: Catalog,
    private readonly keys: RedisKeys,
  ) {}

  of(identity: Identity, action: ActionDefinition, now: Date): ActionPlan {
    const stage = warmupStage(
      {
        mode: identity.warmup,
        startedAt: identity.warmupStartedAt,
        now,
        frozenFrom: identity.warmupFrozenFrom,
        frozenUntil: identity.warmupFrozenUntil,
        restartFactor: identity.warmupRestartFactor,
      },
      this.catalog.warmup,
    );
    let plans = this.byIdentity.get(identity);
    if (!plans) this.byIdentity.set(identity, (plans = new Map<string, Cached>()));
    const cached = plans.get(action.slug);
    if (cached && cached.stage === stage) return cached;
    const plan = planLimits(identity, limitsOf(this.catalog, action), this.catalog, now);
    const made: Cached = { ...this.build(identity, action, plan), stage };
    plans.set(action.slug, made);
    return made;
  }

  /** Everything else of an action's plan for these thresholds (what `of` caches beside them). */
  build(identity: Identity, action: ActionDefinition, plan: PlannedLimit[]): ActionPlan {
    const ws = identity.workspaceId;
    const id = identity.id;
    const defs = limitsOf(this.catalog, action);
    const pacing = pacingPlan(identity, action, defs, this.catalog, 1);
    return {
      performable: canPerform(action, identity.accountType, this.catalog),
      plan,
      limits: plan.map((l, i) => ({
        windowKey: this.keys.window(ws, id, l.slug),
        cooldownKey: this.keys.limitCooldown(ws, id, l.slug),
        slug: l.slug,
        max: l.max,
        windowMs: l.windowMs,
        lowAcceptanceMax: l.lowAcceptanceMax,
        ...pacing.limits[i],
      })),
      perAction: defs.map((l) => l.per_action),
      leaseMs: pacing.leaseMs,
      keys: {
        identityCooldown: this.keys.identityCooldown(ws, id),
        lease: this.keys.lease(ws, id),
        schedule: this.keys.schedule(ws, id),
        marker: this.keys.marker(ws, id),
        invitations: this.keys.invitations(ws, id),
      },
      invitation: isInvitationAction(action.slug),
    };
  }
}

/** The script's limits for `cost` units (shared for a cost of 1, which most calls have). */
export function limitsForCost(p: ActionPlan, cost: number): GuardScriptLimit[] {
  if (cost === 1) return p.limits;
  return p.limits.map((l, i) => (p.perAction[i] ? l : { ...l, units: cost }));
}
