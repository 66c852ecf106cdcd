import { describe, expect, it } from '@jest/globals';
import { mirrorState } from './cooldown-mirror-state.js';
import { type CooldownRow } from './cooldown.types.js';

const now = new Date('2026-03-02T10:00:00Z');
const H = 3_600_000;
const at = (hours: number) => new Date(now.getTime() + hours * H);
const SLUGS = ['LK_INVITATIONS_SENT', 'LK_INVITATIONS_WEEKLY', 'LK_MESSAGES_SENT'];

function row(over: Partial<CooldownRow>): CooldownRow {
  return {
    id: 'c',
    workspaceId: 'w',
    identityId: 'i',
    scope: 'limits',
    limits: ['LK_INVITATIONS_SENT'],
    reason: 'R',
    level: 1,
    source: 'outcome',
    sourceStatus: 429,
    actionSlug: 'linkedin-connect-profile',
    classification: null,
    atRisk: false,
    startedAt: at(-1),
    endsAt: at(4),
    endedAt: null,
    endedBy: null,
    supersededBy: null,
    ...over,
  };
}

describe('mirrorState', () => {
  it('no cooldown: every key is deleted', () => {
    const s = mirrorState([], SLUGS, now);
    expect(s.identity).toBeNull();
    expect(s.limits).toEqual({ LK_INVITATIONS_SENT: null, LK_INVITATIONS_WEEKLY: null, LK_MESSAGES_SENT: null });
  });

  it('each limit key holds the limit-scoped cooldown covering it that ends last, with its TTL', () => {
    const a = row({ id: 'a', limits: ['LK_INVITATIONS_SENT', 'LK_INVITATIONS_WEEKLY'], endsAt: at(4) });
    const b = row({ id: 'b', limits: ['LK_INVITATIONS_WEEKLY'], endsAt: at(24), reason: 'WEEKLY_LIMIT' });
    const s = mirrorState([a, b], SLUGS, now);
    expect(s.limits.LK_INVITATIONS_SENT).toEqual({
      value: {
        id: 'a',
        reason: 'R',
        level: 1,
        scope: 'limits',
        limits: ['LK_INVITATIONS_SENT', 'LK_INVITATIONS_WEEKLY'],
        started_at: at(-1).toISOString(),
        ends_at: at(4).toISOString(),
        ends_ms: at(4).getTime(),
      },
      pttlMs: 4 * H,
    });
    expect(s.limits.LK_INVITATIONS_WEEKLY?.value.id).toBe('b');
    expect(s.limits.LK_MESSAGES_SENT).toBeNull();
    expect(s.identity).toBeNull();
  });

  it('the identity key: a cooldown without end wins and has no TTL', () => {
    const timed = row({ id: 't', scope: 'identity', limits: [], endsAt: at(72) });
    const person = row({ id: 'p', scope: 'identity', limits: [], endsAt: null, reason: 'CHALLENGE' });
    const s = mirrorState([timed, person], SLUGS, now);
    expect(s.identity).toMatchObject({ value: { id: 'p', ends_at: null }, pttlMs: null });
  });

  it('ended and expired cooldowns are not mirrored', () => {
    const ended = row({ id: 'e', endedAt: at(-0.5), endedBy: 'cleared' });
    const expired = row({ id: 'x', endsAt: at(-0.1) });
    expect(mirrorState([ended, expired], SLUGS, now).limits.LK_INVITATIONS_SENT).toBeNull();
  });

  it('a limit no longer in the catalog is still written while a cooldown holds it', () => {
    const s = mirrorState([row({ limits: ['LK_OLD'] })], SLUGS, now);
    expect(s.limits.LK_OLD?.value.limits).toEqual(['LK_OLD']);
  });
});
