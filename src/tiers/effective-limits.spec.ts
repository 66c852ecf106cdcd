import { describe, expect, it } from '@jest/globals';
import { type CustomLimits, customLimitsSchema, effectiveLimits, TIER_RULES, tiersTable } from './effective-limits.js';
import { ENGAGEMENT_TIERS } from './engagement-tiers.data.js';
import { ENDPOINT_GROUPS } from './endpoint-groups.js';
import { PLAN_TIERS } from './plan-tiers.data.js';

const eff = (monthlyCredits: number, engagementIdentities: number, customLimits?: CustomLimits) =>
  effectiveLimits({ monthlyCredits, engagementIdentities, customLimits });

describe('effectiveLimits: the higher of the two systems per endpoint group', () => {
  it('a plan alone: every figure from the plan', () => {
    expect(eff(1_000, 0)).toEqual({
      plan_tier: 'Trial',
      engagement_tier: null,
      groups: {
        '/v1/actions': { per_second: 1, per_minute: 60, source: 'plan' },
        '/v1/identities': { per_second: 2, per_minute: 100, source: 'plan' },
        '/v1/workspaces': { per_second: null, per_minute: 5, source: 'plan' },
        '/v1/runs/outputs': { per_second: null, per_minute: 30, source: 'plan' },
      },
      concurrent_runs: { value: 2, source: 'plan' },
      batches_per_run: { value: 2, source: 'plan' },
      daily_api_limit: { value: 86_400, source: 'plan' },
    });
  });

  it("Trial with 51 engagement identities: /v1/identities and /v1/workspaces become the engagement tier's", () => {
    const e = eff(1_000, 51);
    expect(e.engagement_tier).toBe('51–200');
    expect(e.groups['/v1/identities']).toEqual({ per_second: null, per_minute: 300, source: 'engagement' });
    expect(e.groups['/v1/workspaces']).toEqual({ per_second: null, per_minute: 30, source: 'engagement' });
    // 60/min beats the engagement row's 50/min; its 1/s beats 0.8/s.
    expect(e.groups['/v1/actions']).toEqual({ per_second: 1, per_minute: 60, source: 'plan' });
    expect(e.groups['/v1/runs/outputs']).toEqual({ per_second: null, per_minute: 30, source: 'plan' });
    expect(e.concurrent_runs).toEqual({ value: 6, source: 'engagement' });
    expect(e.batches_per_run).toEqual({ value: 6, source: 'engagement' });
    expect(e.daily_api_limit).toEqual({ value: 3_600_000, source: 'engagement' });
  });

  it('Trial with 50: ties go to the plan', () => {
    const e = eff(1_000, 50);
    expect(e.groups['/v1/identities']).toEqual({ per_second: 2, per_minute: 100, source: 'plan' });
    expect(e.groups['/v1/workspaces']).toEqual({ per_second: null, per_minute: 10, source: 'engagement' });
    expect(e.concurrent_runs).toEqual({ value: 2, source: 'plan' });
    expect(e.batches_per_run).toEqual({ value: 2, source: 'plan' });
    expect(e.daily_api_limit).toEqual({ value: 720_000, source: 'engagement' });
  });

  it('Silver with 201: the plan keeps /v1/actions, the engagement row wins the rest', () => {
    const e = eff(50_000, 201);
    expect(e.groups['/v1/actions']).toEqual({ per_second: 10, per_minute: 600, source: 'plan' });
    expect(e.groups['/v1/identities']).toEqual({ per_second: null, per_minute: 600, source: 'engagement' });
    expect(e.groups['/v1/workspaces']).toEqual({ per_second: null, per_minute: 60, source: 'engagement' });
    expect(e.groups['/v1/runs/outputs']).toEqual({ per_second: 2.5, per_minute: 150, source: 'plan' });
    expect(e.concurrent_runs).toEqual({ value: 12, source: 'engagement' });
    expect(e.batches_per_run).toEqual({ value: 12, source: 'engagement' });
    expect(e.daily_api_limit).toEqual({ value: 14_400_000, source: 'engagement' });
  });

  it('Platinum with 1,001: the engagement row wins /v1/actions with its own per-second figure', () => {
    expect(eff(1_000_000, 1_001).groups['/v1/actions']).toEqual({ per_second: 20.8, per_minute: 1_250, source: 'engagement' });
  });

  it('Titanium with 1,001: 1,250/min from the engagement row, and Titanium keeps its 40/s', () => {
    expect(eff(30_000_000, 1_001).groups['/v1/actions']).toEqual({ per_second: 40, per_minute: 1_250, source: 'engagement' });
  });

  it('Titanium: small engagement tiers change nothing; the top row wins /v1/actions', () => {
    const small = eff(30_000_000, 10);
    for (const g of ENDPOINT_GROUPS) expect(small.groups[g].source).toBe('plan');
    expect(small.groups['/v1/identities']).toEqual({ per_second: 8, per_minute: 500, source: 'plan' });
    expect(eff(30_000_000, 6_000).groups['/v1/actions']).toEqual({ per_second: 40, per_minute: 2_400, source: 'engagement' });
    expect(eff(30_000_000, 6_000).concurrent_runs).toEqual({ value: 20, source: 'engagement' });
  });

  it("/v1/runs/outputs is always the plan's: the engagement table has no such column", () => {
    for (const n of [1, 5_000, 10_000, 20_000]) expect(eff(1_000, n).groups['/v1/runs/outputs'].source).toBe('plan');
  });

  it('more than 10,000 engagement identities stays on the top row', () => {
    expect(eff(1_000, 250_000)).toEqual(eff(1_000, 10_000));
  });

  it('never lowers a figure of either system (null per_second = no per-second limit)', () => {
    const atLeast = (a: number | null, b: number | null) => a === null || (b !== null && a >= b);
    const counts = [0, ...ENGAGEMENT_TIERS.flatMap((t) => [t.min_identities, t.max_identities]), 10_001];
    for (const plan of PLAN_TIERS) {
      for (const n of counts) {
        const e = eff(plan.min_credits, n);
        expect(e.plan_tier).toBe(plan.name);
        const engagement =
          ENGAGEMENT_TIERS.find((t) => n >= t.min_identities && n <= t.max_identities) ?? (n > 10_000 ? ENGAGEMENT_TIERS.at(-1)! : null);
        for (const g of ENDPOINT_GROUPS) {
          const got = e.groups[g];
          expect(got.per_minute).toBeGreaterThanOrEqual(plan.limits[g].per_minute);
          expect(atLeast(got.per_second, plan.limits[g].per_second)).toBe(true);
          const row = engagement && g !== '/v1/runs/outputs' ? engagement.limits[g] : null;
          if (row) expect(got.per_minute).toBeGreaterThanOrEqual(row.per_minute);
          // The per-minute figure is one of the two rows', as the source says.
          expect(got.per_minute).toBe(got.source === 'plan' ? plan.limits[g].per_minute : row!.per_minute);
        }
        for (const k of ['concurrent_runs', 'batches_per_run', 'daily_api_limit'] as const) {
          expect(e[k].value).toBe(Math.max(plan[k], engagement?.[k] ?? 0));
          expect(e[k].value).toBe(e[k].source === 'plan' ? plan[k] : engagement![k]);
        }
      }
    }
  });

  it('keeps the positional form for existing callers', () => {
    const custom = { daily_api_limit: 7 };
    expect(effectiveLimits(50_000, 201, custom)).toEqual(eff(50_000, 201, custom));
    expect(effectiveLimits(50_000, 201)).toEqual(eff(50_000, 201));
    expect(effectiveLimits(50_000, 201, null)).toEqual(eff(50_000, 201));
  });
});

describe('effectiveLimits: custom limits replace what they name', () => {
  it('a whole group, and only that group', () => {
    const e = eff(1_000, 51, { '/v1/identities': { per_second: 0.5, per_minute: 20 } });
    expect(e.groups['/v1/identities']).toEqual({ per_second: 0.5, per_minute: 20, source: 'custom' });
    expect(e.groups['/v1/workspaces'].source).toBe('engagement');
    expect(e.groups['/v1/actions'].source).toBe('plan');
  });

  it('one figure of a group keeps the other from the tiers', () => {
    expect(eff(1_000, 0, { '/v1/actions': { per_minute: 300 } }).groups['/v1/actions']).toEqual({ per_second: 1, per_minute: 300, source: 'custom' });
    expect(eff(1_000, 0, { '/v1/workspaces': { per_second: 2 } }).groups['/v1/workspaces']).toEqual({
      per_second: 2,
      per_minute: 5,
      source: 'custom',
    });
    expect(eff(1_000, 51, { '/v1/workspaces': { per_second: 2 } }).groups['/v1/workspaces']).toEqual({
      per_second: 2,
      per_minute: 30,
      source: 'custom',
    });
  });

  it('per_second null removes the per-second limit', () => {
    expect(eff(1_000, 0, { '/v1/actions': { per_second: null } }).groups['/v1/actions']).toEqual({
      per_second: null,
      per_minute: 60,
      source: 'custom',
    });
  });

  it('may be lower than the tier (negotiated, not a floor)', () => {
    const e = eff(30_000_000, 6_000, {
      '/v1/actions': { per_second: 1, per_minute: 1 },
      concurrent_runs: 1,
      batches_per_run: 1,
      daily_api_limit: 10,
    });
    expect(e.groups['/v1/actions']).toEqual({ per_second: 1, per_minute: 1, source: 'custom' });
    expect(e.concurrent_runs).toEqual({ value: 1, source: 'custom' });
    expect(e.batches_per_run).toEqual({ value: 1, source: 'custom' });
    expect(e.daily_api_limit).toEqual({ value: 10, source: 'custom' });
  });

  it('runs, batches and the daily limit one at a time', () => {
    const e = eff(1_000, 51, { batches_per_run: 9 });
    expect(e.batches_per_run).toEqual({ value: 9, source: 'custom' });
    expect(e.concurrent_runs).toEqual({ value: 6, source: 'engagement' });
    expect(e.daily_api_limit).toEqual({ value: 3_600_000, source: 'engagement' });
  });

  it('an empty group object stored before the schema refused it changes nothing', () => {
    const e = eff(1_000, 0, { '/v1/actions': {} });
    expect(e.groups['/v1/actions']).toEqual({ per_second: 1, per_minute: 60, source: 'plan' });
  });
});

describe('customLimitsSchema', () => {
  const issues = (v: unknown) => {
    const r = customLimitsSchema.safeParse(v);
    return r.success ? [] : r.error.issues.map((i) => i.path.join('.'));
  };

  it('accepts the full shape, fractional per_second included, and every part optional', () => {
    const full = {
      '/v1/actions': { per_second: 2.5, per_minute: 150 },
      '/v1/identities': { per_second: 0.4, per_minute: 25 },
      '/v1/workspaces': { per_minute: 10 },
      '/v1/runs/outputs': { per_second: null },
      concurrent_runs: 3,
      batches_per_run: 4,
      daily_api_limit: 500_000,
    };
    expect(customLimitsSchema.parse(full)).toEqual(full);
    expect(customLimitsSchema.parse({})).toEqual({});
  });

  it.each<[string, unknown, string[]]>([
    ['negative per_minute', { '/v1/actions': { per_minute: -1 } }, ['/v1/actions.per_minute']],
    ['zero per_second', { '/v1/actions': { per_second: 0 } }, ['/v1/actions.per_second']],
    ['fractional per_minute', { '/v1/identities': { per_minute: 2.5 } }, ['/v1/identities.per_minute']],
    ['a string number', { '/v1/workspaces': { per_minute: '10' } }, ['/v1/workspaces.per_minute']],
    ['null per_minute', { '/v1/workspaces': { per_minute: null } }, ['/v1/workspaces.per_minute']],
    ['an empty group', { '/v1/runs/outputs': {} }, ['/v1/runs/outputs']],
    ['an unknown key', { bogus: 1 }, ['']],
    ['an unknown group', { '/v1/runs': { per_minute: 1 } }, ['']],
    ['an unknown key in a group', { '/v1/actions': { per_minute: 1, per_hour: 1 } }, ['/v1/actions']],
    ['zero concurrent_runs', { concurrent_runs: 0 }, ['concurrent_runs']],
    ['fractional batches_per_run', { batches_per_run: 1.5 }, ['batches_per_run']],
    ['null daily_api_limit', { daily_api_limit: null }, ['daily_api_limit']],
    ['a non-finite number', { daily_api_limit: Number.POSITIVE_INFINITY }, ['daily_api_limit']],
    ['not an object', [1], ['']],
  ])('refuses %s', (_what, value, paths) => {
    expect(issues(value)).toEqual(paths);
  });

  it('lists every problem at once', () => {
    expect(issues({ '/v1/actions': { per_minute: 0, per_second: -2 }, concurrent_runs: 'x' }).sort()).toEqual(
      ['/v1/actions.per_minute', '/v1/actions.per_second', 'concurrent_runs'].sort(),
    );
  });
});

describe('tiersTable', () => {
  it('gives both tables row for row, with the rules, as plain JSON', () => {
    const t = tiersTable();
    expect(t.plan_tiers).toEqual(PLAN_TIERS);
    expect(t.engagement_tiers).toEqual(ENGAGEMENT_TIERS);
    expect(t.rules).toEqual(TIER_RULES);
    expect(JSON.parse(JSON.stringify(t))).toEqual(t);
    expect(t.plan_tiers[0].limits['/v1/workspaces']).toEqual({ per_second: null, per_minute: 5 });
  });

  it('hands out copies: changing one changes no table', () => {
    const t = tiersTable();
    t.plan_tiers[0].limits['/v1/actions'].per_minute = 1;
    t.engagement_tiers.pop();
    expect(PLAN_TIERS[0].limits['/v1/actions'].per_minute).toBe(60);
    expect(ENGAGEMENT_TIERS).toHaveLength(5);
    expect(tiersTable().plan_tiers[0].limits['/v1/actions'].per_minute).toBe(60);
  });
});
