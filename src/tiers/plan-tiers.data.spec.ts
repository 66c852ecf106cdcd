import { describe, expect, it } from '@jest/globals';
import { PLAN_TIERS } from './plan-tiers.data.js';
import { PLAN_TIER_NAMES, type PlanTierName } from './tier.types.js';

const row = (name: PlanTierName) => PLAN_TIERS.find((t) => t.name === name)!;

// Each tier's cells in the seed's table order: credits; /v1/actions /s /min; /v1/identities /s /min;
// /v1/workspaces /s /min; /v1/runs/outputs /s /min; concurrent runs; batches per run; daily API limit.
const cells = (name: PlanTierName) => {
  const t = row(name);
  const l = t.limits;
  return [
    t.min_credits,
    t.max_credits,
    l['/v1/actions'].per_second,
    l['/v1/actions'].per_minute,
    l['/v1/identities'].per_second,
    l['/v1/identities'].per_minute,
    l['/v1/workspaces'].per_second,
    l['/v1/workspaces'].per_minute,
    l['/v1/runs/outputs'].per_second,
    l['/v1/runs/outputs'].per_minute,
    t.concurrent_runs,
    t.batches_per_run,
    t.daily_api_limit,
  ];
};

describe('plan tiers (seed tables, row for row)', () => {
  it('lists the seven tiers lowest first', () => {
    expect(PLAN_TIERS.map((t) => t.name)).toEqual([...PLAN_TIER_NAMES]);
    expect(PLAN_TIER_NAMES).toEqual(['Trial', 'Bronze', 'Silver', 'Gold', 'Platinum', 'Diamond', 'Titanium']);
  });

  it.each<[PlanTierName, (number | null)[]]>([
    ['Trial', [1_000, 1_000, 1, 60, 2, 100, null, 5, null, 30, 2, 2, 86_400]],
    ['Bronze', [2_500, 10_000, 2, 120, 2, 100, null, 10, 1, 60, 2, 2, 172_800]],
    ['Silver', [10_001, 100_000, 10, 600, 4, 250, 1, 50, 2.5, 150, 5, 3, 864_000]],
    ['Gold', [100_001, 500_000, 10, 600, 4, 250, 1, 50, 2.5, 150, 5, 3, 864_000]],
    ['Platinum', [500_001, 2_000_000, 20, 1_200, 5, 300, 1, 75, 5, 300, 10, 5, 1_728_000]],
    ['Diamond', [2_000_001, 20_000_000, 20, 1_200, 5, 300, 1, 75, 5, 300, 10, 5, 1_728_000]],
    ['Titanium', [20_000_001, 50_000_000, 40, 1_200, 8, 500, 2, 100, 10, 600, 15, 8, 3_456_000]],
  ])('%s holds every cell', (name, expected) => {
    expect(cells(name)).toEqual(expected);
  });

  it("takes each plan's daily API limit from the seed's /v1/actions daily capacity (per second × 86,400)", () => {
    for (const t of PLAN_TIERS) expect(t.daily_api_limit).toBe(t.limits['/v1/actions'].per_second! * 86_400);
  });

  it('leaves no credit range overlapping or out of order', () => {
    for (let i = 1; i < PLAN_TIERS.length; i++) expect(PLAN_TIERS[i].min_credits).toBeGreaterThan(PLAN_TIERS[i - 1].max_credits);
  });

  it('is frozen, so no reader changes what others read', () => {
    expect(() => {
      (row('Trial').limits['/v1/actions'] as { per_minute: number }).per_minute = 1;
    }).toThrow(TypeError);
    expect(row('Trial').limits['/v1/actions'].per_minute).toBe(60);
    // Grouped rows share figures but not objects.
    expect(row('Silver').limits).not.toBe(row('Gold').limits);
  });
});
