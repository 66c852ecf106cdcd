import { type AccountType, type Level, type WarmupMode } from '../catalog/catalog.types.js';
import { type Schedule } from '../pacing/schedule.js';

export type IdentityMode = 'engagement' | 'standard';
export const IDENTITY_MODES: IdentityMode[] = ['engagement', 'standard'];
export type IdentityStatus = 'active' | 'paused';
export const IDENTITY_STATUSES: IdentityStatus[] = ['active', 'paused'];
/** `off`: no gaps, bursts or single flight (windows, cooldowns and working hours still apply). */
export type PacingMode = 'standard' | 'off';
export const PACING_MODES: PacingMode[] = ['standard', 'off'];

/**
 * A LinkedIn account of a workspace, as every feature outside identities/ sees it: a plain type, so
 * pure code (limit plans, health views) does not depend on the TypeORM entity that stores it.
 */
export interface Identity {
  id: string;
  workspaceId: string;
  externalId: string;
  label: string | null;
  mode: IdentityMode;
  accountType: AccountType;
  timezone: string;
  warmup: WarmupMode;
  warmupStartedAt: Date;
  warmupFrozenFrom: Date | null;
  warmupFrozenUntil: Date | null;
  warmupRestartFactor: number | null;
  level: Level;
  limitOverrides: Record<string, number>;
  status: IdentityStatus;
  /** Own working hours; null: the workspace's default schedule applies (itself null: any time). */
  schedule: Schedule | null;
  pacing: PacingMode;
  /** min_gap_seconds per limit slug (0 disables that limit's gap). */
  pacingOverrides: Record<string, number>;
  createdAt: Date;
  updatedAt: Date;
}
