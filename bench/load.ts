// A load generator in its own process (its own core), so the server under test is not slowed by it.
// argv[2] = JSON { url, headers?, method?, duration, connections, paths?: string[], bodyPrefix?, bodyKey? }
import { readFileSync } from 'node:fs';
import autocannon from 'autocannon';

const o = JSON.parse(process.argv[2]) as {
  url: string;
  method?: string;
  headers?: Record<string, string>;
  duration: number;
  connections: number;
  paths?: string[];
  /** A JSON file holding `paths`, for lists too long for a command line. */
  pathsFile?: string;
  body?: 'guard' | 'rlf';
};
if (o.pathsFile) o.paths = JSON.parse(readFileSync(o.pathsFile, 'utf8')) as string[];
let n = 0;
const requests = [
  {
    method: o.method ?? 'GET',
    headers: o.headers,
    setupRequest: (req: Record<string, unknown>) => {
      const k = n++;
      const path = o.paths ? o.paths[k % o.paths.length] : undefined;
      const body =
        o.body === 'guard'
          ? JSON.stringify({ action_id: `a${process.pid}-${k}` })
          : o.body === 'rlf'
            ? JSON.stringify({ key: `k${k % 100}` })
            : undefined;
      return { ...req, ...(path ? { path } : {}), ...(body ? { body } : {}) };
    },
  },
];
autocannon({ url: o.url, connections: o.connections, duration: o.duration, requests }, (err: Error | null, r: any) => {
  if (err) {
    process.stderr.write(String(err));
    process.exit(1);
  }
  process.stdout.write(
    JSON.stringify({ rps: r.requests.average, p50: r.latency.p50, p99: r.latency.p99, non2xx: r.non2xx, errors: r.errors, total: r.requests.total }),
  );
});
