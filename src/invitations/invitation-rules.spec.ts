import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import {
  acceptanceTransition,
  type AcceptanceState,
  INVITATION_RULES,
  judgeAcceptance,
  pendingTransition,
  sampleWindow,
} from './invitation-rules.js';

const DAY = 86_400_000;
const states: AcceptanceState[] = ['ok', 'low', 'refuse'];
const severity = (s: AcceptanceState) => states.indexOf(s);

describe('invitation rules', () => {
  it('judges the rate only from 20 invitations on, with the 30 % and 15 % lines', () => {
    expect(judgeAcceptance({ sample: 19, accepted: 0 })).toEqual({ sample: 19, accepted: 0, rate: null, state: 'ok', factor: 1 });
    expect(judgeAcceptance({ sample: 20, accepted: 0 })).toMatchObject({ rate: 0, state: 'refuse', factor: 0.5 });
    expect(judgeAcceptance({ sample: 20, accepted: 3 })).toMatchObject({ rate: 0.15, state: 'low', factor: 0.5 });
    expect(judgeAcceptance({ sample: 20, accepted: 6 })).toMatchObject({ rate: 0.3, state: 'ok', factor: 1 });
    expect(judgeAcceptance({ sample: 100, accepted: 29 })).toMatchObject({ state: 'low' });
    expect(judgeAcceptance({ sample: 100, accepted: 14 })).toMatchObject({ state: 'refuse' });
  });

  it('samples invitations sent 37 to 7 days ago, both ends included', () => {
    const now = new Date('2026-11-02T08:00:00Z');
    expect(sampleWindow(now)).toEqual({ from: new Date(now.getTime() - 37 * DAY), to: new Date(now.getTime() - 7 * DAY) });
  });

  it('the verdict is monotonic in the share accepted and halves only while judged low', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 500 }), fc.integer({ min: 0, max: 500 }), fc.integer({ min: 0, max: 500 }), (n, a1, a2) => {
        const lo = Math.min(a1, a2, n);
        const hi = Math.min(Math.max(a1, a2), n);
        const v1 = judgeAcceptance({ sample: n, accepted: lo });
        const v2 = judgeAcceptance({ sample: n, accepted: hi });
        expect(severity(v2.state)).toBeLessThanOrEqual(severity(v1.state));
        expect(v1.factor).toBe(v1.state === 'ok' ? 1 : INVITATION_RULES.lowFactor);
        if (n < INVITATION_RULES.sampleMin) expect(v1.state).toBe('ok');
      }),
    );
  });

  it('emits once per downward crossing, and a clear holds only while the rate stays below 15 %', () => {
    fc.assert(
      fc.property(fc.array(fc.record({ next: fc.constantFrom(...states), clear: fc.boolean() }), { maxLength: 40 }), (steps) => {
        let prev: { state: AcceptanceState; refusalClearedAt: Date | null } = { state: 'ok', refusalClearedAt: null };
        let emitted = 0;
        let crossings = 0;
        for (const s of steps) {
          const t = acceptanceTransition(prev, s.next);
          if (t.emit) emitted++;
          if (severity(s.next) > severity(prev.state)) crossings++;
          // Refusing exactly when below 15 % and not cleared since it fell there.
          expect(t.refusing).toBe(s.next === 'refuse' && !(prev.state === 'refuse' && prev.refusalClearedAt));
          prev = { state: t.state, refusalClearedAt: t.refusalClearedAt };
          if (s.clear && prev.state === 'refuse') prev = { ...prev, refusalClearedAt: new Date(0) };
        }
        expect(emitted).toBe(crossings);
      }),
    );
  });

  it('pending_high fires when pending reaches 500 from below, not again until it falls under', () => {
    expect(pendingTransition(false, 499)).toEqual({ high: false, emit: false });
    expect(pendingTransition(false, 500)).toEqual({ high: true, emit: true });
    expect(pendingTransition(true, 650)).toEqual({ high: true, emit: false });
    expect(pendingTransition(true, 499)).toEqual({ high: false, emit: false });
  });
});
