import { type CustomLimits, effectiveLimits, type EffectiveLimits } from '../tiers/effective-limits.js';

/** Effective limits in the form the scripts take (0 = none). */
export interface WorkspaceApiLimits extends EffectiveLimits {
  engagement_identities: number;
  groups: Record<keyof EffectiveLimits['groups'], EffectiveLimits['groups'][keyof EffectiveLimits['groups']] & { per_second: number }>;
}

export function toWorkspaceApiLimits(
  monthlyCredits: number,
  engagementIdentities: number,
  custom: Record<string, unknown> | null,
): WorkspaceApiLimits {
  const e = effectiveLimits(monthlyCredits, engagementIdentities, custom as CustomLimits | null);
  const groups = Object.fromEntries(
    Object.entries(e.groups).map(([g, r]) => [g, { ...r, per_second: r.per_second ?? 0 }]),
  ) as WorkspaceApiLimits['groups'];
  return { ...e, groups, engagement_identities: engagementIdentities };
}
