import {
  type AccountType,
  type ActionDefinition,
  type Catalog,
  type Level,
  type LimitDefinition,
  type WarmupConfig,
  type WarmupMode,
} from './catalog.types.js';

const DAY_MS = 86_400_000;

/**
 * "Near the limit": at or above this share of a threshold an identity's health is `warning`, a limit
 * crossing it emits `limit.warning`, and a workspace crossing it of its daily API limit `quota.warning`
 * (SPEC §7, §9: 80 %). The one place the figure lives.
 */
export const WARNING_SHARE = 0.8;

export interface WarmupState {
  mode: WarmupMode;
  startedAt: Date | null;
  now: Date;
  /** The limit's window: the standard ramp only touches limits of at most a day. */
  windowSeconds: number;
  /** A pushback freeze; `frozenUntil` null with `frozenFrom` set means frozen until further notice. */
  frozenFrom?: Date | null;
  frozenUntil?: Date | null;
  /** Set after RESTRICTED: the fraction the restarted ramp begins from. */
  restartFactor?: number | null;
}

export interface WarmupResult {
  /** Multiplies the limit's default, in (0, 1]. */
  factor: number;
  /** The identity's 1-based warm-up day (frozen time not counted); null when there is no ramp. */
  day: number | null;
  /** The identity's ramp is over (true although `factor` may already be 1 for a long window). */
  complete: boolean;
}

/**
 * How far along its warm-up an identity is, for one limit.
 *
 * - standard: day d = floor(elapsed / 1 day) + 1, factor min(d, days) / days, for limits whose
 *   window is at most `standard.max_window_seconds` (24 h); longer windows get 1.
 * - cold: week w = floor(elapsed / step_days), factor steps[min(w, last)] on every limit.
 * - none: 1 — unless the identity was RESTRICTED (restartFactor set): then the standard ramp applies,
 *   because LIMITS.md restarts every restricted identity at 50 %, warm-up mode or not.
 * - elapsed = now − startedAt minus the overlap with [frozenFrom, min(frozenUntil, now)]: the ramp
 *   stands still while frozen after a pushback.
 * - restartFactor r: factor = r + (1 − r) × ramp, so the ramp restarts at r (on its first day
 *   r + (1 − r) × ramp(day 1)) and climbs to 1 when the ramp completes. The caller resets
 *   startedAt to the moment of the restriction, so the ramp begins again from day 1.
 */
export function warmupFactor(state: WarmupState, warmup: WarmupConfig): WarmupResult {
  const restart = state.restartFactor ?? null;
  const mode: WarmupMode = state.mode === 'none' && restart !== null ? 'standard' : state.mode;
  if (mode === 'none' || !state.startedAt) return { factor: 1, day: null, complete: true };

  const elapsedMs = activeElapsedMs(state.startedAt, state.now, state.frozenFrom ?? null, state.frozenUntil ?? null);
  const day = Math.floor(elapsedMs / DAY_MS) + 1;

  let ramp: number;
  let complete: boolean;
  if (mode === 'standard') {
    const days = warmup.standard.days;
    complete = day >= days;
    ramp = state.windowSeconds <= warmup.standard.max_window_seconds ? Math.min(day, days) / days : 1;
  } else {
    const steps = warmup.cold.steps;
    const week = Math.floor(elapsedMs / (warmup.cold.step_days * DAY_MS));
    complete = week >= steps.length - 1;
    ramp = steps[Math.min(week, steps.length - 1)];
  }

  const factor = restart === null ? ramp : restart + (1 - restart) * ramp;
  return { factor: roundFactor(Math.min(1, factor)), day, complete };
}

/**
 * What `warmupFactor` depends on besides the identity's own fields and the limit's window: its
 * result is the same for two times of the same stage (the ramp's day, and week for a cold ramp).
 * Cached plans are keyed by it, so they follow the ramp to the millisecond.
 */
export function warmupStage(state: Omit<WarmupState, 'windowSeconds'>, warmup: WarmupConfig): string {
  const mode: WarmupMode = state.mode === 'none' && (state.restartFactor ?? null) !== null ? 'standard' : state.mode;
  if (mode === 'none' || !state.startedAt) return '';
  const elapsedMs = activeElapsedMs(state.startedAt, state.now, state.frozenFrom ?? null, state.frozenUntil ?? null);
  const day = Math.floor(elapsedMs / DAY_MS);
  return mode === 'standard' ? String(day) : `${day}/${Math.floor(elapsedMs / (warmup.cold.step_days * DAY_MS))}`;
}

function activeElapsedMs(startedAt: Date, now: Date, frozenFrom: Date | null, frozenUntil: Date | null): number {
  const start = startedAt.getTime();
  const end = now.getTime();
  let elapsed = end - start;
  if (frozenFrom) {
    const from = Math.max(frozenFrom.getTime(), start);
    const until = Math.min(frozenUntil ? frozenUntil.getTime() : end, end);
    if (until > from) elapsed -= until - from;
  }
  return Math.max(0, elapsed);
}

export interface FreezeState {
  startedAt: Date | null;
  frozenFrom: Date | null;
  frozenUntil: Date | null;
}

/**
 * A new pushback freeze starting at `at`. Only one freeze is stored per identity, so a finished
 * earlier freeze is folded into startedAt (moved later by the frozen time it cost) before the new
 * one replaces it; a freeze still running is extended instead.
 */
export function startFreeze(current: FreezeState, at: Date, warmup: WarmupConfig): FreezeState {
  const until = new Date(at.getTime() + warmup.freeze_days_after_pushback * DAY_MS);
  const { startedAt, frozenFrom, frozenUntil } = current;
  if (!frozenFrom) return { startedAt, frozenFrom: at, frozenUntil: until };
  if (!frozenUntil || frozenUntil.getTime() >= at.getTime()) {
    const later = !frozenUntil || frozenUntil.getTime() > until.getTime() ? frozenUntil : until;
    return { startedAt, frozenFrom, frozenUntil: later };
  }
  if (!startedAt) return { startedAt, frozenFrom: at, frozenUntil: until };
  const lost = Math.max(0, frozenUntil.getTime() - Math.max(frozenFrom.getTime(), startedAt.getTime()));
  return { startedAt: new Date(startedAt.getTime() + lost), frozenFrom: at, frozenUntil: until };
}

export interface ThresholdInput {
  limit: LimitDefinition;
  accountType: AccountType;
  level: Level;
  warmup: { factor: number };
  /** The identity's `limit_overrides[slug]`: exact, no level or warm-up factor. */
  override?: number | null;
}

/**
 * The max for one limit of one identity: an override exactly; else a default of 0 stays 0 (the
 * account type cannot do it); else ceil(default × level × warm-up), at least 1.
 */
export function effectiveThreshold(input: ThresholdInput, catalog: Catalog): number {
  if (typeof input.override === 'number') return input.override;
  const base = input.limit.default_max[input.accountType];
  if (!base) return 0;
  const level = catalog.levels[input.level];
  if (level === undefined) throw new Error(`Unknown level "${input.level}"`);
  // 25 × 0.6 × 0.2 is 3.0000000000000004 in binary floating point; ceil must see 3.
  return Math.max(1, Math.ceil(roundFactor(base * level * input.warmup.factor)));
}

function roundFactor(x: number): number {
  return Math.round(x * 1e9) / 1e9;
}

/**
 * Whether an account type can perform an action at all (else 403 NO_VALID_ACCOUNT_CONFIGURED):
 * it must be listed in the action's account_types AND every limit the action consumes must have a
 * default above 0 for it (a deployer's file may zero a limit without touching the actions).
 * Decided by the catalog alone: an identity's limit override tunes numbers, it grants no capability
 * (an override of 0 makes the limit always reached instead).
 */
export function canPerform(action: ActionDefinition, accountType: AccountType, catalog: Catalog): boolean {
  if (!action.account_types.includes(accountType)) return false;
  const limits = limitsForAction(catalog, action.slug);
  if (!limits || limits.length !== action.limits.length) return false;
  return limits.every((l) => l.default_max[accountType] > 0);
}

export function findAction(catalog: Catalog, actionSlug: string): ActionDefinition | undefined {
  return catalog.actions.find((a) => a.slug === actionSlug);
}

/** The limits an action consumes, in the action's order; undefined for an unknown action. */
export function limitsForAction(catalog: Catalog, actionSlug: string): LimitDefinition[] | undefined {
  const action = findAction(catalog, actionSlug);
  if (!action) return undefined;
  return action.limits.flatMap((slug) => catalog.limits.find((l) => l.slug === slug) ?? []);
}
