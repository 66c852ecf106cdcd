import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { DateTime } from 'luxon';
import { scheduleProblems, type Schedule } from './schedule.js';
import { closesAfter, isOpenAt, nextOpenAt, openAtOrAfter, openIntervals, startOffsetSeconds, type CalendarInput } from './working-hours.js';

const H = 3_600_000;
const DAY = 24 * H;
const ms = (iso: string) => Date.parse(iso);
const iso = (t: number) => new Date(t).toISOString();
const WEEKDAYS = { days: [1, 2, 3, 4, 5], start: '09:00', end: '18:00' };

function cal(schedule: Schedule | null, timezone = 'UTC', extra: Partial<CalendarInput> = {}): CalendarInput {
  return { schedule, timezone, identityId: 'identity-1', startJitterMinutes: 0, ...extra };
}
const isoPairs = (input: CalendarInput, from: number, days?: number) => openIntervals(input, from, days)!.map(([s, e]) => [iso(s), iso(e)]);

describe('openIntervals: weekdays', () => {
  // Monday 2026-12-07 00:00 UTC; 8 days reach Monday 2026-12-14 too.
  const MONDAY = ms('2026-12-07T00:00:00Z');
  it.each([1, 2, 3, 4, 5, 6, 7])('ISO weekday %i opens on that day only', (day) => {
    const got = isoPairs(cal({ days: [day], start: '09:00', end: '18:00' }), MONDAY);
    const date = (k: number) => new Date(MONDAY + (day - 1 + k) * DAY).toISOString().slice(0, 10);
    const want = [[`${date(0)}T09:00:00.000Z`, `${date(0)}T18:00:00.000Z`]];
    if (day === 1) want.push([`${date(7)}T09:00:00.000Z`, `${date(7)}T18:00:00.000Z`]);
    expect(got).toEqual(want);
    for (const [s] of got) expect(DateTime.fromISO(s, { zone: 'UTC' }).weekday).toBe(day);
  });

  it('Monday–Friday 09:00–18:00 gives five intervals a week, none at the weekend', () => {
    const got = openIntervals(cal(WEEKDAYS), MONDAY, 7)!;
    expect(got).toHaveLength(5);
    expect(got.map(([s]) => new Date(s).getUTCDay())).toEqual([1, 2, 3, 4, 5]);
    expect(isOpenAt(got, ms('2026-12-12T12:00:00Z'))).toBe(false); // Saturday
  });

  it('starts from the interval already open at `from` and drops the ones that have ended', () => {
    expect(isoPairs(cal({ days: [1, 2], start: '09:00', end: '18:00' }), ms('2026-12-07T12:00:00Z'), 2)).toEqual([
      ['2026-12-07T09:00:00.000Z', '2026-12-07T18:00:00.000Z'],
      ['2026-12-08T09:00:00.000Z', '2026-12-08T18:00:00.000Z'],
    ]);
    expect(isoPairs(cal({ days: [1, 2], start: '09:00', end: '18:00' }), ms('2026-12-07T18:00:00Z'), 2)).toEqual([
      ['2026-12-08T09:00:00.000Z', '2026-12-08T18:00:00.000Z'],
    ]);
  });

  it('merges "00:00"–"24:00" every day without start offset into one interval: always open', () => {
    const got = openIntervals(cal({ days: [1, 2, 3, 4, 5, 6, 7], start: '00:00', end: '24:00', start_jitter_minutes: 0 }), MONDAY + 5 * H);
    expect(got).toHaveLength(1);
    expect(got![0][0]).toBe(MONDAY);
    expect(got![0][1]).toBeGreaterThanOrEqual(MONDAY + 8 * DAY);
  });

  it('is null without a schedule: open at any time', () => {
    expect(openIntervals(cal(null), MONDAY)).toBeNull();
    expect(isOpenAt(null, MONDAY)).toBe(true);
    expect(openAtOrAfter(null, MONDAY)).toBe(MONDAY);
    expect(closesAfter(null, MONDAY)).toBeNull();
  });
});

describe('openIntervals: the end is exclusive, the start inclusive', () => {
  const got = openIntervals(cal({ days: [1], start: '09:00', end: '18:00' }), ms('2026-12-07T00:00:00Z'), 1)!;
  const [s, e] = got[0];
  it.each([
    [s - 1, false],
    [s, true],
    [e - 1, true],
    [e, false],
  ])('at %d open is %s', (t, open) => {
    expect(isOpenAt(got, t)).toBe(open);
  });
  it('moves a closed time to the next opening and keeps an open one', () => {
    expect(openAtOrAfter(got, s - 1)).toBe(s);
    expect(openAtOrAfter(got, e - 1)).toBe(e - 1);
    expect(openAtOrAfter(got, e)).toBeUndefined();
    expect(closesAfter(got, s)).toBe(e);
    expect(closesAfter(got, e)).toBeNull();
  });
});

describe('openIntervals: DST in Europe/Paris', () => {
  const paris = (s: Schedule) => cal(s, 'Europe/Paris');
  it('09:00 is 08:00 UTC in winter and 07:00 UTC in summer, across the spring-forward (Sunday 2026-03-29)', () => {
    const daily = { days: [1, 2, 3, 4, 5, 6, 7], start: '09:00', end: '18:00' };
    expect(isoPairs(paris(daily), ms('2026-03-28T00:00:00Z'), 3)).toEqual([
      ['2026-03-28T08:00:00.000Z', '2026-03-28T17:00:00.000Z'],
      ['2026-03-29T07:00:00.000Z', '2026-03-29T16:00:00.000Z'],
      ['2026-03-30T07:00:00.000Z', '2026-03-30T16:00:00.000Z'],
    ]);
  });
  it('the night of the spring-forward is an hour shorter: 00:00–06:00 lasts 5 h', () => {
    const [[s, e]] = openIntervals(paris({ days: [7], start: '00:00', end: '06:00' }), ms('2026-03-28T12:00:00Z'), 2)!;
    expect([iso(s), iso(e)]).toEqual(['2026-03-28T23:00:00.000Z', '2026-03-29T04:00:00.000Z']);
    expect(e - s).toBe(5 * H);
  });
  it('a start that does not exist (02:30 on the spring-forward) moves forward by the gap', () => {
    expect(isoPairs(paris({ days: [7], start: '02:30', end: '04:00' }), ms('2026-03-28T12:00:00Z'), 2)).toEqual([
      ['2026-03-29T01:30:00.000Z', '2026-03-29T02:00:00.000Z'],
    ]);
  });
  it('the night of the fall-back (Sunday 2026-10-25) is an hour longer: 00:00–06:00 lasts 7 h', () => {
    const [[s, e]] = openIntervals(paris({ days: [7], start: '00:00', end: '06:00' }), ms('2026-10-24T12:00:00Z'), 2)!;
    expect([iso(s), iso(e)]).toEqual(['2026-10-24T22:00:00.000Z', '2026-10-25T05:00:00.000Z']);
    expect(e - s).toBe(7 * H);
  });
  it('a wall time that occurs twice (02:30 on the fall-back) is its second occurrence', () => {
    expect(isoPairs(paris({ days: [7], start: '02:30', end: '04:00' }), ms('2026-10-24T12:00:00Z'), 2)).toEqual([
      ['2026-10-25T01:30:00.000Z', '2026-10-25T03:00:00.000Z'],
    ]);
  });
  it('Monday after the fall-back opens at 08:00 UTC again', () => {
    expect(isoPairs(paris(WEEKDAYS), ms('2026-10-23T00:00:00Z'), 4)).toEqual([
      ['2026-10-23T07:00:00.000Z', '2026-10-23T16:00:00.000Z'],
      ['2026-10-26T08:00:00.000Z', '2026-10-26T17:00:00.000Z'],
    ]);
  });
});

describe('openIntervals: DST in America/New_York', () => {
  const ny = (s: Schedule) => cal(s, 'America/New_York');
  it('09:00 is 14:00 UTC before the spring-forward (Sunday 2026-03-08) and 13:00 UTC after', () => {
    expect(isoPairs(ny(WEEKDAYS), ms('2026-03-06T00:00:00Z'), 4)).toEqual([
      ['2026-03-06T14:00:00.000Z', '2026-03-06T23:00:00.000Z'],
      ['2026-03-09T13:00:00.000Z', '2026-03-09T22:00:00.000Z'],
    ]);
  });
  it('the spring-forward night is 5 h from 00:00 to 06:00, the fall-back night (2026-11-01) 7 h', () => {
    const night = { days: [7], start: '00:00', end: '06:00' };
    const [[s1, e1]] = openIntervals(ny(night), ms('2026-03-07T12:00:00Z'), 2)!;
    expect([iso(s1), iso(e1)]).toEqual(['2026-03-08T05:00:00.000Z', '2026-03-08T10:00:00.000Z']);
    const [[s2, e2]] = openIntervals(ny(night), ms('2026-10-31T12:00:00Z'), 2)!;
    expect([iso(s2), iso(e2)]).toEqual(['2026-11-01T04:00:00.000Z', '2026-11-01T11:00:00.000Z']);
  });
  it('Monday after the fall-back opens at 14:00 UTC', () => {
    expect(isoPairs(ny(WEEKDAYS), ms('2026-10-30T00:00:00Z'), 4)).toEqual([
      ['2026-10-30T13:00:00.000Z', '2026-10-30T22:00:00.000Z'],
      ['2026-11-02T14:00:00.000Z', '2026-11-02T23:00:00.000Z'],
    ]);
  });
});

describe('openIntervals: an identity east of UTC', () => {
  const tokyo = cal({ days: [1], start: '08:00', end: '10:00' }, 'Asia/Tokyo');
  it('opens on its own Monday, which is still Sunday in UTC', () => {
    const from = ms('2026-12-06T20:00:00Z'); // Sunday in UTC, Monday 05:00 in Tokyo
    expect(isoPairs(tokyo, from, 1)).toEqual([['2026-12-06T23:00:00.000Z', '2026-12-07T01:00:00.000Z']]);
    const ints = openIntervals(tokyo, from, 1)!;
    expect(new Date(ms('2026-12-06T23:30:00Z')).getUTCDay()).toBe(0);
    expect(isOpenAt(ints, ms('2026-12-06T23:30:00Z'))).toBe(true);
    // Monday 23:30 UTC is Tuesday in Tokyo: closed although it is Monday in UTC.
    expect(isOpenAt(openIntervals(tokyo, ms('2026-12-07T20:00:00Z')), ms('2026-12-07T23:30:00Z'))).toBe(false);
  });
  it('Pacific/Kiritimati (UTC+14) is a day ahead of UTC for most of the day', () => {
    const got = isoPairs(cal({ days: [1], start: '09:00', end: '17:00' }, 'Pacific/Kiritimati'), ms('2026-12-06T00:00:00Z'), 2);
    expect(got).toEqual([['2026-12-06T19:00:00.000Z', '2026-12-07T03:00:00.000Z']]);
  });
});

describe('the daily start offset', () => {
  const paris = (identityId: string) => cal(WEEKDAYS, 'Europe/Paris', { identityId, startJitterMinutes: 30 });
  const MONDAY = ms('2026-12-07T00:00:00Z');
  const opening = (identityId: string, from = MONDAY) => openIntervals(paris(identityId), from, 1)![0][0];

  it('is stable within a day, whatever the time of the call', () => {
    const a = opening('id-a', MONDAY);
    expect(opening('id-a', MONDAY + 3 * H)).toBe(a);
    expect(opening('id-a', a - 1)).toBe(a);
    expect(opening('id-a', a + H)).toBe(a);
  });

  it('lies within 0–start_jitter_minutes after the scheduled start', () => {
    for (let i = 0; i < 50; i++) {
      const offset = opening(`id-${i}`) - ms('2026-12-07T08:00:00Z');
      expect(offset).toBeGreaterThanOrEqual(0);
      expect(offset).toBeLessThanOrEqual(30 * 60_000);
    }
  });

  it('differs across identities and from one day to the next', () => {
    const offsets = new Set(Array.from({ length: 20 }, (_, i) => opening(`id-${i}`)));
    expect(offsets.size).toBeGreaterThan(15);
    const days = openIntervals(paris('id-a'), MONDAY, 5)!.map(([s], k) => s - (ms('2026-12-07T08:00:00Z') + k * DAY));
    expect(new Set(days).size).toBeGreaterThan(1);
  });

  it('comes from a hash of the identity and the local date', () => {
    expect(startOffsetSeconds('id-a', '2026-12-07', 30, 9 * 3600)).toBe(startOffsetSeconds('id-a', '2026-12-07', 30, 9 * 3600));
    expect(startOffsetSeconds('id-a', '2026-12-07', 0, 9 * 3600)).toBe(0);
  });

  it('never takes more than half of a short day', () => {
    for (let i = 0; i < 30; i++) expect(startOffsetSeconds(`id-${i}`, '2026-12-07', 30, 600)).toBeLessThanOrEqual(300);
  });

  it('follows the schedule’s own start_jitter_minutes over the catalog’s', () => {
    const input = cal({ ...WEEKDAYS, start_jitter_minutes: 0 }, 'UTC', { startJitterMinutes: 30 });
    expect(openIntervals(input, MONDAY, 1)![0][0]).toBe(ms('2026-12-07T09:00:00Z'));
  });
});

describe('nextOpenAt looks past the 8-day horizon', () => {
  it('finds the opening a month ahead', () => {
    const input = cal({ days: [3], start: '09:00', end: '10:00' });
    const t = ms('2027-01-04T00:00:00Z'); // a Monday, 4 weeks after the calendars the guard gets
    expect(iso(nextOpenAt(input, t)!)).toBe('2027-01-06T09:00:00.000Z');
    expect(nextOpenAt(cal(null), t)).toBe(t);
  });
});

describe('schedule validation lists every problem', () => {
  it('accepts a valid schedule and null', () => {
    expect(scheduleProblems(WEEKDAYS)).toEqual({});
    expect(scheduleProblems({ days: [7], start: '00:00', end: '24:00', start_jitter_minutes: 0 })).toEqual({});
    expect(scheduleProblems(null)).toEqual({});
  });
  it.each([
    [{ days: [], start: '09:00', end: '18:00' }, 'schedule.days'],
    [{ days: [0, 8], start: '09:00', end: '18:00' }, 'schedule.days'],
    [{ days: [1, 1], start: '09:00', end: '18:00' }, 'schedule.days'],
    [{ days: [1], start: '9:00', end: '18:00' }, 'schedule.start'],
    [{ days: [1], start: '24:00', end: '24:00' }, 'schedule.start'],
    [{ days: [1], start: '09:00', end: '25:00' }, 'schedule.end'],
    [{ days: [1], start: '18:00', end: '09:00' }, 'schedule.end'],
    [{ days: [1], start: '09:00', end: '09:00' }, 'schedule.end'],
    [{ days: [1], start: '09:00', end: '18:00', start_jitter_minutes: 241 }, 'schedule.start_jitter_minutes'],
    [{ days: [1], start: '09:00', end: '18:00', tz: 'UTC' }, 'schedule.tz'],
    ['weekdays', 'schedule'],
  ])('%j → %s', (value, key) => {
    expect(Object.keys(scheduleProblems(value))).toContain(key);
  });
  it('names several problems at once', () => {
    expect(Object.keys(scheduleProblems({ days: [9], start: 'noon', end: 'late' })).sort()).toEqual([
      'schedule.days',
      'schedule.end',
      'schedule.start',
    ]);
  });
});

describe('openIntervals: properties over zones, schedules and times', () => {
  const zones = [
    'UTC',
    'Europe/Paris',
    'America/New_York',
    'Asia/Tokyo',
    'Australia/Lord_Howe',
    'Asia/Kolkata',
    'Pacific/Chatham',
    'America/Santiago',
  ];
  const hhmm = (m: number) => `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;
  const schedule = fc
    .record({
      days: fc.uniqueArray(fc.integer({ min: 1, max: 7 }), { minLength: 1, maxLength: 7 }),
      a: fc.integer({ min: 0, max: 1439 }),
      b: fc.integer({ min: 1, max: 1440 }),
      jitter: fc.integer({ min: 0, max: 60 }),
    })
    .filter((r) => r.a < r.b)
    .map((r) => ({ days: r.days, start: hhmm(r.a), end: hhmm(r.b), start_jitter_minutes: r.jitter }));

  it('intervals are ordered, disjoint, inside the horizon, on scheduled local days, between start (+offset) and end', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...zones),
        schedule,
        fc.integer({ min: ms('2026-01-01T00:00:00Z'), max: ms('2028-01-01T00:00:00Z') }),
        fc.uuid(),
        (zone, s, from, id) => {
          const ints = openIntervals({ schedule: s, timezone: zone, identityId: id, startJitterMinutes: 30 }, from)!;
          let prevEnd = -Infinity;
          for (const [a, b] of ints) {
            expect(a).toBeLessThan(b);
            expect(a).toBeGreaterThan(prevEnd);
            expect(b).toBeGreaterThan(from);
            expect(a).toBeLessThan(from + 8 * DAY);
            prevEnd = b;
            const local = DateTime.fromMillis(a, { zone });
            expect(s.days).toContain(local.weekday);
            const localEnd = DateTime.fromMillis(b - 1, { zone });
            expect(s.days).toContain(localEnd.weekday);
          }
          // Open exactly inside the intervals: sample times.
          for (const t of [from, from + 1, from + 3 * H + 17, from + 2 * DAY]) {
            const inside = ints.some(([a, b]) => a <= t && t < b);
            expect(isOpenAt(ints, t)).toBe(inside);
            const next = openAtOrAfter(ints, t);
            if (next !== undefined) expect(isOpenAt(ints, next)).toBe(true);
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});
