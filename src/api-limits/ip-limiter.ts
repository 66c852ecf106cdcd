/**
 * Per-client-IP brake before authentication (SPEC §6: 10,000 requests a minute). It is kept in
 * each instance's memory on purpose: the guard's promise is one Redis round trip per decision, and
 * this limit only stops runaway clients, far above any tier's own limits. With N instances behind a
 * balancer an IP may get up to N × the limit; the workspace limits (in Redis) stay exact.
 * Sliding-window estimate: this minute's count plus the previous minute's, weighted by how much of
 * it is still inside the trailing 60 s.
 */
export class IpLimiter {
  private readonly counts = new Map<string, { minute: number; cur: number; prev: number }>();
  private lastSweep = 0;

  constructor(private readonly perMinute: number) {}

  /** Returns 0 when allowed, else the seconds to wait. */
  hit(ip: string, nowMs: number): number {
    const minute = Math.floor(nowMs / 60_000);
    if (minute !== this.lastSweep) this.sweep(minute);
    let c = this.counts.get(ip);
    if (!c) {
      c = { minute, cur: 0, prev: 0 };
      this.counts.set(ip, c);
    } else if (c.minute !== minute) {
      c.prev = c.minute === minute - 1 ? c.cur : 0;
      c.cur = 0;
      c.minute = minute;
    }
    const into = (nowMs % 60_000) / 60_000;
    const estimate = c.prev * (1 - into) + c.cur;
    if (estimate + 1 > this.perMinute) return Math.max(1, Math.ceil((1 - into) * 60));
    c.cur++;
    return 0;
  }

  private sweep(minute: number): void {
    this.lastSweep = minute;
    for (const [ip, c] of this.counts) if (c.minute < minute - 1) this.counts.delete(ip);
  }
}
