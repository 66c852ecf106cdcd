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

  /**
   * The headers describing this limit for an answer that no workspace limit described (before
   * authentication: 401, 413, …): the X-RateLimit trio and the IETF fields of policy "ip".
   */
  headers(ip: string, nowMs: number): Record<string, string> {
    const c = this.counts.get(ip);
    const minute = Math.floor(nowMs / 60_000);
    const into = (nowMs % 60_000) / 60_000;
    const prev = !c ? 0 : c.minute === minute ? c.prev : c.minute === minute - 1 ? c.cur : 0;
    const cur = c && c.minute === minute ? c.cur : 0;
    const remaining = Math.max(0, Math.floor(this.perMinute - (prev * (1 - into) + cur)));
    const resetS = Math.max(1, Math.ceil((1 - into) * 60));
    return {
      'X-RateLimit-Limit': String(this.perMinute),
      'X-RateLimit-Remaining': String(remaining),
      'X-RateLimit-Reset': String(Math.ceil(nowMs / 1000) + resetS),
      'X-RateLimit-Type': 'ip',
      'RateLimit-Policy': `"ip";q=${this.perMinute};w=60`,
      RateLimit: `"ip";r=${remaining};t=${resetS}`,
    };
  }

  private sweep(minute: number): void {
    this.lastSweep = minute;
    for (const [ip, c] of this.counts) if (c.minute < minute - 1) this.counts.delete(ip);
  }
}
