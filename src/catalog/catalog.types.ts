export type AccountType = 'free' | 'premium' | 'sales_navigator' | 'recruiter';
export const ACCOUNT_TYPES: AccountType[] = ['free', 'premium', 'sales_navigator', 'recruiter'];

/** A factor on every default threshold (never on an identity's override). */
export type Level = 'conservative' | 'standard' | 'aggressive';
export const LEVELS: Level[] = ['conservative', 'standard', 'aggressive'];

export type WarmupMode = 'standard' | 'cold' | 'none';
export const WARMUP_MODES: WarmupMode[] = ['standard', 'cold', 'none'];

/** A counter over one sliding window; a weekly cap is its own limit beside the daily one. */
export interface LimitDefinition {
  slug: string;
  name: string;
  description: string;
  window_seconds: number;
  /** 0 means the account type cannot do what this limit counts. */
  default_max: Record<AccountType, number>;
}

/** A LinkedIn operation (named as the Edges API names it) and every limit one call consumes. */
export interface ActionDefinition {
  slug: string;
  limits: string[];
  account_types: AccountType[];
  cost_note?: string;
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
}
