/** What `GET /v1/identities/{id}/activity` accepts: window and bucket lengths, in seconds (one source for the route, its validation and its OpenAPI schema). */
export const ACTIVITY_WINDOWS = { '24h': 86_400, '7d': 604_800, '30d': 2_592_000, '90d': 7_776_000 } as const;
/**
 * Where each window's counts come from: the Redis windows (live, to the millisecond) where they
 * reach, the PostgreSQL journal (batched: up to JOURNAL_FLUSH_MS behind) beyond them.
 */
export const ACTIVITY_SOURCES = { '24h': 'windows', '7d': 'windows', '30d': 'journal', '90d': 'journal' } as const;
/** The bucket when none is asked for: hours for a day or a week, days beyond. */
export const DEFAULT_ACTIVITY_BUCKET = { '24h': '1h', '7d': '1h', '30d': '1d', '90d': '1d' } as const;
export const ACTIVITY_BUCKETS = {
  '5m': 300,
  '15m': 900,
  '30m': 1_800,
  '1h': 3_600,
  '3h': 10_800,
  '6h': 21_600,
  '12h': 43_200,
  '1d': 86_400,
} as const;
export type ActivityWindow = keyof typeof ACTIVITY_WINDOWS;
export type ActivityBucket = keyof typeof ACTIVITY_BUCKETS;
/** A bar chart wider than this is not read by anyone; it also bounds the script's work. */
export const MAX_ACTIVITY_BUCKETS = 720;
