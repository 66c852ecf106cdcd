/** What `GET /v1/identities/{id}/activity` accepts: window and bucket lengths, in seconds (one source for the route, its validation and its OpenAPI schema). */
export const ACTIVITY_WINDOWS = { '24h': 86_400, '7d': 604_800 } as const;
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
