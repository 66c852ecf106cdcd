import { COOLDOWN_POLICY, type CooldownDecision, type WarmupEffect } from './cooldown-policy.js';
import { type CooldownScope } from './cooldown.types.js';

/** The part of a running cooldown that planning looks at. */
export interface RunningCooldown {
  id: string;
  scope: CooldownScope;
  limits: string[];
  reason: string;
  level: number;
  atRisk: boolean;
  endsAt: Date | null;
}

export interface NewCooldown {
  scope: CooldownScope;
  limits: string[];
  reason: string;
  level: number;
  endsAt: Date | null;
  atRisk: boolean;
}

export type CooldownPlan =
  /** Nothing to cool down (no decision). */
  | { kind: 'none'; countsAsStrike: false; warmup: 'none' }
  /** A running cooldown already covers it and lasts at least as long: it is part of that one. */
  | { kind: 'absorbed'; into: RunningCooldown; countsAsStrike: boolean; warmup: WarmupEffect }
  /** A new cooldown starts; the running ones it covers and outlasts end (`superseded`); `extends`: the one it prolongs. */
  | { kind: 'start'; cooldown: NewCooldown; supersedes: string[]; extends: string | null; countsAsStrike: boolean; warmup: WarmupEffect };

type Span = { scope: CooldownScope; limits: string[]; endsAt: Date | null };

/** `a` blocks at least everything `b` blocks. */
function covers(a: Span, b: Span): boolean {
  if (a.scope === 'identity') return true;
  return b.scope === 'limits' && b.limits.every((l) => a.limits.includes(l));
}

/** `a` ends no earlier than `b` (no end = never). */
export function outlasts(a: Span, b: Span): boolean {
  if (a.endsAt === null) return true;
  if (b.endsAt === null) return false;
  return a.endsAt.getTime() >= b.endsAt.getTime();
}

function latestEnding<T extends Span>(items: T[]): T | undefined {
  return [...items].sort((x, y) => (outlasts(x, y) ? (outlasts(y, x) ? 0 : -1) : 1))[0];
}

export interface PlanInput {
  decision: CooldownDecision | null;
  /** Cooldowns of the identity still enforced now. */
  running: RunningCooldown[];
  isStrike: boolean;
  /** The limits the reported action consumes (a strike's first scope). */
  actionLimits: string[];
  retryAfterSeconds: number | null;
  now: Date;
  random: () => number;
}

/**
 * Turns the policy's decision into what happens to the identity's cooldowns ("start or extend").
 *
 * A LinkedIn 429 for an action whose limits are already cooling down belongs to the episode that
 * started that cooldown: the guard refuses the action during it, so the 429 came from an action
 * admitted before it began (workers run actions in parallel). Counting it as a new strike would
 * escalate a single pushback straight to 72 h. It is logged, does not count as a strike, and extends
 * the running cooldown only when LinkedIn's Retry-After reaches beyond its end.
 *
 * Any other sign starts its cooldown unless a running one already covers the same scope for at
 * least as long (a 999 during a challenge adds nothing); the new one supersedes running cooldowns it
 * covers and outlasts, so the history shows one cooldown per key at a time.
 */
export function planCooldown(input: PlanInput): CooldownPlan {
  const { decision, running } = input;
  if (!decision) return { kind: 'none', countsAsStrike: false, warmup: 'none' };
  const restart = decision.warmup === 'restart';
  const laterWarmup: WarmupEffect = decision.warmup === 'none' ? 'none' : 'freeze';

  if (input.isStrike && input.actionLimits.length > 0) {
    const firstScope: Span = { scope: 'limits', limits: input.actionLimits, endsAt: null };
    const episode = latestEnding(running.filter((c) => covers(c, firstScope)));
    if (episode) {
      const floor = retryAfterEnd(input.retryAfterSeconds, input.now, input.random);
      if (!floor || outlasts(episode, { ...episode, endsAt: floor })) {
        return { kind: 'absorbed', into: episode, countsAsStrike: false, warmup: laterWarmup };
      }
      const extended: NewCooldown = { ...pick(episode), endsAt: floor };
      return {
        kind: 'start',
        cooldown: extended,
        supersedes: supersededBy(extended, running),
        extends: episode.id,
        countsAsStrike: false,
        warmup: laterWarmup,
      };
    }
  }

  const next: NewCooldown = {
    scope: decision.scope,
    limits: decision.scope === 'identity' ? [] : decision.limits,
    reason: decision.reason,
    level: decision.level,
    endsAt: decision.ends_at,
    atRisk: decision.at_risk,
  };
  const holder = latestEnding(running.filter((c) => covers(c, next) && outlasts(c, next)));
  if (holder) return { kind: 'absorbed', into: holder, countsAsStrike: input.isStrike, warmup: laterWarmup };
  return {
    kind: 'start',
    cooldown: next,
    supersedes: supersededBy(next, running),
    extends: null,
    countsAsStrike: input.isStrike,
    warmup: restart ? 'restart' : decision.warmup,
  };
}

/** Running cooldowns that `next` makes redundant. */
export function supersededBy(next: Span, running: RunningCooldown[]): string[] {
  return running.filter((c) => covers(next, c) && outlasts(next, c)).map((c) => c.id);
}

function pick(c: RunningCooldown): Omit<NewCooldown, 'endsAt'> {
  return { scope: c.scope, limits: c.limits, reason: c.reason, level: c.level, atRisk: c.atRisk };
}

/** LinkedIn's Retry-After as an end, capped like the policy caps it, with the policy's jitter on top. */
function retryAfterEnd(seconds: number | null, now: Date, random: () => number): Date | null {
  if (seconds === null || !Number.isFinite(seconds) || seconds <= 0) return null;
  const length = Math.min(seconds, COOLDOWN_POLICY.maxRetryAfterSeconds);
  const r = Math.min(Math.max(random(), 0), 1 - Number.EPSILON);
  const withJitter = Math.ceil(length + length * COOLDOWN_POLICY.jitterMaxFraction * (Number.isFinite(r) ? r : 0));
  return new Date(now.getTime() + withJitter * 1000);
}
