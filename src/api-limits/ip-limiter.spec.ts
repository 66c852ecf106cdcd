import { describe, expect, it } from '@jest/globals';
import { IpLimiter } from './ip-limiter.js';

describe('IpLimiter', () => {
  it('allows the limit per minute and refuses the next with a wait', () => {
    const l = new IpLimiter(3);
    const t = 60_000 * 1000;
    expect([l.hit('a', t), l.hit('a', t + 1), l.hit('a', t + 2)]).toEqual([0, 0, 0]);
    expect(l.hit('a', t + 3)).toBe(60);
    expect(l.hit('b', t + 3)).toBe(0);
  });

  it('slides: the previous minute still counts in part', () => {
    const l = new IpLimiter(4);
    const t = 60_000 * 1000;
    for (let k = 0; k < 4; k++) expect(l.hit('a', t + k)).toBe(0);
    // 15 s into the next minute, 3/4 of the previous minute's 4 still count (3): one more fits.
    expect(l.hit('a', t + 75_000)).toBe(0);
    expect(l.hit('a', t + 75_001)).toBeGreaterThan(0);
    // Two minutes on, nothing is left.
    expect(l.hit('a', t + 180_000)).toBe(0);
  });

  it('describes itself in headers: what is left of the minute and when it frees', () => {
    const l = new IpLimiter(3);
    const t = 60_000 * 1000 + 15_000;
    l.hit('a', t);
    expect(l.headers('a', t)).toEqual({
      'X-RateLimit-Limit': '3',
      'X-RateLimit-Remaining': '2',
      'X-RateLimit-Reset': String(t / 1000 + 45),
      'X-RateLimit-Type': 'ip',
      'RateLimit-Policy': '"ip";q=3;w=60',
      RateLimit: '"ip";r=2;t=45',
    });
    expect(l.headers('unseen', t)['X-RateLimit-Remaining']).toBe('3');
  });
});
