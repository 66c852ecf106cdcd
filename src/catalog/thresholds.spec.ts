import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { loadCatalog } from './catalog-file.js';
import { DEFAULT_CATALOG } from './catalog.data.js';
import { type AccountType, type Level, type LimitDefinition } from './catalog.types.js';
import {
  canPerform,
  effectiveThreshold,
  findAction,
  limitsForAction,
  startFreeze,
  warmupFactor,
  warmupStage,
  type WarmupState,
} from './thresholds.js';

const DAY = 86_400_000;
const HOUR = 3_600_000;
const T0 = new Date('2025-03-01T09:00:00Z');
const at = (ms: number) => new Date(T0.getTime() + ms);
const W = DEFAULT_CATALOG.warmup;

function limitOf(slug: string): LimitDefinition {
  return DEFAULT_CATALOG.limits.find((l) => l.slug === slug)!;
}

function custom(max: number, window_seconds = 86_400): LimitDefinition {
  return {
    slug: 'LK_X',
    name: 'x',
    description: '',
    window_seconds,
    default_max: { free: max, premium: max, sales_navigator: max, recruiter: max },
    min_gap_seconds: 0,
    jitter_seconds: 0,
    bursts: [],
    per_action: false,
  };
}

function state(partial: Partial<WarmupState>): WarmupState {
  return { mode: 'standard', startedAt: T0, now: T0, windowSeconds: 86_400, ...partial };
}

/** The threshold on a given warm-up day (day 1 = the first 24 h). */
function onDay(limit: LimitDefinition, day: number, opts: { accountType?: AccountType; level?: Level; mode?: WarmupState['mode'] } = {}) {
  const warmup = warmupFactor(state({ mode: opts.mode ?? 'standard', now: at((day - 1) * DAY + 5 * HOUR), windowSeconds: limit.window_seconds }), W);
  return effectiveThreshold({ limit, accountType: opts.accountType ?? 'sales_navigator', level: opts.level ?? 'standard', warmup }, DEFAULT_CATALOG);
}

describe('warmupFactor: standard ramp', () => {
  it.each([
    [0, 1, 0.2, false],
    [DAY - 1, 1, 0.2, false],
    [DAY, 2, 0.4, false],
    [2 * DAY, 3, 0.6, false],
    [3 * DAY + 23 * HOUR, 4, 0.8, false],
    [4 * DAY, 5, 1, true],
    [5 * DAY, 6, 1, true],
    [400 * DAY, 401, 1, true],
  ])('after %i ms: day %i, factor %f', (elapsed, day, factor, complete) => {
    expect(warmupFactor(state({ now: at(elapsed) }), W)).toEqual({ factor, day, complete });
  });

  it('leaves limits longer than a day at full size while the identity ramps', () => {
    expect(warmupFactor(state({ now: at(DAY), windowSeconds: 604_800 }), W)).toEqual({ factor: 1, day: 2, complete: false });
    expect(warmupFactor(state({ windowSeconds: 2_592_000 }), W).factor).toBe(1);
  });

  it('treats a start in the future as day 1', () => {
    expect(warmupFactor(state({ startedAt: at(DAY) }), W)).toEqual({ factor: 0.2, day: 1, complete: false });
  });

  it('treats no start as complete', () => {
    expect(warmupFactor(state({ startedAt: null }), W)).toEqual({ factor: 1, day: null, complete: true });
  });

  it('follows a deployer’s ramp length', () => {
    const ten = { ...W, standard: { days: 10, max_window_seconds: 86_400 } };
    expect(warmupFactor(state({ now: at(4 * DAY) }), ten)).toEqual({ factor: 0.5, day: 5, complete: false });
  });
});

describe('effectiveThreshold over the standard ramp (days 1..6)', () => {
  it.each([
    ['LK_INVITATIONS_SENT sales_navigator (25)', limitOf('LK_INVITATIONS_SENT'), 'sales_navigator', 'standard', [5, 10, 15, 20, 25, 25]],
    ['LK_INVITATIONS_SENT free (15)', limitOf('LK_INVITATIONS_SENT'), 'free', 'standard', [3, 6, 9, 12, 15, 15]],
    [
      'LK_INVITATIONS_SENT sales_navigator conservative (25 × 0.6)',
      limitOf('LK_INVITATIONS_SENT'),
      'sales_navigator',
      'conservative',
      [3, 6, 9, 12, 15, 15],
    ],
    ['LK_FOLLOWS conservative (30 × 0.6 = 18: ceil)', limitOf('LK_FOLLOWS'), 'free', 'conservative', [4, 8, 11, 15, 18, 18]],
    ['LK_COMMENTS aggressive (15 × 1.3 = 19.5: ceil)', limitOf('LK_COMMENTS'), 'free', 'aggressive', [4, 8, 12, 16, 20, 20]],
    [
      'LK_PROFILE_ENRICHMENTS sales_navigator (1400)',
      limitOf('LK_PROFILE_ENRICHMENTS'),
      'sales_navigator',
      'standard',
      [280, 560, 840, 1120, 1400, 1400],
    ],
    ['a default of 2 (ceil, then at least 1)', custom(2), 'free', 'standard', [1, 1, 2, 2, 2, 2]],
    ['a default of 1, conservative (0.12 → at least 1)', custom(1), 'free', 'conservative', [1, 1, 1, 1, 1, 1]],
  ] as const)('%s', (_name, limit, accountType, level, expected) => {
    expect([1, 2, 3, 4, 5, 6].map((d) => onDay(limit, d, { accountType, level }))).toEqual(expected);
  });

  it('keeps a weekly limit at its default on day 1 of the standard ramp', () => {
    expect(onDay(limitOf('LK_INVITATIONS_WEEKLY'), 1)).toBe(150);
  });
});

describe('warmupFactor: cold, weekly steps on every limit', () => {
  it.each([
    [0, 0.25, 1, false],
    [7 * DAY - 1, 0.25, 7, false],
    [7 * DAY, 0.5, 8, false],
    [14 * DAY, 0.75, 15, false],
    [21 * DAY, 1, 22, true],
    [60 * DAY, 1, 61, true],
  ])('after %i ms: factor %f', (elapsed, factor, day, complete) => {
    for (const windowSeconds of [86_400, 604_800, 2_592_000]) {
      expect(warmupFactor(state({ mode: 'cold', now: at(elapsed), windowSeconds }), W)).toEqual({ factor, day, complete });
    }
  });

  it('scales the weekly invitations cap per week', () => {
    const weekly = limitOf('LK_INVITATIONS_WEEKLY');
    expect([1, 8, 15, 22, 29].map((d) => onDay(weekly, d, { mode: 'cold', accountType: 'free' }))).toEqual([25, 50, 75, 100, 100]);
  });
});

describe('warmupFactor: none', () => {
  it('is full at once', () => {
    expect(warmupFactor(state({ mode: 'none' }), W)).toEqual({ factor: 1, day: null, complete: true });
  });
});

describe('warmupFactor: the freeze after a pushback', () => {
  it('does not advance while frozen', () => {
    const frozen = { frozenFrom: at(2 * DAY), frozenUntil: at(9 * DAY) };
    expect(warmupFactor(state({ ...frozen, now: at(5 * DAY) }), W)).toMatchObject({ day: 3, factor: 0.6 });
    expect(warmupFactor(state({ ...frozen, now: at(9 * DAY - 1) }), W)).toMatchObject({ day: 3, factor: 0.6 });
    expect(warmupFactor(state({ ...frozen, now: at(10 * DAY) }), W)).toMatchObject({ day: 4, factor: 0.8 });
    expect(warmupFactor(state({ ...frozen, now: at(11 * DAY) }), W)).toMatchObject({ day: 5, factor: 1, complete: true });
  });

  it('freezes until further notice when frozenUntil is null', () => {
    expect(warmupFactor(state({ frozenFrom: at(DAY), frozenUntil: null, now: at(30 * DAY) }), W)).toMatchObject({ day: 2, factor: 0.4 });
  });

  it('ignores a freeze that has not begun, and the part of one before the start', () => {
    expect(warmupFactor(state({ frozenFrom: at(3 * DAY), frozenUntil: at(10 * DAY), now: at(2 * DAY) }), W).day).toBe(3);
    expect(warmupFactor(state({ frozenFrom: at(-5 * DAY), frozenUntil: at(DAY), now: at(2 * DAY) }), W).day).toBe(2);
  });

  it('holds the cold steps too', () => {
    expect(warmupFactor(state({ mode: 'cold', frozenFrom: at(6 * DAY), frozenUntil: at(13 * DAY), now: at(13 * DAY) }), W).factor).toBe(0.25);
  });
});

describe('startFreeze', () => {
  const base = { startedAt: T0, frozenFrom: null, frozenUntil: null };

  it('freezes for freeze_days_after_pushback from the pushback', () => {
    expect(startFreeze(base, at(2 * DAY), W)).toEqual({ startedAt: T0, frozenFrom: at(2 * DAY), frozenUntil: at(9 * DAY) });
  });

  it('extends a freeze still running', () => {
    const running = startFreeze(base, at(2 * DAY), W);
    expect(startFreeze(running, at(4 * DAY), W)).toEqual({ startedAt: T0, frozenFrom: at(2 * DAY), frozenUntil: at(11 * DAY) });
  });

  it('folds a finished freeze into the start so its time stays lost', () => {
    const first = startFreeze(base, at(DAY), W); // frozen days 1..8
    const second = startFreeze(first, at(10 * DAY), W);
    expect(second).toEqual({ startedAt: at(7 * DAY), frozenFrom: at(10 * DAY), frozenUntil: at(17 * DAY) });
    // active time by day 12: day 0..1 and day 8..10 = 3 days → warm-up day 4
    expect(warmupFactor(state({ ...second, now: at(12 * DAY) }), W).day).toBe(4);
  });
});

describe('warmupFactor: restart after RESTRICTED', () => {
  it('restarts at r and climbs to 1 with the ramp', () => {
    const days = [0, 1, 2, 3, 4, 5].map((d) => warmupFactor(state({ restartFactor: 0.5, now: at(d * DAY) }), W).factor);
    expect(days).toEqual([0.6, 0.7, 0.8, 0.9, 1, 1]);
  });

  it('restarts cold identities on their weekly steps', () => {
    const weeks = [0, 1, 2, 3].map((w) => warmupFactor(state({ mode: 'cold', restartFactor: 0.5, now: at(w * 7 * DAY) }), W).factor);
    expect(weeks).toEqual([0.625, 0.75, 0.875, 1]);
  });

  it('puts identities without warm-up on the standard ramp', () => {
    expect(warmupFactor(state({ mode: 'none', restartFactor: 0.5 }), W)).toEqual({ factor: 0.6, day: 1, complete: false });
    expect(warmupFactor(state({ mode: 'none', restartFactor: 0.5, windowSeconds: 604_800 }), W).factor).toBe(1);
  });

  it('gives thresholds from the restarted ramp', () => {
    const warmup = warmupFactor(state({ restartFactor: 0.5 }), W);
    expect(
      effectiveThreshold({ limit: limitOf('LK_INVITATIONS_SENT'), accountType: 'sales_navigator', level: 'standard', warmup }, DEFAULT_CATALOG),
    ).toBe(15);
  });
});

describe('effectiveThreshold: levels, overrides, account types', () => {
  const full = { factor: 1 };

  it.each([
    ['conservative', 60],
    ['standard', 100],
    ['aggressive', 130],
  ] as const)('%s scales the default', (level, expected) => {
    expect(effectiveThreshold({ limit: limitOf('LK_MESSAGES_SENT'), accountType: 'sales_navigator', level, warmup: full }, DEFAULT_CATALOG)).toBe(
      expected,
    );
  });

  it('does not let floating point push ceil up a step', () => {
    // 144 × 1.3 × 0.625 = 117.00000000000001 in binary floating point.
    expect(effectiveThreshold({ limit: custom(144), accountType: 'free', level: 'aggressive', warmup: { factor: 0.625 } }, DEFAULT_CATALOG)).toBe(
      117,
    );
    expect(effectiveThreshold({ limit: custom(25), accountType: 'free', level: 'conservative', warmup: { factor: 0.2 } }, DEFAULT_CATALOG)).toBe(3);
    const tenPercent = loadCatalog(DEFAULT_CATALOG, { levels: { aggressive: 1.1 } }); // 100 × 1.1 = 110.00000000000001
    expect(effectiveThreshold({ limit: custom(100), accountType: 'free', level: 'aggressive', warmup: full }, tenPercent)).toBe(110);
  });

  it.each([0, 1, 7, 5000])('applies an override of %i exactly, with no level or warm-up factor', (override) => {
    const input = {
      limit: limitOf('LK_INVITATIONS_SENT'),
      accountType: 'free' as const,
      level: 'conservative' as const,
      warmup: { factor: 0.2 },
      override,
    };
    expect(effectiveThreshold(input, DEFAULT_CATALOG)).toBe(override);
  });

  it('ignores a null override', () => {
    expect(
      effectiveThreshold({ limit: limitOf('LK_COMMENTS'), accountType: 'free', level: 'standard', warmup: full, override: null }, DEFAULT_CATALOG),
    ).toBe(15);
  });

  it('keeps a default of 0 at 0 whatever the level and warm-up', () => {
    for (const level of ['conservative', 'standard', 'aggressive'] as const) {
      expect(effectiveThreshold({ limit: limitOf('LK_INMAILS_SENT'), accountType: 'free', level, warmup: { factor: 0.2 } }, DEFAULT_CATALOG)).toBe(0);
      expect(effectiveThreshold({ limit: limitOf('LK_OPEN_INMAILS'), accountType: 'free', level, warmup: full }, DEFAULT_CATALOG)).toBe(0);
    }
  });
});

describe('canPerform', () => {
  const action = (slug: string) => findAction(DEFAULT_CATALOG, slug)!;

  it.each([
    ['linkedin-send-inmail', 'free', false],
    ['linkedin-send-inmail', 'premium', true],
    ['linkedin-send-open-inmail', 'free', false],
    ['linkedin-send-open-inmail', 'recruiter', true],
    ['salesnavigator-search-people', 'premium', false],
    ['salesnavigator-search-people', 'free', false],
    ['salesnavigator-search-people', 'sales_navigator', true],
    ['linkedin-connect-profile-with-note', 'free', true],
    ['linkedin-visit-profile', 'free', true],
  ] as const)('%s from %s: %s', (slug, accountType, expected) => {
    expect(canPerform(action(slug), accountType, DEFAULT_CATALOG)).toBe(expected);
  });

  it('refuses an account type listed on the action when one of its limits is 0 for that type', () => {
    const c = loadCatalog(DEFAULT_CATALOG, {
      limits: [{ ...custom(5), slug: 'LK_POSTS', default_max: { free: 0, premium: 5, sales_navigator: 5, recruiter: 5 } }],
      actions: [{ slug: 'linkedin-publish-post', limits: ['LK_REACTIONS', 'LK_POSTS'], account_types: ['free', 'premium'] }],
    });
    const publish = findAction(c, 'linkedin-publish-post')!;
    expect(canPerform(publish, 'free', c)).toBe(false);
    expect(canPerform(publish, 'premium', c)).toBe(true);
    expect(canPerform(publish, 'recruiter', c)).toBe(false);
  });
});

describe('catalog helpers', () => {
  it('lists an action’s limits in its order, undefined for an unknown action', () => {
    expect(limitsForAction(DEFAULT_CATALOG, 'linkedin-connect-profile-with-note')!.map((l) => l.slug)).toEqual([
      'LK_INVITATIONS_SENT',
      'LK_INVITATIONS_WEEKLY',
      'LK_INVITE_NOTES',
      'LK_WRITE_ACTIONS',
    ]);
    expect(limitsForAction(DEFAULT_CATALOG, 'linkedin-teleport')).toBeUndefined();
    expect(findAction(DEFAULT_CATALOG, 'linkedin-teleport')).toBeUndefined();
  });
});

describe('warmupStage: what cached plans are keyed by', () => {
  it('is the same at two times only when warmupFactor is the same at both, for every window', () => {
    const ms = fc.integer({ min: -20 * DAY, max: 80 * DAY });
    fc.assert(
      fc.property(
        fc.constantFrom('standard', 'cold', 'none') as fc.Arbitrary<WarmupState['mode']>,
        fc.option(ms),
        fc.option(ms),
        fc.option(ms),
        fc.option(fc.constantFrom(0.5, 0.25)),
        ms,
        fc.integer({ min: 0, max: 3 * DAY }),
        (mode, start, from, until, restartFactor, t, dt) => {
          const state = (now: number) => ({
            mode,
            startedAt: start === null ? null : at(start),
            now: at(now),
            frozenFrom: from === null ? null : at(from),
            frozenUntil: until === null ? null : at(until),
            restartFactor,
          });
          if (warmupStage(state(t), W) !== warmupStage(state(t + dt), W)) return;
          for (const windowSeconds of [3600, 86_400, 7 * 86_400, 30 * 86_400]) {
            expect(warmupFactor({ ...state(t + dt), windowSeconds }, W)).toEqual(warmupFactor({ ...state(t), windowSeconds }, W));
          }
        },
      ),
      { numRuns: 3000 },
    );
  });
});
