import { deepFreeze } from './deep-freeze.js';
import { type EngagementTier } from './tier.types.js';

/*
 * The engagement-mode tiers of seeds/edges-rate-limits.txt ("Rate Limits by Identity Count"), row
 * for row and in the seed's column order. /v1/identities and /v1/workspaces are per-minute figures
 * only (no per-second column, so per_second is null: no per-second bucket). The /v1/actions
 * per-second figures are the seed's own (0.4, 0.8, 4.2, 20.8, 40: its per-minute figure ÷ 60,
 * rounded); tier-resolution.ts perSecondBucket says how a fractional figure is enforced.
 * The top row's "2,400 (cap)" is 2,400.
 */
const row = (
  name: string,
  min_identities: number,
  max_identities: number,
  actionsPerMinute: number,
  actionsPerSecond: number,
  identitiesPerMinute: number,
  workspacesPerMinute: number,
  concurrent_runs: number,
  daily_api_limit: number,
  batches_per_run: number,
): EngagementTier => ({
  name,
  min_identities,
  max_identities,
  limits: {
    '/v1/actions': { per_second: actionsPerSecond, per_minute: actionsPerMinute },
    '/v1/identities': { per_second: null, per_minute: identitiesPerMinute },
    '/v1/workspaces': { per_second: null, per_minute: workspacesPerMinute },
  },
  concurrent_runs,
  daily_api_limit,
  batches_per_run,
});

/** Fewest identities first. Frozen: every reader shares these rows. */
export const ENGAGEMENT_TIERS: readonly EngagementTier[] = deepFreeze([
  // name, min, max identities; /v1/actions per minute, per second; /v1/identities; /v1/workspaces;
  // max concurrent runs; daily API limit; batches per run
  row('1–50', 1, 50, 25, 0.4, 100, 10, 2, 720_000, 2),
  row('51–200', 51, 200, 50, 0.8, 300, 30, 6, 3_600_000, 6),
  row('201–1,000', 201, 1_000, 250, 4.2, 600, 60, 12, 14_400_000, 12),
  row('1,001–5,000', 1_001, 5_000, 1_250, 20.8, 1_000, 100, 20, 72_000_000, 20),
  row('5,001–10,000', 5_001, 10_000, 2_400, 40, 1_000, 100, 20, 72_000_000, 20),
]);
