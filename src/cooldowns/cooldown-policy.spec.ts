import { describe, it, expect } from '@jest/globals';
import { type Classification } from '../classification/classifier.js';
import { classify } from '../classification/classifier.js';
import { COOLDOWN_POLICY, decideCooldown, INVITE_NOTES_LIMIT, type CooldownHistory, type CooldownInput } from './cooldown-policy.js';

const HOUR = 3600;
const DAY = 24 * HOUR;
const now = new Date('2025-08-05T12:00:00Z');
const ago = (seconds: number) => new Date(now.getTime() - seconds * 1000);
const after = (seconds: number) => new Date(now.getTime() + seconds * 1000);

const connect = 'linkedin-connect-profile';
const message = 'linkedin-message-profile';
const visit = 'linkedin-visit-profile';
const LIMITS_OF: Record<string, string[]> = {
  [connect]: ['LK_INVITATIONS_SENT', 'LK_INVITATIONS_WEEKLY'],
  [message]: ['LK_MESSAGES_SENT', 'LK_PROFILE_ENRICHMENTS'],
  [visit]: ['LK_PROFILE_VISITS'],
};
const INVITE_LIMITS = ['LK_INVITATIONS_SENT', 'LK_INVITATIONS_WEEKLY', 'LK_INVITE_NOTES'];
const noHistory = (): CooldownHistory => ({ strikes: [], cooldowns: [] });

/** Classifications go through the real classifier, so the two modules are tested as they meet. */
const signs = {
  linkedIn429: (headers: Record<string, string> = {}) => classify({ status_code: 429, headers, action_slug: connect }, now),
  noteLimit: () => classify({ status_code: 429, error_label: 'CUSTOM_INVITE_LIMIT_REACHED', action_slug: connect }, now),
  weeklyLimit: (headers: Record<string, string> = {}) =>
    classify({ status_code: 429, headers, body: "You've reached the weekly invitation limit", action_slug: connect }, now),
  antibot: () => classify({ status_code: 999, action_slug: visit }, now),
  challenge: () => classify({ status_code: 302, headers: { Location: '/checkpoint/challenge/AgE' }, action_slug: visit }, now),
  restricted: (headers: Record<string, string> = {}) =>
    classify({ status_code: 403, headers, body: 'Your account has been restricted', action_slug: visit }, now),
  authExpired: () => classify({ status_code: 401, action_slug: visit }, now),
};

function decide(classification: Classification, overrides: Partial<CooldownInput> = {}) {
  const actionSlug = overrides.actionSlug ?? connect;
  return decideCooldown({
    classification,
    actionSlug,
    actionLimits: LIMITS_OF[actionSlug] ?? [],
    inviteLimitSlugs: INVITE_LIMITS,
    history: noHistory(),
    now,
    random: () => 0,
    ...overrides,
  });
}

describe('decideCooldown: one test per row of LIMITS.md', () => {
  it.each([
    [
      'internal',
      classify({ status_code: 429, body: { error: { code: 429, details: { 'X-RateLimit-Type': '/v1/actions' } } }, action_slug: connect }, now),
    ],
    ['detected', classify({ status_code: 429, error_label: 'LIMIT_REACHED', action_slug: connect }, now)],
    ['transient (5xx)', classify({ status_code: 503, action_slug: connect }, now)],
    ['transient (timeout)', classify({ status_code: 0, error_label: 'ETIMEDOUT', action_slug: connect }, now)],
    ['success', classify({ status_code: 200, action_slug: connect }, now)],
    ['client_error', classify({ status_code: 404, action_slug: connect }, now)],
    ['unknown', classify({ status_code: 301, action_slug: connect }, now)],
  ])('%s → no cooldown', (_name, classification) => {
    expect(decide(classification)).toBeNull();
  });

  it("LinkedIn 429, 1st strike → the action's limits, 4 h", () => {
    expect(decide(signs.linkedIn429())).toEqual({
      scope: 'limits',
      limits: ['LK_INVITATIONS_SENT', 'LK_INVITATIONS_WEEKLY'],
      reason: 'STATUS_429_STRIKE_1',
      level: 1,
      duration_seconds: 4 * HOUR,
      ends_at: after(4 * HOUR),
      strikes: 1,
      at_risk: false,
      warmup: 'freeze',
    });
  });

  it("LinkedIn 429, 2nd strike → the action's limits, 24 h", () => {
    const history = { strikes: [{ at: ago(5 * HOUR), action_slug: connect }], cooldowns: [{ started_at: ago(5 * HOUR) }] };
    expect(decide(signs.linkedIn429(), { history })).toEqual({
      scope: 'limits',
      limits: ['LK_INVITATIONS_SENT', 'LK_INVITATIONS_WEEKLY'],
      reason: 'STATUS_429_STRIKE_2',
      level: 2,
      duration_seconds: 24 * HOUR,
      ends_at: after(24 * HOUR),
      strikes: 2,
      at_risk: false,
      warmup: 'freeze',
    });
  });

  it('LinkedIn 429, 3rd strike → whole identity, 72 h, at risk', () => {
    const history = {
      strikes: [
        { at: ago(30 * HOUR), action_slug: connect },
        { at: ago(HOUR), action_slug: connect },
      ],
      cooldowns: [],
    };
    expect(decide(signs.linkedIn429(), { history })).toEqual({
      scope: 'identity',
      limits: [],
      reason: 'STATUS_429_STRIKE_3',
      level: 3,
      duration_seconds: 72 * HOUR,
      ends_at: after(72 * HOUR),
      strikes: 3,
      at_risk: true,
      warmup: 'freeze',
    });
  });

  it('LinkedIn 429s on 2 actions → whole identity, 72 h, at risk', () => {
    const history = { strikes: [{ at: ago(2 * HOUR), action_slug: message }], cooldowns: [] };
    expect(decide(signs.linkedIn429(), { history })).toMatchObject({
      scope: 'identity',
      limits: [],
      reason: 'STATUS_429_MULTIPLE_ACTIONS',
      level: 3,
      duration_seconds: 72 * HOUR,
      strikes: 2,
      at_risk: true,
    });
  });

  it('CUSTOM_INVITE_LIMIT_REACHED → LK_INVITE_NOTES only, 30 days; warm-up untouched (a quota, not distrust)', () => {
    expect(decide(signs.noteLimit(), { actionSlug: 'linkedin-connect-profile-with-note' })).toEqual({
      scope: 'limits',
      limits: [INVITE_NOTES_LIMIT],
      reason: 'NOTE_LIMIT',
      level: 1,
      duration_seconds: 30 * DAY,
      ends_at: after(30 * DAY),
      strikes: 0,
      at_risk: false,
      warmup: 'none',
    });
    expect(INVITE_NOTES_LIMIT).toBe('LK_INVITE_NOTES');
  });

  it('weekly invitation limit → the invitation limits until the 7-day window frees', () => {
    expect(decide(signs.weeklyLimit(), { weeklyWindowFreesAt: after(3 * DAY + 123) })).toEqual({
      scope: 'limits',
      limits: INVITE_LIMITS,
      reason: 'WEEKLY_LIMIT',
      level: 1,
      duration_seconds: 3 * DAY + 123,
      ends_at: after(3 * DAY + 123),
      strikes: 0,
      at_risk: false,
      warmup: 'freeze',
    });
  });

  it('HTTP 999 → whole identity, 24 h', () => {
    expect(decide(signs.antibot(), { actionSlug: visit })).toEqual({
      scope: 'identity',
      limits: [],
      reason: 'BLOCKED_ANTIBOT',
      level: 1,
      duration_seconds: 24 * HOUR,
      ends_at: after(24 * HOUR),
      strikes: 0,
      at_risk: false,
      warmup: 'freeze',
    });
  });

  it('checkpoint / challenge → whole identity, until a person clears it', () => {
    expect(decide(signs.challenge(), { actionSlug: visit })).toEqual({
      scope: 'identity',
      limits: [],
      reason: 'CHALLENGE',
      level: 1,
      duration_seconds: null,
      ends_at: null,
      strikes: 0,
      at_risk: false,
      warmup: 'freeze',
    });
  });

  it('account restricted → whole identity, at least 48 h, warm-up restarts', () => {
    expect(decide(signs.restricted(), { actionSlug: visit })).toEqual({
      scope: 'identity',
      limits: [],
      reason: 'RESTRICTED',
      level: 1,
      duration_seconds: 48 * HOUR,
      ends_at: after(48 * HOUR),
      strikes: 0,
      at_risk: false,
      warmup: 'restart',
    });
  });

  it('401 / login redirect → whole identity, until reconnected', () => {
    expect(decide(signs.authExpired(), { actionSlug: visit })).toEqual({
      scope: 'identity',
      limits: [],
      reason: 'AUTH_EXPIRED',
      level: 1,
      duration_seconds: null,
      ends_at: null,
      strikes: 0,
      at_risk: false,
      warmup: 'freeze',
    });
  });
});

describe('decideCooldown: strike escalation and decay', () => {
  it('escalates 1st → 2nd → 3rd as each cooldown ends and LinkedIn pushes back again', () => {
    const history: CooldownHistory = noHistory();
    const levels: Array<[number, number | null, string]> = [];
    let t = now.getTime();
    for (let i = 0; i < 3; i++) {
      const at = new Date(t);
      const d = decide(classify({ status_code: 429, action_slug: connect }, at), { history, now: at })!;
      levels.push([d.level, d.duration_seconds, d.scope]);
      history.strikes.push({ at, action_slug: connect });
      history.cooldowns.push({ started_at: at });
      t = d.ends_at!.getTime() + HOUR * 1000; // the next 429 comes an hour after the cooldown ends
    }
    expect(levels).toEqual([
      [1, 4 * HOUR, 'limits'],
      [2, 24 * HOUR, 'limits'],
      [3, 72 * HOUR, 'identity'],
    ]);
  });

  it('stays at level 3 beyond the 3rd strike, counting every strike of the run', () => {
    const history = {
      strikes: [1, 2, 3].map((h) => ({ at: ago(h * HOUR), action_slug: connect })),
      cooldowns: [],
    };
    expect(decide(signs.linkedIn429(), { history })).toMatchObject({ level: 3, strikes: 4, reason: 'STATUS_429_STRIKE_3' });
  });

  it('the run ends at a gap of 72 h without incident: the next 429 is a 1st strike again', () => {
    const history = { strikes: [{ at: ago(72 * HOUR), action_slug: connect }], cooldowns: [{ started_at: ago(72 * HOUR) }] };
    expect(decide(signs.linkedIn429(), { history })).toMatchObject({ level: 1, strikes: 1, duration_seconds: 4 * HOUR });
  });

  it('a gap just under 72 h keeps the run going', () => {
    const history = { strikes: [{ at: ago(72 * HOUR - 1), action_slug: connect }], cooldowns: [] };
    expect(decide(signs.linkedIn429(), { history })).toMatchObject({ level: 2, strikes: 2 });
  });

  it('only the latest run counts: old strikes before a 72 h gap are forgotten', () => {
    const history = {
      strikes: [
        { at: ago(10 * DAY), action_slug: connect },
        { at: ago(9 * DAY), action_slug: message },
        { at: ago(5 * HOUR), action_slug: connect },
      ],
      cooldowns: [],
    };
    // The 2 actions of ten days ago do not make this an identity-wide cooldown.
    expect(decide(signs.linkedIn429(), { history })).toMatchObject({ level: 2, strikes: 2, scope: 'limits' });
  });

  it('another warning sign inside the gap keeps the run going ("without incident")', () => {
    const history = { strikes: [{ at: ago(100 * HOUR), action_slug: connect }], cooldowns: [{ started_at: ago(50 * HOUR) }] };
    expect(decide(signs.linkedIn429(), { history })).toMatchObject({ level: 2, strikes: 2 });
  });

  it('ignores strikes dated in the future (clock skew) and unordered history', () => {
    const history = {
      strikes: [
        { at: after(100 * HOUR), action_slug: message },
        { at: ago(HOUR), action_slug: connect },
        { at: ago(80 * HOUR), action_slug: connect },
        { at: ago(40 * HOUR), action_slug: connect },
      ],
      cooldowns: [],
    };
    expect(decide(signs.linkedIn429(), { history })).toMatchObject({ level: 3, strikes: 4, reason: 'STATUS_429_STRIKE_3' });
  });

  it('a strike on the same action twice is not "2 actions"', () => {
    const history = { strikes: [{ at: ago(HOUR), action_slug: connect }], cooldowns: [] };
    expect(decide(signs.linkedIn429(), { history })).toMatchObject({ level: 2, scope: 'limits' });
  });

  it('strikes on 2 actions at the 3rd strike say it was the 3rd', () => {
    const history = {
      strikes: [
        { at: ago(2 * HOUR), action_slug: message },
        { at: ago(HOUR), action_slug: connect },
      ],
      cooldowns: [],
    };
    expect(decide(signs.linkedIn429(), { history })).toMatchObject({ level: 3, reason: 'STATUS_429_STRIKE_3' });
  });

  it('an action without known limits cannot be scoped, so its strike cools the identity', () => {
    expect(decide(signs.linkedIn429(), { actionSlug: 'linkedin-new-thing', actionLimits: [] })).toMatchObject({
      scope: 'identity',
      limits: [],
      level: 1,
      duration_seconds: 4 * HOUR,
    });
  });

  it("other signs report the run's strikes but do not escalate", () => {
    const history = {
      strikes: [
        { at: ago(HOUR), action_slug: connect },
        { at: ago(2 * HOUR), action_slug: message },
      ],
      cooldowns: [],
    };
    expect(decide(signs.antibot(), { history, actionSlug: visit })).toMatchObject({
      level: 1,
      strikes: 2,
      duration_seconds: 24 * HOUR,
    });
  });
});

describe('decideCooldown: Retry-After floor and jitter', () => {
  it('a Retry-After of 10 h on a 1st strike gives at least 10 h', () => {
    const d = decide(signs.linkedIn429({ 'Retry-After': String(10 * HOUR) }));
    expect(d).toMatchObject({ level: 1, duration_seconds: 10 * HOUR, ends_at: after(10 * HOUR) });
  });

  it('a Retry-After shorter than the rule changes nothing', () => {
    expect(decide(signs.linkedIn429({ 'Retry-After': '60' }))!.duration_seconds).toBe(4 * HOUR);
  });

  it('a Retry-After as an HTTP date counts the same', () => {
    const d = decide(signs.antibot());
    expect(d!.duration_seconds).toBe(24 * HOUR);
    const dated = classify(
      { status_code: 999, headers: { 'retry-after': new Date(now.getTime() + 30 * HOUR * 1000).toUTCString() }, action_slug: visit },
      now,
    );
    expect(decide(dated)!.duration_seconds).toBe(30 * HOUR);
  });

  it('a Retry-After floors the restricted and weekly cooldowns too', () => {
    expect(decide(signs.restricted({ 'Retry-After': String(5 * DAY) }))!.duration_seconds).toBe(5 * DAY);
    expect(decide(signs.weeklyLimit({ 'Retry-After': String(4 * DAY) }), { weeklyWindowFreesAt: after(2 * DAY) })!.duration_seconds).toBe(4 * DAY);
  });

  it('a Retry-After beyond 30 days is read as 30 days', () => {
    expect(decide(signs.linkedIn429({ 'Retry-After': String(400 * DAY) }))!.duration_seconds).toBe(30 * DAY);
  });

  it('does not give an end to cooldowns a person clears, whatever the Retry-After', () => {
    const challenged = classify({ status_code: 302, headers: { Location: '/checkpoint/challenge/x', 'Retry-After': '60' }, action_slug: visit }, now);
    expect(decide(challenged)).toMatchObject({ duration_seconds: null, ends_at: null });
  });

  it('random = 0 adds nothing', () => {
    expect(decide(signs.linkedIn429(), { random: () => 0 })!.duration_seconds).toBe(4 * HOUR);
  });

  it('random → 1 adds just under 10 %, rounded up to whole seconds', () => {
    const d = decide(signs.linkedIn429(), { random: () => 0.999999 })!;
    expect(d.duration_seconds).toBe(Math.ceil(4 * HOUR * (1 + 0.1 * 0.999999)));
    expect(d.duration_seconds).toBeLessThanOrEqual((4 * HOUR * 11) / 10);
    expect(d.ends_at).toEqual(after(d.duration_seconds!));
  });

  it('random = 0.5 adds 5 %', () => {
    expect(decide(signs.antibot(), { random: () => 0.5 })!.duration_seconds).toBe(24 * HOUR * 1.05);
  });

  it('jitter is added on top of the Retry-After floor', () => {
    const d = decide(signs.linkedIn429({ 'Retry-After': String(10 * HOUR) }), { random: () => 0.5 });
    expect(d!.duration_seconds).toBe(10 * HOUR * 1.05);
  });

  it('rounds a fractional result up to whole seconds', () => {
    // 4 h × 10 % × 0.001 = 1.44 s → 2 s.
    expect(decide(signs.linkedIn429(), { random: () => 0.001 })!.duration_seconds).toBe(4 * HOUR + 2);
  });

  it.each([
    ['exactly 1', 1, (4 * HOUR * 11) / 10],
    ['above 1', 7, (4 * HOUR * 11) / 10],
    ['negative', -3, 4 * HOUR],
    ['NaN', Number.NaN, 4 * HOUR],
  ])('a random source returning %s stays inside the bounds', (_name, value, expected) => {
    expect(decide(signs.linkedIn429(), { random: () => value })!.duration_seconds).toBe(expected);
  });

  it('stays within [length, length × 1.1] over many draws', () => {
    let seed = 42;
    const lcg = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    for (let i = 0; i < 500; i++) {
      const s = decide(signs.restricted(), { random: lcg })!.duration_seconds!;
      expect(s).toBeGreaterThanOrEqual(48 * HOUR);
      expect(s).toBeLessThanOrEqual((48 * HOUR * 11) / 10);
    }
  });
});

describe('decideCooldown: WEEKLY_LIMIT', () => {
  it('lasts at least 24 h when the window frees sooner', () => {
    expect(decide(signs.weeklyLimit(), { weeklyWindowFreesAt: after(2 * HOUR) })!.duration_seconds).toBe(24 * HOUR);
  });

  it('lasts at least 24 h when the window is already free', () => {
    expect(decide(signs.weeklyLimit(), { weeklyWindowFreesAt: ago(HOUR) })!.duration_seconds).toBe(24 * HOUR);
  });

  it('lasts until the window frees when that is later, rounded up to whole seconds', () => {
    const freesAt = new Date(now.getTime() + 5 * DAY * 1000 + 400);
    expect(decide(signs.weeklyLimit(), { weeklyWindowFreesAt: freesAt })!.duration_seconds).toBe(5 * DAY + 1);
  });

  it('lasts the whole 7-day window when nobody knows when it frees', () => {
    expect(decide(signs.weeklyLimit(), { weeklyWindowFreesAt: null })!.duration_seconds).toBe(7 * DAY);
    expect(decide(signs.weeklyLimit())!.duration_seconds).toBe(7 * DAY);
  });

  it('gets jitter on top like every timed cooldown', () => {
    expect(decide(signs.weeklyLimit(), { weeklyWindowFreesAt: after(2 * DAY), random: () => 0.5 })!.duration_seconds).toBe(2 * DAY * 1.05);
  });

  it('"cannot resend yet" is treated the same way', () => {
    const resend = classify({ status_code: 422, body: 'cannot resend yet', action_slug: connect }, now);
    expect(decide(resend, { weeklyWindowFreesAt: after(3 * DAY) })).toMatchObject({
      scope: 'limits',
      limits: INVITE_LIMITS,
      reason: 'WEEKLY_LIMIT',
      duration_seconds: 3 * DAY,
    });
  });

  it('lists each invitation limit once', () => {
    expect(decide(signs.weeklyLimit(), { inviteLimitSlugs: ['A', 'B', 'A'] })!.limits).toEqual(['A', 'B']);
  });
});

describe('decideCooldown: at risk', () => {
  const twoCooldowns = { strikes: [], cooldowns: [{ started_at: ago(2 * DAY) }, { started_at: ago(6 * DAY) }] };

  it('marks the 3rd cooldown in 7 days at risk', () => {
    expect(decide(signs.antibot(), { history: twoCooldowns, actionSlug: visit })!.at_risk).toBe(true);
    expect(decide(signs.weeklyLimit(), { history: twoCooldowns })!.at_risk).toBe(true);
    expect(decide(signs.challenge(), { history: twoCooldowns })!.at_risk).toBe(true);
  });

  it('a 1st strike that is the 3rd cooldown in 7 days is at risk but still a 1st strike', () => {
    const history = { strikes: [], cooldowns: [{ started_at: ago(4 * DAY) }, { started_at: ago(6 * DAY) }] };
    expect(decide(signs.linkedIn429(), { history })).toMatchObject({ level: 1, scope: 'limits', at_risk: true });
  });

  it('2 cooldowns in 7 days (this one included) are not yet at risk', () => {
    const history = { strikes: [], cooldowns: [{ started_at: ago(2 * DAY) }] };
    expect(decide(signs.antibot(), { history, actionSlug: visit })!.at_risk).toBe(false);
  });

  it('cooldowns older than 7 days do not count', () => {
    const history = { strikes: [], cooldowns: [{ started_at: ago(2 * DAY) }, { started_at: ago(7 * DAY) }] };
    expect(decide(signs.antibot(), { history, actionSlug: visit })!.at_risk).toBe(false);
  });
});

describe('COOLDOWN_POLICY', () => {
  it('holds the lengths of LIMITS.md', () => {
    expect(COOLDOWN_POLICY).toMatchObject({
      strike1Seconds: 4 * HOUR,
      strike2Seconds: 24 * HOUR,
      strike3Seconds: 72 * HOUR,
      strikeDecaySeconds: 72 * HOUR,
      noteLimitSeconds: 30 * DAY,
      weeklyLimitMinSeconds: 24 * HOUR,
      antibotSeconds: 24 * HOUR,
      restrictedMinSeconds: 48 * HOUR,
      jitterMaxFraction: 0.1,
      atRiskCooldowns: 3,
      atRiskWindowSeconds: 7 * DAY,
    });
  });
});
