import { describe, expect, it } from '@jest/globals';
import { ENGAGEMENT_TIERS } from './engagement-tiers.data.js';

describe('engagement tiers (seed table, row for row)', () => {
  it('holds every cell, in the seed column order', () => {
    expect(
      ENGAGEMENT_TIERS.map((t) => [
        t.name,
        t.min_identities,
        t.max_identities,
        t.limits['/v1/actions'].per_minute,
        t.limits['/v1/actions'].per_second,
        t.limits['/v1/identities'].per_minute,
        t.limits['/v1/workspaces'].per_minute,
        t.concurrent_runs,
        t.daily_api_limit,
        t.batches_per_run,
      ]),
    ).toEqual([
      ['1–50', 1, 50, 25, 0.4, 100, 10, 2, 720_000, 2],
      ['51–200', 51, 200, 50, 0.8, 300, 30, 6, 3_600_000, 6],
      ['201–1,000', 201, 1_000, 250, 4.2, 600, 60, 12, 14_400_000, 12],
      ['1,001–5,000', 1_001, 5_000, 1_250, 20.8, 1_000, 100, 20, 72_000_000, 20],
      ['5,001–10,000', 5_001, 10_000, 2_400, 40, 1_000, 100, 20, 72_000_000, 20],
    ]);
  });

  it('has no per-second figure for /v1/identities and /v1/workspaces, and no /v1/runs/outputs', () => {
    for (const t of ENGAGEMENT_TIERS) {
      expect(t.limits['/v1/identities'].per_second).toBeNull();
      expect(t.limits['/v1/workspaces'].per_second).toBeNull();
      expect(Object.keys(t.limits)).toEqual(['/v1/actions', '/v1/identities', '/v1/workspaces']);
    }
  });

  it('covers 1 … 10,000 without gaps or overlaps', () => {
    expect(ENGAGEMENT_TIERS[0].min_identities).toBe(1);
    for (let i = 1; i < ENGAGEMENT_TIERS.length; i++) expect(ENGAGEMENT_TIERS[i].min_identities).toBe(ENGAGEMENT_TIERS[i - 1].max_identities + 1);
    expect(ENGAGEMENT_TIERS.at(-1)!.max_identities).toBe(10_000);
  });

  it('is frozen', () => {
    expect(Object.isFrozen(ENGAGEMENT_TIERS)).toBe(true);
    expect(Object.isFrozen(ENGAGEMENT_TIERS[2].limits['/v1/actions'])).toBe(true);
  });
});
