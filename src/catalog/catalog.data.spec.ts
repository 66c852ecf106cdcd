import { describe, expect, it } from '@jest/globals';
import { loadCatalog } from './catalog-file.js';
import { DEFAULT_CATALOG } from './catalog.data.js';

// LIMITS.md, row by row: [slug, window, free, premium, sales_navigator, recruiter].
const H24 = 86_400;
const D7 = 604_800;
const D30 = 2_592_000;
const LIMIT_ROWS: [string, number, number, number, number, number][] = [
  ['LK_INVITATIONS_SENT', H24, 15, 20, 25, 25],
  ['LK_INVITATIONS_WEEKLY', D7, 100, 100, 150, 150],
  ['LK_INVITE_NOTES', D30, 5, 100, 100, 100],
  ['LK_MESSAGES_SENT', H24, 50, 80, 100, 100],
  ['LK_INMAILS_SENT', D30, 0, 15, 50, 150],
  ['LK_OPEN_INMAILS', H24, 0, 20, 30, 30],
  ['LK_PROFILE_VISITS', H24, 50, 80, 150, 150],
  ['LK_PROFILE_ENRICHMENTS', H24, 800, 800, 1400, 1400],
  ['LK_CONTACT_INFO', H24, 150, 150, 250, 250],
  ['LK_SEARCHES', H24, 300, 300, 600, 600],
  ['LK_SEARCH_RESULTS', H24, 900, 900, 2500, 2500],
  ['LK_FOLLOWS', H24, 30, 30, 30, 30],
  ['LK_REACTIONS', H24, 30, 30, 30, 30],
  ['LK_COMMENTS', H24, 15, 15, 15, 15],
  ['LK_ENDORSEMENTS', H24, 20, 20, 20, 20],
  ['LK_INVITATIONS_WITHDRAWN', H24, 40, 40, 40, 40],
  ['LK_WRITE_ACTIONS', H24, 100, 150, 200, 200],
];

// LIMITS.md "Pacing defaults": [slug, min gap, jitter, bursts].
const M15 = 900;
const H4 = 14_400;
const PACING_ROWS: [string, number, number, { window_seconds: number; max?: number; max_share?: number }[]][] = [
  [
    'LK_INVITATIONS_SENT',
    60,
    15,
    [
      { window_seconds: M15, max: 3 },
      { window_seconds: H4, max_share: 0.4 },
    ],
  ],
  [
    'LK_MESSAGES_SENT',
    60,
    15,
    [
      { window_seconds: M15, max: 5 },
      { window_seconds: H4, max_share: 0.4 },
    ],
  ],
  ['LK_INMAILS_SENT', 30, 15, [{ window_seconds: M15, max: 5 }]],
  ['LK_OPEN_INMAILS', 30, 15, [{ window_seconds: M15, max: 5 }]],
  [
    'LK_PROFILE_VISITS',
    30,
    15,
    [
      { window_seconds: M15, max: 5 },
      { window_seconds: H4, max_share: 0.4 },
    ],
  ],
  ['LK_COMMENTS', 15, 15, [{ window_seconds: M15, max: 5 }]],
  ['LK_REACTIONS', 10, 15, [{ window_seconds: M15, max: 10 }]],
  ['LK_FOLLOWS', 10, 15, [{ window_seconds: M15, max: 10 }]],
  ['LK_ENDORSEMENTS', 10, 15, [{ window_seconds: M15, max: 10 }]],
  ['LK_INVITATIONS_WITHDRAWN', 10, 10, [{ window_seconds: M15, max: 20 }]],
  ['LK_SEARCHES', 10, 10, [{ window_seconds: H4, max_share: 0.4 }]],
  ['LK_CONTACT_INFO', 10, 10, [{ window_seconds: H4, max_share: 0.4 }]],
  ['LK_PROFILE_ENRICHMENTS', 0, 0, [{ window_seconds: H4, max_share: 0.4 }]],
  ['LK_SEARCH_RESULTS', 0, 0, [{ window_seconds: H4, max_share: 0.4 }]],
  ['LK_WRITE_ACTIONS', 0, 0, [{ window_seconds: 3_600, max: 25 }]],
  ['LK_INVITATIONS_WEEKLY', 0, 0, []],
  ['LK_INVITE_NOTES', 0, 0, []],
];

const ALL = ['free', 'premium', 'sales_navigator', 'recruiter'];
const PAID = ['premium', 'sales_navigator', 'recruiter'];
const W = 'LK_WRITE_ACTIONS';
// Outreach actions also consume LK_WRITE_ACTIONS once (LIMITS.md "Pacing defaults").
const ACTION_ROWS: [string, string[], string[]][] = [
  ['linkedin-connect-profile', ['LK_INVITATIONS_SENT', 'LK_INVITATIONS_WEEKLY', W], ALL],
  ['linkedin-connect-profile-with-note', ['LK_INVITATIONS_SENT', 'LK_INVITATIONS_WEEKLY', 'LK_INVITE_NOTES', W], ALL],
  ['linkedin-message-profile', ['LK_MESSAGES_SENT', 'LK_PROFILE_ENRICHMENTS', W], ALL],
  ['linkedin-send-inmail', ['LK_INMAILS_SENT', 'LK_PROFILE_ENRICHMENTS', W], PAID],
  ['linkedin-send-open-inmail', ['LK_OPEN_INMAILS', W], PAID],
  ['linkedin-visit-profile', ['LK_PROFILE_VISITS'], ALL],
  ['linkedin-extract-profile', ['LK_PROFILE_ENRICHMENTS'], ALL],
  ['linkedin-get-contact-info', ['LK_CONTACT_INFO'], ALL],
  ['linkedin-search-people', ['LK_SEARCHES'], ALL],
  ['linkedin-extract-search-results', ['LK_SEARCH_RESULTS'], ALL],
  ['salesnavigator-search-people', ['LK_SEARCHES'], ['sales_navigator', 'recruiter']],
  ['linkedin-follow-profile', ['LK_FOLLOWS', W], ALL],
  ['linkedin-like-post', ['LK_REACTIONS', W], ALL],
  ['linkedin-comment-post', ['LK_COMMENTS', W], ALL],
  ['linkedin-endorse-skill', ['LK_ENDORSEMENTS', W], ALL],
  ['linkedin-withdraw-invitation', ['LK_INVITATIONS_WITHDRAWN', W], ALL],
];

describe('DEFAULT_CATALOG matches LIMITS.md', () => {
  it('has exactly the 17 limits, in the table order (LK_WRITE_ACTIONS last)', () => {
    expect(DEFAULT_CATALOG.limits.map((l) => l.slug)).toEqual(LIMIT_ROWS.map((r) => r[0]));
  });

  it.each(LIMIT_ROWS)('%s: window %i s, defaults %i / %i / %i / %i', (slug, window, free, premium, sn, recruiter) => {
    const limit = DEFAULT_CATALOG.limits.find((l) => l.slug === slug)!;
    expect(limit.window_seconds).toBe(window);
    expect(limit.default_max).toEqual({ free, premium, sales_navigator: sn, recruiter });
    expect(limit.name.length).toBeGreaterThan(0);
    expect(limit.description.length).toBeGreaterThan(0);
  });

  it.each(PACING_ROWS)('%s paces with a gap of %d s, jitter %d s and bursts %j', (slug, gap, jitter, bursts) => {
    const limit = DEFAULT_CATALOG.limits.find((l) => l.slug === slug)!;
    expect(limit.min_gap_seconds).toBe(gap);
    expect(limit.jitter_seconds).toBe(jitter);
    expect(limit.bursts).toEqual(bursts);
    expect(limit.per_action).toBe(slug === 'LK_WRITE_ACTIONS');
  });

  it('marks exactly the outreach actions single-flight: those that consume LK_WRITE_ACTIONS', () => {
    for (const a of DEFAULT_CATALOG.actions) expect(a.single_flight).toBe(a.limits.includes('LK_WRITE_ACTIONS'));
    expect(DEFAULT_CATALOG.actions.filter((a) => a.single_flight).map((a) => a.slug)).toEqual([
      'linkedin-connect-profile',
      'linkedin-connect-profile-with-note',
      'linkedin-message-profile',
      'linkedin-send-inmail',
      'linkedin-send-open-inmail',
      'linkedin-follow-profile',
      'linkedin-like-post',
      'linkedin-comment-post',
      'linkedin-endorse-skill',
      'linkedin-withdraw-invitation',
    ]);
  });

  it('has the in-flight lease and the start offset of LIMITS.md', () => {
    expect(DEFAULT_CATALOG.pacing).toEqual({ in_flight_seconds: 120, start_jitter_minutes: 30 });
  });

  it('has exactly the 16 actions, in the table order', () => {
    expect(DEFAULT_CATALOG.actions.map((a) => a.slug)).toEqual(ACTION_ROWS.map((r) => r[0]));
  });

  it.each(ACTION_ROWS)('%s consumes %j for %j', (slug, limits, types) => {
    const action = DEFAULT_CATALOG.actions.find((a) => a.slug === slug)!;
    expect(action.limits).toEqual(limits);
    expect(action.account_types).toEqual(types);
  });

  it('notes that search results cost the number of profiles returned', () => {
    expect(DEFAULT_CATALOG.actions.find((a) => a.slug === 'linkedin-extract-search-results')!.cost_note).toMatch(/profiles returned/);
  });

  it('has the levels and warm-up of LIMITS.md', () => {
    expect(DEFAULT_CATALOG.levels).toEqual({ conservative: 0.6, standard: 1, aggressive: 1.3 });
    expect(DEFAULT_CATALOG.warmup).toEqual({
      standard: { days: 5, max_window_seconds: 86_400 },
      cold: { step_days: 7, steps: [0.25, 0.5, 0.75, 1] },
      freeze_days_after_pushback: 7,
      restart_factor_after_restricted: 0.5,
    });
  });

  it('passes the same validation as a deployer file', () => {
    const { actions, limits, levels, warmup, pacing } = DEFAULT_CATALOG;
    expect(loadCatalog(DEFAULT_CATALOG, JSON.parse(JSON.stringify({ mode: 'replace', actions, limits, levels, warmup, pacing })))).toEqual(
      DEFAULT_CATALOG,
    );
  });

  it('cannot be changed by whoever reads it', () => {
    expect(() => {
      (DEFAULT_CATALOG.limits[0].default_max as { free: number }).free = 1000;
    }).toThrow(TypeError);
    expect(() => DEFAULT_CATALOG.actions.push(DEFAULT_CATALOG.actions[0])).toThrow(TypeError);
  });
});
