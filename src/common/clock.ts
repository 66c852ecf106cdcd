/**
 * Wall clock for PostgreSQL-side times (cooldown ends, outbox). Window timestamps do NOT use this:
 * they come from Redis TIME inside the scripts so every instance shares one clock.
 * Tests inject a controllable clock; its `fixedNowMs` is also passed to Redis scripts as `now`.
 */
export abstract class Clock {
  abstract now(): Date;
  /** When set, Redis scripts use this instead of TIME (tests only). */
  abstract scriptNowMs(): number | null;
}

export class SystemClock extends Clock {
  now(): Date {
    return new Date();
  }
  scriptNowMs(): number | null {
    return null;
  }
}

export class ManualClock extends Clock {
  constructor(private ms: number = Date.now()) {
    super();
  }
  now(): Date {
    return new Date(this.ms);
  }
  scriptNowMs(): number | null {
    return this.ms;
  }
  set(ms: number | Date): void {
    this.ms = typeof ms === 'number' ? ms : ms.getTime();
  }
  advance(ms: number): void {
    this.ms += ms;
  }
}
