export type AccountType = 'free' | 'premium' | 'sales_navigator' | 'recruiter';
export const ACCOUNT_TYPES: AccountType[] = ['free', 'premium', 'sales_navigator', 'recruiter'];

/** A factor on every default threshold (never on an identity's override). */
export type Level = 'conservative' | 'standard' | 'aggressive';
export const LEVELS: Level[] = ['conservative', 'standard', 'aggressive'];

export type WarmupMode = 'standard' | 'cold' | 'none';
export const WARMUP_MODES: WarmupMode[] = ['standard', 'cold', 'none'];

/**
 * A short window over the same recorded actions as the limit's main window (SPEC 4b). `max` is
 * absolute; `max_share` is a share of the threshold without warm-up (default × level, or the
 * identity's override), rounded up, at least 1. Exactly one of the two is set.
 */
export interface BurstDefinition {
  window_seconds: number;
  max?: number;
  max_share?: number;
}

/** A counter over one sliding window; a weekly cap is its own limit beside the daily one. */
export interface LimitDefinition {
  slug: string;
  name: string;
  description: string;
  window_seconds: number;
  /** 0 means the account type cannot do what this limit counts. */
  default_max: Record<AccountType, number>;
  /** Two recorded actions of this limit are never closer than this plus the earlier one's jitter (0: no gap). */
  min_gap_seconds: number;
  /** Each recorded action's gap grows by a stable draw in [0, jitter_seconds]. */
  jitter_seconds: number;
  bursts: BurstDefinition[];
  /** Consumed once per action whatever its `cost` (LK_WRITE_ACTIONS), instead of `cost` units. */
  per_action: boolean;
}

/** A LinkedIn operation (named as the Edges API names it) and every limit one call consumes. */
export interface ActionDefinition {
  slug: string;
  limits: string[];
  account_types: AccountType[];
  cost_note?: string;
  /** Outreach: an admitted action takes the identity's in-flight lease until its outcome, release or TTL. */
  single_flight: boolean;
}

/** Catalog-wide pacing settings (LIMITS.md "Pacing defaults"). */
export interface PacingConfig {
  /** How long an in-flight lease lives when no outcome or release frees it. */
  in_flight_seconds: number;
  /** Each day a schedule opens late by a stable per-identity offset of 0 to this many minutes. */
  start_jitter_minutes: number;
}

export interface WarmupConfig {
  /** Linear ramp over `days` days; only limits whose window is at most `max_window_seconds`. */
  standard: { days: number; max_window_seconds: number };
  /** Weekly steps (fractions of the default) on every limit; the last step is 1. */
  cold: { step_days: number; steps: number[] };
  /** The ramp stands still this long after a LinkedIn 429 or warning sign. */
  freeze_days_after_pushback: number;
  /** After RESTRICTED the ramp starts over from this fraction instead of from zero. */
  restart_factor_after_restricted: number;
}

export interface Catalog {
  actions: ActionDefinition[];
  limits: LimitDefinition[];
  levels: Record<Level, number>;
  warmup: WarmupConfig;
  pacing: PacingConfig;
}
