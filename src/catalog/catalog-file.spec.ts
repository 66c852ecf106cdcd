import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CatalogFileError, loadCatalog, readCatalogFile } from './catalog-file.js';
import { DEFAULT_CATALOG } from './catalog.data.js';

const SOURCE = '/etc/smart-limits/catalog.json';

function limit(slug: string, extra: Record<string, unknown> = {}) {
  return { slug, window_seconds: 3600, default_max: { free: 1, premium: 2, sales_navigator: 3, recruiter: 4 }, ...extra };
}

function problemsOf(content: unknown): string[] {
  try {
    loadCatalog(DEFAULT_CATALOG, content, { source: SOURCE });
  } catch (err) {
    expect(err).toBeInstanceOf(CatalogFileError);
    expect((err as Error).message).toContain(SOURCE);
    return (err as CatalogFileError).problems;
  }
  throw new Error('expected the catalog file to be rejected');
}

describe('loadCatalog: extend (the default)', () => {
  it('returns the defaults when there is no file', () => {
    expect(loadCatalog(DEFAULT_CATALOG, undefined)).toBe(DEFAULT_CATALOG);
  });

  it('adds new limits and actions after the defaults', () => {
    const c = loadCatalog(DEFAULT_CATALOG, {
      limits: [limit('LK_POSTS', { name: 'Posts published' })],
      actions: [{ slug: 'linkedin-publish-post', limits: ['LK_POSTS', 'LK_PROFILE_ENRICHMENTS'], account_types: ['premium'] }],
    });
    expect(c.limits).toHaveLength(18);
    expect(c.limits[17]).toEqual({
      slug: 'LK_POSTS',
      name: 'Posts published',
      description: '',
      window_seconds: 3600,
      default_max: { free: 1, premium: 2, sales_navigator: 3, recruiter: 4 },
      min_gap_seconds: 0,
      jitter_seconds: 0,
      bursts: [],
      per_action: false,
    });
    expect(c.actions).toHaveLength(17);
    expect(c.actions[16]).toEqual({
      slug: 'linkedin-publish-post',
      limits: ['LK_POSTS', 'LK_PROFILE_ENRICHMENTS'],
      account_types: ['premium'],
      single_flight: false,
    });
  });

  it('replaces a limit or an action whole, in place, by slug', () => {
    const c = loadCatalog(DEFAULT_CATALOG, {
      limits: [limit('LK_FOLLOWS', { window_seconds: 43_200 })],
      actions: [{ slug: 'linkedin-follow-profile', limits: ['LK_FOLLOWS', 'LK_PROFILE_VISITS'], account_types: ['free'] }],
    });
    const i = DEFAULT_CATALOG.limits.findIndex((l) => l.slug === 'LK_FOLLOWS');
    expect(c.limits[i]).toMatchObject({ slug: 'LK_FOLLOWS', name: 'LK_FOLLOWS', window_seconds: 43_200 });
    expect(c.limits).toHaveLength(17);
    expect(c.actions.find((a) => a.slug === 'linkedin-follow-profile')!.limits).toEqual(['LK_FOLLOWS', 'LK_PROFILE_VISITS']);
    expect(DEFAULT_CATALOG.limits[i].window_seconds).toBe(86_400);
  });

  it('overrides only the level and warm-up keys it gives', () => {
    const c = loadCatalog(DEFAULT_CATALOG, {
      levels: { aggressive: 1.5 },
      warmup: { standard: { days: 10 }, cold: { steps: [0.1, 1] }, freeze_days_after_pushback: 3 },
    });
    expect(c.levels).toEqual({ conservative: 0.6, standard: 1, aggressive: 1.5 });
    expect(c.warmup).toEqual({
      standard: { days: 10, max_window_seconds: 86_400 },
      cold: { step_days: 7, steps: [0.1, 1] },
      freeze_days_after_pushback: 3,
      restart_factor_after_restricted: 0.5,
    });
  });

  it('reads pacing: gaps, jitter, bursts, per_action, single_flight and the catalog-wide settings', () => {
    const c = loadCatalog(DEFAULT_CATALOG, {
      limits: [
        limit('LK_POSTS', {
          min_gap_seconds: 300,
          jitter_seconds: 30,
          bursts: [
            { window_seconds: 600, max: 2 },
            { window_seconds: 1800, max_share: 0.5 },
          ],
          per_action: true,
        }),
      ],
      actions: [{ slug: 'linkedin-publish-post', limits: ['LK_POSTS'], account_types: ['free'], single_flight: true }],
      pacing: { start_jitter_minutes: 10 },
    });
    expect(c.limits.find((l) => l.slug === 'LK_POSTS')).toMatchObject({
      min_gap_seconds: 300,
      jitter_seconds: 30,
      bursts: [
        { window_seconds: 600, max: 2 },
        { window_seconds: 1800, max_share: 0.5 },
      ],
      per_action: true,
    });
    expect(c.actions.find((a) => a.slug === 'linkedin-publish-post')!.single_flight).toBe(true);
    expect(c.pacing).toEqual({ in_flight_seconds: 120, start_jitter_minutes: 10 });
  });

  it('lets an extension action use a default limit and a default action use a replaced limit', () => {
    const c = loadCatalog(DEFAULT_CATALOG, { limits: [limit('LK_SEARCHES')] });
    expect(c.actions.find((a) => a.slug === 'salesnavigator-search-people')!.limits).toEqual(['LK_SEARCHES']);
  });
});

describe('loadCatalog: replace', () => {
  it('keeps only the file’s limits and actions; levels and warm-up fall back key by key', () => {
    const c = loadCatalog(DEFAULT_CATALOG, {
      mode: 'replace',
      limits: [limit('LK_ONLY')],
      actions: [{ slug: 'only-action', limits: ['LK_ONLY'], account_types: ['free', 'premium'] }],
      levels: { conservative: 0.5 },
    });
    expect(c.limits.map((l) => l.slug)).toEqual(['LK_ONLY']);
    expect(c.actions.map((a) => a.slug)).toEqual(['only-action']);
    expect(c.levels).toEqual({ conservative: 0.5, standard: 1, aggressive: 1.3 });
    expect(c.warmup).toEqual(DEFAULT_CATALOG.warmup);
  });

  it('takes the mode from options when the file has none, and the file’s mode wins', () => {
    const body = { limits: [limit('LK_ONLY')], actions: [{ slug: 'only-action', limits: ['LK_ONLY'], account_types: ['free'] }] };
    expect(loadCatalog(DEFAULT_CATALOG, body, { mode: 'replace' }).limits).toHaveLength(1);
    expect(loadCatalog(DEFAULT_CATALOG, { ...body, mode: 'extend' }, { mode: 'replace' }).limits).toHaveLength(18);
  });

  it('requires limits and actions', () => {
    expect(problemsOf({ mode: 'replace', levels: { standard: 1 } })).toEqual([
      'limits: required (at least one) when "mode" is "replace"',
      'actions: required (at least one) when "mode" is "replace"',
    ]);
  });

  it('rejects an action naming a default limit the replacement dropped', () => {
    expect(
      problemsOf({ mode: 'replace', limits: [limit('LK_ONLY')], actions: [{ slug: 'msg', limits: ['LK_MESSAGES_SENT'], account_types: ['free'] }] }),
    ).toEqual(['actions[0] (msg).limits[0]: unknown limit "LK_MESSAGES_SENT"']);
  });
});

describe('loadCatalog: validation names every bad field', () => {
  it.each([
    ['lower-case limit slug', { limits: [limit('lk_posts')] }, 'limits[0] (lk_posts).slug: must match'],
    ['one-letter limit slug', { limits: [limit('L')] }, 'limits[0] (L).slug: must match'],
    ['limit slug over 64 chars', { limits: [limit(`L${'X'.repeat(64)}`)] }, `limits[0] (L${'X'.repeat(64)}).slug: must match`],
    ['window 0', { limits: [limit('LK_A', { window_seconds: 0 })] }, 'limits[0] (LK_A).window_seconds: must be at least 1'],
    ['fractional window', { limits: [limit('LK_A', { window_seconds: 1.5 })] }, 'limits[0] (LK_A).window_seconds: must be an integer'],
    [
      'window over 31 days',
      { limits: [limit('LK_A', { window_seconds: 31 * 86_400 + 1 })] },
      'limits[0] (LK_A).window_seconds: must be at most 2678400',
    ],
    ['string window', { limits: [limit('LK_A', { window_seconds: '3600' })] }, 'limits[0] (LK_A).window_seconds: must be an integer'],
    [
      'negative default',
      { limits: [limit('LK_A', { default_max: { free: -1, premium: 1, sales_navigator: 1, recruiter: 1 } })] },
      'limits[0] (LK_A).default_max.free: must be an integer ≥ 0',
    ],
    [
      'fractional default',
      { limits: [limit('LK_A', { default_max: { free: 1, premium: 1.5, sales_navigator: 1, recruiter: 1 } })] },
      'limits[0] (LK_A).default_max.premium: must be an integer ≥ 0',
    ],
    [
      'missing account type default',
      { limits: [limit('LK_A', { default_max: { free: 1, premium: 1, sales_navigator: 1 } })] },
      'limits[0] (LK_A).default_max.recruiter: must be an integer ≥ 0',
    ],
    [
      'unknown account type default',
      { limits: [limit('LK_A', { default_max: { free: 1, premium: 1, sales_navigator: 1, recruiter: 1, gold: 1 } })] },
      'limits[0] (LK_A).default_max.gold: unknown field',
    ],
    ['misspelled field', { limits: [limit('LK_A', { window_second: 60 })] }, 'limits[0] (LK_A).window_second: unknown field'],
    [
      'upper-case action slug',
      { actions: [{ slug: 'Bad-Slug', limits: ['LK_FOLLOWS'], account_types: ['free'] }] },
      'actions[0] (Bad-Slug).slug: must match',
    ],
    [
      'action slug starting with a dash',
      { actions: [{ slug: '-x', limits: ['LK_FOLLOWS'], account_types: ['free'] }] },
      'actions[0] (-x).slug: must match',
    ],
    [
      'unknown limit',
      { actions: [{ slug: 'a-b', limits: ['LK_NOPE'], account_types: ['free'] }] },
      'actions[0] (a-b).limits[0]: unknown limit "LK_NOPE"',
    ],
    ['no limits', { actions: [{ slug: 'a-b', limits: [], account_types: ['free'] }] }, 'actions[0] (a-b).limits: must name at least one limit'],
    [
      'limit listed twice',
      { actions: [{ slug: 'a-b', limits: ['LK_FOLLOWS', 'LK_FOLLOWS'], account_types: ['free'] }] },
      'actions[0] (a-b).limits[1]: "LK_FOLLOWS" is listed twice',
    ],
    [
      'unknown account type',
      { actions: [{ slug: 'a-b', limits: ['LK_FOLLOWS'], account_types: ['gold'] }] },
      'actions[0] (a-b).account_types[0]: must be one of',
    ],
    [
      'no account types',
      { actions: [{ slug: 'a-b', limits: ['LK_FOLLOWS'], account_types: [] }] },
      'actions[0] (a-b).account_types: must name at least one',
    ],
    [
      'account type twice',
      { actions: [{ slug: 'a-b', limits: ['LK_FOLLOWS'], account_types: ['free', 'free'] }] },
      'actions[0] (a-b).account_types[1]: "free" is listed twice',
    ],
    ['duplicate limit slug', { limits: [limit('LK_A'), limit('LK_A')] }, 'limits[1].slug: duplicate slug "LK_A" (also limits[0])'],
    [
      'duplicate action slug',
      { actions: [0, 1].map(() => ({ slug: 'a-b', limits: ['LK_FOLLOWS'], account_types: ['free'] })) },
      'actions[1].slug: duplicate slug "a-b"',
    ],
    ['level 0', { levels: { conservative: 0 } }, 'levels.conservative: must be > 0'],
    ['negative level', { levels: { aggressive: -1 } }, 'levels.aggressive: must be > 0'],
    ['unknown level', { levels: { turbo: 2 } }, 'levels.turbo: unknown field'],
    ['warm-up days 0', { warmup: { standard: { days: 0 } } }, 'warmup.standard.days: must be an integer ≥ 1'],
    ['decreasing cold steps', { warmup: { cold: { steps: [0.5, 0.25, 1] } } }, 'warmup.cold.steps: must not decrease'],
    ['cold steps not reaching 1', { warmup: { cold: { steps: [0.5, 0.75] } } }, 'warmup.cold.steps: must end at 1'],
    ['cold step above 1', { warmup: { cold: { steps: [0.5, 1.5] } } }, 'warmup.cold.steps[1]: must be ≤ 1'],
    ['restart factor 0', { warmup: { restart_factor_after_restricted: 0 } }, 'warmup.restart_factor_after_restricted: must be > 0'],
    ['unknown mode', { mode: 'merge' }, 'mode: must be "extend" or "replace"'],
    ['unknown top-level key', { limit: [] }, 'limit: unknown field'],
    ['not an object', [1, 2], '(file): must be a JSON object'],
    ['limits not an array', { limits: {} }, 'limits: must be an array'],
    ['negative gap', { limits: [limit('LK_A', { min_gap_seconds: -1 })] }, 'limits[0] (LK_A).min_gap_seconds: must be ≥ 0'],
    ['gap over a day', { limits: [limit('LK_A', { min_gap_seconds: 86_401 })] }, 'limits[0] (LK_A).min_gap_seconds: must be at most 86400'],
    ['fractional jitter', { limits: [limit('LK_A', { jitter_seconds: 1.5 })] }, 'limits[0] (LK_A).jitter_seconds: must be an integer'],
    ['jitter over an hour', { limits: [limit('LK_A', { jitter_seconds: 3_601 })] }, 'limits[0] (LK_A).jitter_seconds: must be at most 3600'],
    [
      'burst with neither max',
      { limits: [limit('LK_A', { bursts: [{ window_seconds: 60 }] })] },
      'limits[0] (LK_A).bursts[0]: give exactly one of max or max_share',
    ],
    [
      'burst with both max and max_share',
      { limits: [limit('LK_A', { bursts: [{ window_seconds: 60, max: 2, max_share: 0.5 }] })] },
      'limits[0] (LK_A).bursts[0]: give exactly one of max or max_share',
    ],
    [
      'burst as long as the window',
      { limits: [limit('LK_A', { bursts: [{ window_seconds: 3600, max: 2 }] })] },
      "limits[0] (LK_A).bursts[0].window_seconds: must be shorter than the limit's window (3600 s)",
    ],
    [
      'burst window twice',
      {
        limits: [
          limit('LK_A', {
            bursts: [
              { window_seconds: 60, max: 2 },
              { window_seconds: 60, max: 3 },
            ],
          }),
        ],
      },
      'limits[0] (LK_A).bursts[1].window_seconds: 60 is listed twice',
    ],
    [
      'burst max 0',
      { limits: [limit('LK_A', { bursts: [{ window_seconds: 60, max: 0 }] })] },
      'limits[0] (LK_A).bursts[0].max: must be an integer ≥ 1',
    ],
    [
      'burst share above 1',
      { limits: [limit('LK_A', { bursts: [{ window_seconds: 60, max_share: 1.5 }] })] },
      'limits[0] (LK_A).bursts[0].max_share: must be ≤ 1',
    ],
    [
      'unknown burst field',
      { limits: [limit('LK_A', { bursts: [{ window_seconds: 60, max: 1, every: 2 }] })] },
      'limits[0] (LK_A).bursts[0].every: unknown field',
    ],
    ['per_action not boolean', { limits: [limit('LK_A', { per_action: 'yes' })] }, 'limits[0] (LK_A).per_action: must be true or false'],
    [
      'single_flight not boolean',
      { actions: [{ slug: 'a-b', limits: ['LK_FOLLOWS'], account_types: ['free'], single_flight: 1 }] },
      'actions[0] (a-b).single_flight: must be true or false',
    ],
    ['lease of 0 s', { pacing: { in_flight_seconds: 0 } }, 'pacing.in_flight_seconds: must be at least 1 second'],
    ['start jitter over 4 h', { pacing: { start_jitter_minutes: 241 } }, 'pacing.start_jitter_minutes: must be at most 240'],
    ['unknown pacing key', { pacing: { gap: 3 } }, 'pacing.gap: unknown field'],
  ])('%s', (_name, content, expected) => {
    const problems = problemsOf(content);
    expect(problems.some((p) => p.startsWith(expected))).toBe(true);
  });

  it('lists every problem of the file at once', () => {
    const problems = problemsOf({
      limits: [limit('LK_A', { window_seconds: 0 }), limit('bad')],
      levels: { standard: 0 },
    });
    expect(problems).toEqual([
      'limits[0] (LK_A).window_seconds: must be at least 1 second',
      'limits[1] (bad).slug: must match ^[A-Z][A-Z0-9_]{1,63}$',
      'levels.standard: must be > 0',
    ]);
  });
});

describe('readCatalogFile', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'catalog-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('reads, validates and merges a JSON file over the shipped defaults', () => {
    const path = join(dir, 'ok.json');
    writeFileSync(path, JSON.stringify({ limits: [limit('LK_POSTS')], actions: [{ slug: 'post', limits: ['LK_POSTS'], account_types: ['free'] }] }));
    const c = readCatalogFile(path);
    expect(c.limits.map((l) => l.slug)).toContain('LK_POSTS');
    expect(c.actions.map((a) => a.slug)).toContain('linkedin-connect-profile');
  });

  it('names the path of a file that is missing', () => {
    const path = join(dir, 'missing.json');
    expect(() => readCatalogFile(path)).toThrow(`Cannot read catalog file ${path}`);
  });

  it('names the path of a file that is not JSON', () => {
    const path = join(dir, 'broken.json');
    writeFileSync(path, '{"limits": [');
    expect(() => readCatalogFile(path)).toThrow(`Catalog file ${path} is not valid JSON`);
  });

  it('names the path and the field of an invalid file', () => {
    const path = join(dir, 'bad.json');
    writeFileSync(path, JSON.stringify({ limits: [limit('LK_A', { window_seconds: -5 })] }));
    expect(() => readCatalogFile(path)).toThrow(
      new RegExp(`^Invalid catalog file ${path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:\\n  - limits\\[0\\] \\(LK_A\\)\\.window_seconds`),
    );
  });
});
