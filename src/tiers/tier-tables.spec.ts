import { describe, expect, it } from '@jest/globals';
import { customLimitsSchema, effectiveLimits } from './effective-limits.js';
import { ENGAGEMENT_TIERS, engagementTierFor, PLAN_TIERS, planTierFor } from './tier-tables.js';

describe('plan tiers from monthly credits', () => {
  it.each([
    [0, 'Trial'],
    [999, 'Trial'],
    [1_000, 'Trial'],
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
  ])('%i credits → %s', (credits, name) => {
    expect(planTierFor(credits).name).toBe(name);
  });

  it('holds every cell of the seed', () => {
    const row = (n: string) => PLAN_TIERS.find((t) => t.name === n)!;
    const cells = (n: string) => {
      const t = row(n);
      return [
        t.limits['/v1/actions'].per_second, t.limits['/v1/actions'].per_minute,
        t.limits['/v1/identities'].per_second, t.limits['/v1/identities'].per_minute,
        t.limits['/v1/workspaces'].per_second, t.limits['/v1/workspaces'].per_minute,
        t.limits['/v1/runs/outputs'].per_second, t.limits['/v1/runs/outputs'].per_minute,
        t.concurrent_runs, t.batches_per_run,
      ];
    };
    expect(cells('Trial')).toEqual([1, 60, 2, 100, null, 5, null, 30, 2, 2]);
    expect(cells('Bronze')).toEqual([2, 120, 2, 100, null, 10, 1, 60, 2, 2]);
    expect(cells('Silver')).toEqual([10, 600, 4, 250, 1, 50, 2.5, 150, 5, 3]);
    expect(cells('Gold')).toEqual(cells('Silver'));
    expect(cells('Platinum')).toEqual([20, 1200, 5, 300, 1, 75, 5, 300, 10, 5]);
    expect(cells('Diamond')).toEqual(cells('Platinum'));
    expect(cells('Titanium')).toEqual([40, 1200, 8, 500, 2, 100, 10, 600, 15, 8]);
  });
});

describe('engagement tiers from the engagement identity count', () => {
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
  ])('%i identities → %s', (n, name) => {
    expect(engagementTierFor(n)?.name ?? null).toBe(name);
  });

  it('holds every cell of the seed', () => {
    expect(
      ENGAGEMENT_TIERS.map((t) => [
        t.limits['/v1/actions'].per_minute, t.limits['/v1/actions'].per_second, t.limits['/v1/identities'].per_minute,
        t.limits['/v1/workspaces'].per_minute, t.concurrent_runs, t.daily_api_limit, t.batches_per_run,
      ]),
    ).toEqual([
      [25, 0.4, 100, 10, 2, 720_000, 2],
      [50, 0.8, 300, 30, 6, 3_600_000, 6],
      [250, 4.2, 600, 60, 12, 14_400_000, 12],
      [1_250, 20.8, 1_000, 100, 20, 72_000_000, 20],
      [2_400, 40, 1_000, 100, 20, 72_000_000, 20],
    ]);
  });
});

describe('effective limits: the higher of the two systems per group', () => {
  it('Trial alone', () => {
    const e = effectiveLimits(1_000, 0);
    expect(e.groups['/v1/workspaces']).toEqual({ per_second: null, per_minute: 5, source: 'plan' });
    expect(e.daily_api_limit).toEqual({ value: 86_400, source: 'plan' });
    expect(e.engagement_tier).toBeNull();
  });

  it('Trial with 51 engagement identities: identities and workspaces from the engagement tier', () => {
    const e = effectiveLimits(1_000, 51);
    expect(e.groups['/v1/identities']).toEqual({ per_second: null, per_minute: 300, source: 'engagement' });
    expect(e.groups['/v1/workspaces']).toEqual({ per_second: null, per_minute: 30, source: 'engagement' });
    expect(e.groups['/v1/actions']).toEqual({ per_second: 1, per_minute: 60, source: 'plan' });
    expect(e.groups['/v1/runs/outputs'].source).toBe('plan');
    expect(e.concurrent_runs).toEqual({ value: 6, source: 'engagement' });
    expect(e.batches_per_run).toEqual({ value: 6, source: 'engagement' });
    expect(e.daily_api_limit).toEqual({ value: 3_600_000, source: 'engagement' });
  });

  it('Trial with 50: identities stay on the plan (100 = 100, ties go to the plan)', () => {
    const e = effectiveLimits(1_000, 50);
    expect(e.groups['/v1/identities'].source).toBe('plan');
    expect(e.groups['/v1/workspaces']).toEqual({ per_second: null, per_minute: 10, source: 'engagement' });
  });

  it('Titanium beats small engagement tiers; big ones win /v1/actions', () => {
    expect(effectiveLimits(30_000_000, 10).groups['/v1/actions'].source).toBe('plan');
    expect(effectiveLimits(30_000_000, 6_000).groups['/v1/actions']).toEqual({ per_second: 40, per_minute: 2_400, source: 'engagement' });
  });

  it('custom limits replace what they name', () => {
    const e = effectiveLimits(1_000, 0, { '/v1/actions': { per_minute: 300 }, daily_api_limit: 500 });
    expect(e.groups['/v1/actions']).toEqual({ per_second: 1, per_minute: 300, source: 'custom' });
    expect(e.daily_api_limit).toEqual({ value: 500, source: 'custom' });
    expect(e.concurrent_runs.source).toBe('plan');
  });

  it('validates custom limits', () => {
    expect(customLimitsSchema.safeParse({ '/v1/actions': { per_minute: -1 } }).success).toBe(false);
    expect(customLimitsSchema.safeParse({ bogus: 1 }).success).toBe(false);
    expect(customLimitsSchema.safeParse({ '/v1/actions': { per_second: 2.5, per_minute: 10 }, concurrent_runs: 3 }).success).toBe(true);
  });
});
