/**
 * When a failed delivery is tried again (pure). Exponential backoff with "equal jitter": the n-th
 * retry waits between half and all of base·2^(n−1), capped, so retries of many deliveries that
 * failed together (a receiver outage) spread out instead of arriving in a burst when it returns,
 * while every wait is still at least as long as the previous one's lower bound.
 */
export interface RetryPolicy {
  baseDelayMs: number;
  maxDelayMs: number;
  /** How long after the first attempt a delivery is given up (marked failed). */
  horizonMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  baseDelayMs: 10_000,
  maxDelayMs: 60 * 60_000,
  horizonMs: 24 * 60 * 60_000,
};

/** The uncapped-by-horizon wait before retry number `failures` (1 = after the first failure), before jitter. */
export function backoffMs(policy: RetryPolicy, failures: number): number {
  const exp = policy.baseDelayMs * 2 ** Math.min(Math.max(failures - 1, 0), 40);
  return Math.min(policy.maxDelayMs, exp);
}

/**
 * When to try again after `failures` failed attempts, or null when the horizon has passed and the
 * delivery is failed. The last retry is made at the horizon itself, so a receiver back just before
 * it still gets the event.
 */
export function nextAttemptAt(
  policy: RetryPolicy,
  failures: number,
  firstAttemptAt: Date,
  now: Date,
  random: () => number = Math.random,
): Date | null {
  const deadline = firstAttemptAt.getTime() + policy.horizonMs;
  if (now.getTime() >= deadline) return null;
  const delay = backoffMs(policy, failures);
  const jittered = delay / 2 + random() * (delay / 2);
  return new Date(Math.min(now.getTime() + Math.ceil(jittered), deadline));
}
