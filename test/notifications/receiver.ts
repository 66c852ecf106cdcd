import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { type AddressInfo } from 'node:net';

export interface Received {
  headers: IncomingHttpHeaders;
  raw: string;
  body: { id: string; type: string; created_at: string; workspace_id: string; data: Record<string, any> };
}

/**
 * A real HTTP receiver on 127.0.0.1 (port 0, then kept). `down()` closes the socket so senders get
 * connection refused; `up()` listens again on the same port. `answer` decides each status code.
 */
export interface Receiver {
  url: string;
  received: Received[];
  answer: (r: Received) => number;
  /** Milliseconds before each answer (a slow receiver). */
  delayMs: number;
  down(): Promise<void>;
  up(): Promise<void>;
  close(): Promise<void>;
  waitFor(pred: (all: Received[]) => boolean, timeoutMs?: number): Promise<void>;
}

export async function startReceiver(): Promise<Receiver> {
  let server: Server | null = null;
  let port = 0;
  const r: Receiver = {
    url: '',
    received: [],
    answer: () => 204,
    delayMs: 0,
    async up() {
      const s = createServer((req, res) => {
        let raw = '';
        req.setEncoding('utf8');
        req.on('data', (c) => (raw += c));
        req.on('end', () => {
          const rec: Received = { headers: req.headers, raw, body: JSON.parse(raw) };
          const status = r.answer(rec);
          setTimeout(() => {
            if (status >= 200 && status < 300) r.received.push(rec);
            res.writeHead(status).end();
          }, r.delayMs);
        });
      });
      await new Promise<void>((res) => s.listen(port, '127.0.0.1', () => res()));
      port = (s.address() as AddressInfo).port;
      r.url = `http://127.0.0.1:${port}/hook`;
      server = s;
    },
    async down() {
      const s = server;
      server = null;
      if (!s) return;
      s.closeAllConnections();
      await new Promise((res) => s.close(res));
    },
    close: () => r.down(),
    async waitFor(pred, timeoutMs = 30_000) {
      const until = Date.now() + timeoutMs;
      while (!pred(r.received)) {
        if (Date.now() > until) throw new Error(`receiver: condition not met in ${timeoutMs} ms (got ${r.received.length} events)`);
        await new Promise((res) => setTimeout(res, 50));
      }
    },
  };
  await r.up();
  return r;
}
