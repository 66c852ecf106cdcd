/**
 * A stand-in for LinkedIn: answers most actions with 200, sometimes pushes back with a 429 or an
 * HTTP 999, and takes a little time, like the real thing.
 */
export interface LinkedInAnswer {
  status: number;
  headers?: Record<string, string>;
  body?: string;
}

export class SimulatedLinkedIn {
  constructor(
    private readonly pushback: { p429: number; p999: number },
    private readonly random: () => number = Math.random,
  ) {}

  async act(): Promise<LinkedInAnswer> {
    await new Promise((r) => setTimeout(r, 10 + this.random() * 40));
    const x = this.random();
    if (x < this.pushback.p999) return { status: 999, body: '<html>Request denied</html>' };
    if (x < this.pushback.p999 + this.pushback.p429) {
      return { status: 429, headers: { 'retry-after': '120' }, body: '{"status":429,"message":"Too many requests"}' };
    }
    return { status: 200, body: '{"ok":true}' };
  }
}
