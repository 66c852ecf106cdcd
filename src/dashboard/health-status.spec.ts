import { describe, expect, it } from '@jest/globals';
import { decideHealth, type HealthFacts, riskSortKey, statusSortKey } from './health-status.js';

/** The identity id at the end of a sort key (`<block><usage>|<id>`). */
const idOfSortKey = (key: string): string => key.slice(key.indexOf('|') + 1);
import { lexRange } from './overview-snapshot.service.js';

const calm: HealthFacts = {
  limits: [{ slug: 'LK_PROFILE_VISITS', consumed: 1, max: 50 }],
  running: [],
  cooldowns7d: 0,
  flagged7d: false,
  warmingUp: false,
};
const cd = (reason: string, extra: Partial<HealthFacts['running'][number]> = {}) => ({
  reason,
  scope: 'identity' as const,
  limits: [],
  atRisk: false,
  endsAt: new Date(1),
  ...extra,
});

describe('decideHealth', () => {
  it.each<[string, Partial<HealthFacts>, string]>([
    ['nothing wrong', {}, 'healthy'],
    ['79 % is not a warning', { limits: [{ slug: 'A', consumed: 79, max: 100 }] }, 'healthy'],
    [
      '80 % of any limit',
      {
        limits: [
          { slug: 'A', consumed: 1, max: 100 },
          { slug: 'B', consumed: 8, max: 10 },
        ],
      },
      'warning',
    ],
    ['over the limit (threshold lowered)', { limits: [{ slug: 'A', consumed: 12, max: 10 }] }, 'warning'],
    ['a limit of 0 is never used up', { limits: [{ slug: 'LK_INMAILS_SENT', consumed: 0, max: 0 }] }, 'healthy'],
    ['ramp below full speed', { warmingUp: true }, 'warming_up'],
    ['warning beats warming up', { warmingUp: true, limits: [{ slug: 'A', consumed: 9, max: 10 }] }, 'warning'],
    ['a scoped cooldown', { running: [cd('STATUS_429_STRIKE_1', { scope: 'limits', limits: ['A'] })] }, 'cooldown'],
    ['cooldown beats warning', { running: [cd('BLOCKED_ANTIBOT')], limits: [{ slug: 'A', consumed: 10, max: 10 }] }, 'cooldown'],
    ['2 cooldowns in 7 days are not yet recurring', { cooldowns7d: 2 }, 'healthy'],
    ['3 cooldowns in 7 days', { cooldowns7d: 3 }, 'at_risk'],
    ['an escalated cooldown in 7 days', { flagged7d: true }, 'at_risk'],
    ['a running at_risk cooldown', { running: [cd('STATUS_429_STRIKE_3', { atRisk: true })] }, 'at_risk'],
    ['restricted', { running: [cd('RESTRICTED')] }, 'restricted'],
    ['a checkpoint', { running: [cd('CHALLENGE', { endsAt: null })] }, 'restricted'],
    ['an expired session is a cooldown until reconnected', { running: [cd('AUTH_EXPIRED', { endsAt: null })] }, 'cooldown'],
    ['restricted beats at_risk', { running: [cd('RESTRICTED')], cooldowns7d: 5 }, 'restricted'],
  ])('%s', (_, facts, status) => {
    expect(decideHealth({ ...calm, ...facts }).status).toBe(status);
  });

  it('says why, most serious first, and the highest usage', () => {
    const v = decideHealth({
      ...calm,
      limits: [
        { slug: 'A', consumed: 9, max: 10 },
        { slug: 'B', consumed: 19, max: 20 },
      ],
      running: [cd('STATUS_429_STRIKE_2', { scope: 'limits', limits: ['C'] })],
      cooldowns7d: 3,
      warmingUp: true,
    });
    expect(v).toEqual({
      status: 'at_risk',
      atRisk: true,
      usage: 0.95,
      reasons: [
        '3 cooldowns in the last 7 days',
        'cooldown STATUS_429_STRIKE_2 on C',
        'B at 95% of its limit (19/20)',
        'A at 90% of its limit (9/10)',
        'warming up: limits below full speed',
      ],
    });
  });
});

describe('risk order', () => {
  const byBytes = (keys: string[]) => [...keys].sort((x, y) => (Buffer.from(x) < Buffer.from(y) ? -1 : 1)).map(idOfSortKey);

  it('risk order: restricted, at_risk, cooldown, then everyone else by highest usage, then id — as strings, the way Redis BYLEX does', () => {
    const keys = [
      riskSortKey('healthy', 0, 'b'),
      riskSortKey('cooldown', 0.1, 'c'),
      riskSortKey('healthy', 0.5, 'a'),
      riskSortKey('restricted', 0, 'd'),
      riskSortKey('warning', 1.5, 'e'),
      riskSortKey('warning', 0.8, 'f'),
      riskSortKey('healthy', 0, 'a'),
      riskSortKey('warning', 99, 'g'),
      riskSortKey('at_risk', 0, 'h'),
      riskSortKey('warming_up', 0.02, 'w'),
      riskSortKey('healthy', 0.79, 'x'),
    ];
    // A healthy identity at 79 % is nearer a limit than a warming-up one at 2 %.
    expect(byBytes(keys).join('')).toBe('dhcgefxawab');
  });

  it('status order: one block per status, highest usage first inside it', () => {
    const keys = [
      statusSortKey('healthy', 0.79, 'x'),
      statusSortKey('warming_up', 0.02, 'w'),
      statusSortKey('healthy', 0, 'a'),
      statusSortKey('warning', 0.9, 'e'),
      statusSortKey('cooldown', 0, 'c'),
    ];
    expect(byBytes(keys).join('')).toBe('cewxa');
  });

  it('a page range stays inside a status filter, after the cursor', () => {
    expect(lexRange(null, undefined)).toEqual({ min: '-', max: '+' });
    expect(lexRange(null, 'cooldown')).toEqual({ min: '[2', max: '(3' });
    expect(lexRange('212345|x', 'cooldown')).toEqual({ min: '(212345|x', max: '(3' });
    // A cursor before the status' block (from an unfiltered page) starts at the block.
    expect(lexRange('012345|x', 'cooldown')).toEqual({ min: '[2', max: '(3' });
    expect(lexRange('012345|x', undefined)).toEqual({ min: '(012345|x', max: '+' });
  });
});
