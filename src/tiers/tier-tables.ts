/*
 * Earlier single-file home of the tables, kept so existing importers compile unchanged.
 * New code imports plan-tiers.data.ts, engagement-tiers.data.ts, tier-resolution.ts directly.
 */
export { ENDPOINT_GROUPS as GROUPS, type EndpointGroup as Group } from './endpoint-groups.js';
export { ENGAGEMENT_TIERS } from './engagement-tiers.data.js';
export { PLAN_TIERS } from './plan-tiers.data.js';
export { engagementTierFor, planTierFor } from './tier-resolution.js';
export { type EngagementTier, type PlanTier, type Rate } from './tier.types.js';
