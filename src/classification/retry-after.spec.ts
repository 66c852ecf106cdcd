import { describe, it, expect } from '@jest/globals';
import { parseRetryAfter } from './retry-after.js';

const now = new Date('2025-08-05T12:00:00Z');

describe('parseRetryAfter', () => {
  it.each([
    ['60', 60],
    ['0', 0],
    [' 3600 ', 3600],
    ['1.2', 2], // rounded up: waiting exactly that long must be enough
  ])('reads delay-seconds %j as %d', (value, expected) => {
    expect(parseRetryAfter(value, now)).toBe(expected);
  });

  it.each([
    ['IMF-fixdate', 'Tue, 05 Aug 2025 12:10:00 GMT', 600],
    ['RFC 850 date', 'Tuesday, 05-Aug-25 13:00:00 GMT', 3600],
    ['asctime date (GMT, not local time)', 'Tue Aug  5 12:00:30 2025', 30],
    ['date with sub-second remainder', 'Tue, 05 Aug 2025 12:00:01 GMT', 1],
  ])('reads an %s relative to now', (_name, value, expected) => {
    expect(parseRetryAfter(value, now)).toBe(expected);
  });

  it('gives 0 for a date already past', () => {
    expect(parseRetryAfter('Mon, 04 Aug 2025 12:00:00 GMT', now)).toBe(0);
  });

  it.each([
    ['missing', null],
    ['undefined', undefined],
    ['empty', ''],
    ['blank', '   '],
    ['word', 'soon'],
    ['negative', '-5'],
    ['number with junk', '12abc'],
    ['bare year (Date.parse would take it)', '2025-08-06'],
    ['impossible date', 'Tue, 32 Aug 2025 12:10:00 GMT'],
    ['day name then junk', 'Mon, garbage'],
    ['huge beyond safe integers', '9'.repeat(30)],
  ])('gives null for a %s value', (_name, value) => {
    expect(parseRetryAfter(value, now)).toBeNull();
  });

  it('measures dates from the injected now, not the wall clock', () => {
    const later = new Date('2025-08-05T12:05:00Z');
    expect(parseRetryAfter('Tue, 05 Aug 2025 12:10:00 GMT', later)).toBe(300);
  });
});
