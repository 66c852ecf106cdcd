import { type AccountType, type Level, type WarmupMode } from '../catalog/catalog.types.js';

export type IdentityMode = 'engagement' | 'standard';
export const IDENTITY_MODES: IdentityMode[] = ['engagement', 'standard'];
export type IdentityStatus = 'active' | 'paused';
export const IDENTITY_STATUSES: IdentityStatus[] = ['active', 'paused'];

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
  createdAt: Date;
  updatedAt: Date;
}
