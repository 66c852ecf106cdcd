import { describe, expect, it } from '@jest/globals';
import { backoffMs, DEFAULT_RETRY_POLICY, nextAttemptAt } from './retry-policy.js';

const P = DEFAULT_RETRY_POLICY;
const FIRST = new Date('2026-01-01T00:00:00Z');

describe('retry policy', () => {
  it('doubles from the base up to the cap', () => {
    expect([1, 2, 3, 4].map((n) => backoffMs(P, n))).toEqual([10_000, 20_000, 40_000, 80_000]);
    expect(backoffMs(P, 30)).toBe(P.maxDelayMs);
    expect(backoffMs(P, 10_000)).toBe(P.maxDelayMs);
  });

  it('jitters between half and all of the backoff', () => {
    const now = new Date(FIRST.getTime() + 60_000);
    expect(nextAttemptAt(P, 3, FIRST, now, () => 0)!.getTime() - now.getTime()).toBe(20_000);
    expect(nextAttemptAt(P, 3, FIRST, now, () => 0.999999)!.getTime() - now.getTime()).toBe(40_000);
  });

  it('never waits less than the previous retry could, whatever the jitter', () => {
    for (let n = 1; n < 40; n++) expect(backoffMs(P, n + 1) / 2).toBeGreaterThanOrEqual(backoffMs(P, n) / 2);
  });

  it('tries a last time at the horizon, then gives up', () => {
    const nearEnd = new Date(FIRST.getTime() + P.horizonMs - 1000);
    expect(nextAttemptAt(P, 20, FIRST, nearEnd, () => 1)!.getTime()).toBe(FIRST.getTime() + P.horizonMs);
    expect(nextAttemptAt(P, 21, FIRST, new Date(FIRST.getTime() + P.horizonMs), () => 1)).toBeNull();
  });

  it('makes a few dozen attempts over 24 hours', () => {
    let now = FIRST;
    let attempts = 1;
    for (;;) {
      const next = nextAttemptAt(P, attempts, FIRST, now, () => 0.5);
      if (!next) break;
      now = next;
      attempts++;
    }
    expect(attempts).toBeGreaterThan(20);
    expect(attempts).toBeLessThan(50);
  });
});
