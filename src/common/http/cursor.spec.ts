import { describe, expect, it } from '@jest/globals';
import { ApiError } from '../errors/api-error.js';
import { decodeCursor, encodeCursor } from './cursor.js';

const digits = (p: string) => (/^\d+$/.test(p) ? Number(p) : null);

describe('cursor', () => {
  it('round-trips a payload of its kind', () => {
    expect(decodeCursor(encodeCursor('d', '42'), 'd', digits)).toBe(42);
    expect(decodeCursor(encodeCursor('c', '2026-01-01T00:00:00.000Z|x'), 'c', (p) => p)).toBe('2026-01-01T00:00:00.000Z|x');
  });

  it.each([
    ['another list’s cursor', encodeCursor('i', '42')],
    ['a payload its list would not issue', encodeCursor('d', 'abc')],
    ['not base64url of a cursor', '!!!'],
    ['empty', ''],
  ])('refuses %s with a 400 naming the cursor', (_, cursor) => {
    let thrown: unknown;
    try {
      decodeCursor(cursor, 'd', digits);
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toBeInstanceOf(ApiError);
    expect((thrown as ApiError).status).toBe(400);
    expect((thrown as ApiError).details).toEqual({ cursor: ['not a cursor returned by this API'] });
  });
});
