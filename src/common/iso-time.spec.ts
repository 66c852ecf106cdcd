import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { isoTime } from './iso-time.js';

describe('isoTime', () => {
  it('is Date#toISOString, for any time', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.integer({ min: 0, max: 4_102_444_800_000 }),
          fc.integer({ min: -8.64e15, max: 8.64e15 }),
          fc.constantFrom(0, 1, 999, 1000, 86_399_999, 86_400_000, 253_402_300_799_999, 253_402_300_800_000, -1, 1.5),
        ),
        (ms) => {
          expect(isoTime(ms)).toBe(new Date(ms).toISOString());
        },
      ),
      { numRuns: 5000 },
    );
  });
});
