import { describe, expect, it } from '@jest/globals';
import { classify } from '../classification/classifier.js';
import { type CooldownDecision, decideCooldown } from './cooldown-policy.js';
import { type PlanInput, planCooldown, type RunningCooldown } from './cooldown-plan.js';

const now = new Date('2026-03-02T10:00:00Z');
const H = 3_600_000;
const at = (hours: number) => new Date(now.getTime() + hours * H);
const INVITES = ['LK_INVITATIONS_SENT', 'LK_INVITATIONS_WEEKLY'];

function decision(over: Partial<CooldownDecision>): CooldownDecision {
  return {
    scope: 'limits',
    limits: INVITES,
    reason: 'STATUS_429_STRIKE_1',
    level: 1,
    duration_seconds: 4 * 3600,
    ends_at: at(4),
    strikes: 1,
    at_risk: false,
    warmup: 'freeze',
    ...over,
  };
}

function running(over: Partial<RunningCooldown>): RunningCooldown {
  return { id: 'c1', scope: 'limits', limits: INVITES, reason: 'STATUS_429_STRIKE_1', level: 1, atRisk: false, endsAt: at(3), ...over };
}

function plan(over: Partial<PlanInput>) {
  return planCooldown({
    decision: null,
    running: [],
    isStrike: false,
    actionLimits: INVITES,
    retryAfterSeconds: null,
    now,
    random: () => 0,
    ...over,
  });
}

describe('planCooldown', () => {
  it('no decision: nothing happens', () => {
    expect(plan({})).toEqual({ kind: 'none', countsAsStrike: false, warmup: 'none' });
  });

  it('a first strike starts the decided cooldown, counts as a strike and freezes the warm-up', () => {
    const p = plan({ decision: decision({}), isStrike: true });
    expect(p).toEqual({
      kind: 'start',
      cooldown: { scope: 'limits', limits: INVITES, reason: 'STATUS_429_STRIKE_1', level: 1, endsAt: at(4), atRisk: false },
      supersedes: [],
      extends: null,
      countsAsStrike: true,
      warmup: 'freeze',
    });
  });

  it('a 429 for limits already cooling down joins that episode: no new strike, no escalation', () => {
    const episode = running({});
    const p = plan({ decision: decision({ level: 2, reason: 'STATUS_429_STRIKE_2', ends_at: at(24) }), isStrike: true, running: [episode] });
    expect(p).toMatchObject({ kind: 'absorbed', into: episode, countsAsStrike: false, warmup: 'freeze' });
  });

  it('an identity-wide cooldown covers every action of the identity', () => {
    const episode = running({ scope: 'identity', limits: [], endsAt: null, reason: 'CHALLENGE' });
    expect(plan({ decision: decision({}), isStrike: true, running: [episode] })).toMatchObject({ kind: 'absorbed', into: episode });
  });

  it("…but LinkedIn's Retry-After beyond the episode's end extends it (same level and reason)", () => {
    const episode = running({ endsAt: at(1) });
    const p = plan({ decision: decision({}), isStrike: true, running: [episode], retryAfterSeconds: 5 * 3600 });
    expect(p).toEqual({
      kind: 'start',
      cooldown: { scope: 'limits', limits: INVITES, reason: 'STATUS_429_STRIKE_1', level: 1, endsAt: at(5), atRisk: false },
      supersedes: ['c1'],
      extends: 'c1',
      countsAsStrike: false,
      warmup: 'freeze',
    });
  });

  it("a strike on another action's limits is a new strike", () => {
    const other = running({ limits: ['LK_MESSAGES_SENT'] });
    expect(plan({ decision: decision({}), isStrike: true, running: [other] })).toMatchObject({ kind: 'start', countsAsStrike: true, supersedes: [] });
  });

  it('a sign covered by a running cooldown lasting as long adds nothing (999 during a challenge)', () => {
    const challenge = running({ scope: 'identity', limits: [], endsAt: null, reason: 'CHALLENGE' });
    const p = plan({ decision: decision({ scope: 'identity', limits: [], reason: 'BLOCKED_ANTIBOT', ends_at: at(24) }), running: [challenge] });
    expect(p).toMatchObject({ kind: 'absorbed', into: challenge, countsAsStrike: false });
  });

  it('a longer identity-wide cooldown supersedes the shorter ones it covers (challenge during a 999)', () => {
    const antibot = running({ id: 'a', scope: 'identity', limits: [], endsAt: at(24), reason: 'BLOCKED_ANTIBOT' });
    const strike = running({ id: 's', endsAt: at(2) });
    const p = plan({ decision: decision({ scope: 'identity', limits: [], reason: 'CHALLENGE', ends_at: null }), running: [antibot, strike] });
    expect(p).toMatchObject({ kind: 'start', supersedes: ['a', 's'], extends: null });
  });

  it('a weekly limit leaves a longer note-limit cooldown alone', () => {
    const notes = running({ id: 'n', limits: ['LK_INVITE_NOTES'], endsAt: at(30 * 24), reason: 'NOTE_LIMIT' });
    const p = plan({
      decision: decision({ limits: [...INVITES, 'LK_INVITE_NOTES'], reason: 'WEEKLY_LIMIT', ends_at: at(7 * 24) }),
      running: [notes],
    });
    expect(p).toMatchObject({ kind: 'start', supersedes: [] });
  });

  it('RESTRICTED restarts the warm-up when its cooldown starts, freezes it when absorbed', () => {
    const restricted = decideCooldown({
      classification: classify({ action_slug: 'x', status_code: 403, body: 'Your account has been restricted' }, now),
      actionSlug: 'linkedin-connect-profile',
      actionLimits: INVITES,
      inviteLimitSlugs: INVITES,
      history: { strikes: [], cooldowns: [] },
      now,
      random: () => 0,
    });
    expect(plan({ decision: restricted })).toMatchObject({ kind: 'start', warmup: 'restart' });
    const challenge = running({ scope: 'identity', limits: [], endsAt: null, reason: 'CHALLENGE' });
    expect(plan({ decision: restricted, running: [challenge] })).toMatchObject({ kind: 'absorbed', warmup: 'freeze' });
  });
});
