import { describe, expect, it } from '@jest/globals';
import { engagementTierFor, perSecondBucket, planTierFor } from './tier-resolution.js';

describe('planTierFor', () => {
  it.each([
    [0, 'Trial'],
    [999, 'Trial'],
    [1_000, 'Trial'],
    [1_001, 'Trial'],
    [2_499, 'Trial'],
    [2_500, 'Bronze'],
    [10_000, 'Bronze'],
    [10_001, 'Silver'],
    [100_000, 'Silver'],
    [100_001, 'Gold'],
    [500_000, 'Gold'],
    [500_001, 'Platinum'],
    [2_000_000, 'Platinum'],
    [2_000_001, 'Diamond'],
    [20_000_000, 'Diamond'],
    [20_000_001, 'Titanium'],
    [50_000_000, 'Titanium'],
    [50_000_001, 'Titanium'],
    [1_000_000_000_000, 'Titanium'],
  ])('%i credits → %s', (credits, name) => {
    expect(planTierFor(credits).name).toBe(name);
  });

  it('reads a fraction between two rows down', () => {
    expect(planTierFor(10_000.5).name).toBe('Bronze');
    expect(planTierFor(2_499.99).name).toBe('Trial');
  });

  it.each([-1, Number.NaN, Number.POSITIVE_INFINITY])('refuses %p', (bad) => {
    expect(() => planTierFor(bad)).toThrow(RangeError);
  });
});

describe('engagementTierFor', () => {
  it.each([
    [0, null],
    [1, '1–50'],
    [50, '1–50'],
    [51, '51–200'],
    [200, '51–200'],
    [201, '201–1,000'],
    [1_000, '201–1,000'],
    [1_001, '1,001–5,000'],
    [5_000, '1,001–5,000'],
    [5_001, '5,001–10,000'],
    [10_000, '5,001–10,000'],
    [10_001, '5,001–10,000'],
    [1_000_000, '5,001–10,000'],
  ])('%i engagement identities → %s', (n, name) => {
    expect(engagementTierFor(n)?.name ?? null).toBe(name);
  });

  it.each([-1, Number.NaN])('refuses %p', (bad) => {
    expect(() => engagementTierFor(bad)).toThrow(RangeError);
  });
});

describe('perSecondBucket', () => {
  it('has none where the table gives none (the seed\'s "< 1")', () => {
    expect(perSecondBucket({ per_second: null, per_minute: 5 })).toBeNull();
  });

  it.each([
    // per_second, per_minute → capacity, refill per second
    [1, 60, 1, 1],
    [40, 1_200, 40, 40],
    [2.5, 150, 3, 2.5],
    [4.2, 250, 5, 4.2],
    [0.4, 25, 1, 25 / 60],
    [0.8, 50, 1, 50 / 60],
    [20.8, 1_250, 21, 1_250 / 60],
    [4, 250, 4, 250 / 60],
  ])('%p/s beside %p/min: a burst of %p refilled at %p a second', (ps, pm, capacity, refill) => {
    const b = perSecondBucket({ per_second: ps, per_minute: pm })!;
    expect(b.capacity).toBe(capacity);
    expect(b.refill_per_second).toBeCloseTo(refill, 12);
    // Sustained, the bucket never holds the row below its own per-minute figure.
    expect(b.refill_per_second * 60).toBeGreaterThanOrEqual(pm - 1e-9);
  });
});
