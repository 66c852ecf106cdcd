// `npm run demo`: the whole flow on the embedded defaults, in under a minute.
// Starts the service, creates a workspace and identities of several account types, runs simulated
// workers against a simulated LinkedIn that sometimes answers 429 or 999, receives the signed
// webhooks on a local receiver, and shows a live table, then a summary and the dashboard URL.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import { type AddressInfo } from 'node:net';
import {
  CooldownError,
  InFlightError,
  LimitReachedError,
  OutsideWorkingHoursError,
  RateLimitedError,
  SmartLimitsClient,
  TooSoonError,
  verifySignature,
} from 'smart-limits-client';
import { SimulatedLinkedIn } from './simulated-linkedin.js';
import { render, type Row } from './terminal-view.js';

const short = process.argv.includes('--short') || process.env.DEMO_SHORT === '1';
const TOTAL_MS = short ? 8_000 : 40_000;
const tty = process.stdout.isTTY;
const out = (s: string) => process.stdout.write(s + '\n');

async function freePort(): Promise<number> {
  return new Promise((res) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const p = (s.address() as AddressInfo).port;
      s.close(() => res(p));
    });
  });
}

/** A plain API call that respects the workspace's own API limits (waits out Retry-After). */
async function json(base: string, key: string, method: string, path: string, body?: unknown): Promise<any> {
  for (let attempt = 0; ; attempt++) {
    const r = await fetch(base + path, {
      method,
      headers: { authorization: `Bearer ${key}`, ...(body ? { 'content-type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });
    const text = await r.text();
    if (r.status === 429 && attempt < 5) {
      await new Promise((res) => setTimeout(res, Number(r.headers.get('retry-after') ?? 1) * 1000));
      continue;
    }
    if (!r.ok) throw new Error(`${method} ${path}: ${r.status} ${text}`);
    return text ? JSON.parse(text) : undefined;
  }
}

async function main(): Promise<void> {
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const admin = `sl_admin_demo_${randomBytes(18).toString('base64url')}`;
  out(`smart-limits demo: starting the service on ${base} (embedded defaults)…`);
  const child = spawn(process.execPath, ['dist/src/main.js'], {
    env: {
      ...process.env,
      PORT: String(port),
      HOST: '127.0.0.1',
      ADMIN_API_KEY: admin,
      WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'true',
      REDIS_KEY_PREFIX: 'demo',
      LOG_LEVEL: 'warn',
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let serviceLog = '';
  child.stderr.on('data', (d) => (serviceLog += d.toString()));
  const stop = async () => {
    if (child.exitCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))]);
  };
  try {
    const until = Date.now() + 60_000;
    for (;;) {
      if (child.exitCode !== null) throw new Error(`the service exited:\n${serviceLog}`);
      const ok = await fetch(`${base}/health/ready`).then(
        (r) => r.ok,
        () => false,
      );
      if (ok) break;
      if (Date.now() > until) throw new Error(`the service did not become ready:\n${serviceLog}`);
      await new Promise((r) => setTimeout(r, 200));
    }

    // A local webhook receiver that checks every signature.
    const webhooks: Record<string, number> = {};
    let badSignatures = 0;
    let secret = '';
    const receiver = createServer((req, res) => {
      let body = '';
      req.on('data', (d) => (body += d));
      req.on('end', () => {
        if (!verifySignature(secret, req.headers['smartlimits-signature'] as string, body)) badSignatures++;
        else {
          const type = (JSON.parse(body) as { type: string }).type;
          webhooks[type] = (webhooks[type] ?? 0) + 1;
        }
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', () => r()));
    const receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hooks`;

    const ws = await json(base, admin, 'POST', '/v1/workspaces', { name: `Demo ${new Date().toISOString()}`, monthly_credits: 600_000 });
    const key: string = ws.api_key;
    const hook = await json(base, key, 'POST', '/v1/webhooks', {
      url: receiverUrl,
      events: ['cooldown.started', 'cooldown.ended', 'limit.warning', 'limit.reached', 'identity.at_risk', 'quota.warning'],
    });
    secret = hook.secret;

    // Small thresholds so the story fits in a minute: limits fill, LinkedIn pushes back, cooldowns start.
    // Pacing too, at demo speed: gaps of seconds instead of a minute (pacing_overrides), alice runs two
    // workers (one outreach action in flight at a time), dan's working hours are closed right now.
    const closedNow = { days: [((new Date().getUTCDay() + 2) % 7) + 1], start: '09:00', end: '10:00' };
    const people: { label: string; account_type: string; warmup?: string; workers?: number; schedule?: typeof closedNow }[] = [
      { label: 'alice (free, 2 workers)', account_type: 'free', workers: 2 },
      { label: 'bob (premium)', account_type: 'premium' },
      { label: 'carol (sales nav)', account_type: 'sales_navigator' },
      { label: 'dan (recruiter, closed)', account_type: 'recruiter', schedule: closedNow },
      { label: 'erin (free, cold)', account_type: 'free', warmup: 'cold' },
    ];
    const identities: { id: string }[] = [];
    for (const p of people) {
      identities.push(
        await json(base, key, 'POST', '/v1/identities', {
          external_id: `${p.label.split(' ')[0]}-${Date.now().toString(36)}`,
          label: p.label,
          account_type: p.account_type,
          warmup: p.warmup ?? 'none',
          limit_overrides: p.warmup ? undefined : { LK_PROFILE_VISITS: 12, LK_INVITATIONS_SENT: 4, LK_MESSAGES_SENT: 6, LK_REACTIONS: 5 },
          pacing_overrides: { LK_PROFILE_VISITS: 1, LK_INVITATIONS_SENT: 2, LK_MESSAGES_SENT: 2, LK_REACTIONS: 1 },
          timezone: 'UTC',
          ...(p.schedule ? { schedule: p.schedule } : {}),
        }),
      );
    }
    const rows: Row[] = people.map((p) => ({
      label: p.label,
      accountType: p.account_type,
      done: 0,
      refused: 0,
      paced: 0,
      cooldowns: 0,
      state: 'working',
    }));
    const linkedin = new SimulatedLinkedIn({ p429: 0.04, p999: 0.01 });
    const client = new SmartLimitsClient({ baseUrl: base, apiKey: key, maxAttempts: 2, maxRetryWaitMs: 1_000 });
    const actions = ['linkedin-visit-profile', 'linkedin-connect-profile', 'linkedin-message-profile', 'linkedin-like-post'];
    const started = Date.now();
    const end = started + TOTAL_MS;

    const worker = async (i: number) => {
      let n = 0;
      while (Date.now() < end) {
        const step = n++;
        const action = actions[step % actions.length];
        try {
          // One id per action, kept by a worker that retries it, so a retry is never counted twice.
          await client.run(identities[i].id, action, { actionId: `demo-${started.toString(36)}-${i}-${step}` }, async () => {
            const a = await linkedin.act();
            return { statusCode: a.status, headers: a.headers, body: a.body };
          });
          rows[i].done++;
          rows[i].state = 'working';
        } catch (e) {
          const at = (d: Date | null) => d?.toISOString().slice(11, 19) ?? '—';
          if (e instanceof LimitReachedError) {
            rows[i].refused++;
            rows[i].state = `${e.limit}${e.rule === 'burst' ? ' burst' : ''} full until ${at(e.availableAt)}`;
          } else if (e instanceof TooSoonError) {
            rows[i].paced++;
            rows[i].state = `too soon after the last ${e.limit}: next at ${at(e.availableAt)}`;
          } else if (e instanceof InFlightError) {
            rows[i].paced++;
            rows[i].state = `another outreach action in flight until ${at(e.availableAt)}`;
          } else if (e instanceof OutsideWorkingHoursError) {
            rows[i].paced++;
            rows[i].state = `outside working hours: opens ${e.opensAt?.toISOString().slice(0, 16).replace('T', ' ') ?? '—'}`;
            await new Promise((r) => setTimeout(r, 1_000));
          } else if (e instanceof RateLimitedError) {
            // The workspace's own API limit (internal 429): back off as told, the identity is fine.
            rows[i].state = `workspace API limit: backing off ${e.retryAfterSeconds ?? 1}s`;
            await new Promise((r) => setTimeout(r, (e.retryAfterSeconds ?? 1) * 1000));
          } else if (e instanceof CooldownError) {
            rows[i].state =
              `${e.scope === 'identity' ? 'cooling down' : `${e.limits.join(', ')} cooling`} (${e.reason}) ${e.endsAt ? `until ${e.endsAt.toISOString().slice(11, 19)}` : 'until cleared'}`;
          } else {
            rows[i].state = `error: ${(e as Error).message.slice(0, 40)}`;
          }
        }
        await new Promise((r) => setTimeout(r, 120 + Math.random() * 120));
      }
    };

    // Cooldowns started are read from each identity's history as the run goes.
    const refreshCooldowns = async () => {
      for (let i = 0; i < identities.length; i++) {
        const h = await json(base, key, 'GET', `/v1/identities/${identities[i].id}/cooldowns`).catch(() => null);
        const list = Array.isArray(h) ? h : (h?.data ?? h?.cooldowns ?? []);
        rows[i].cooldowns = list.length;
      }
    };
    let lastFrameLines = 0;
    const draw = () => {
      const frame = render(rows, Date.now() - started, TOTAL_MS, webhooks);
      if (tty) {
        if (lastFrameLines) process.stdout.write(`\x1b[${lastFrameLines}A\x1b[0J`);
        process.stdout.write(frame + '\n');
        lastFrameLines = frame.split('\n').length;
      }
    };
    const timer = setInterval(
      () => {
        draw();
        void refreshCooldowns();
      },
      tty ? 250 : 2_000,
    );
    await Promise.all(people.flatMap((p, i) => Array.from({ length: p.workers ?? 1 }, () => worker(i))));
    clearInterval(timer);
    await refreshCooldowns();
    // Let the dispatcher deliver what the last seconds produced.
    await new Promise((r) => setTimeout(r, 2_500));
    if (!tty) out(render(rows, TOTAL_MS, TOTAL_MS, webhooks));
    else draw();
    receiver.close();

    const total = rows.reduce(
      (a, r) => ({ done: a.done + r.done, refused: a.refused + r.refused, paced: a.paced + r.paced, cooldowns: a.cooldowns + r.cooldowns }),
      { done: 0, refused: 0, paced: 0, cooldowns: 0 },
    );
    out('');
    out('Summary');
    out(`  ${total.done} LinkedIn actions done, ${total.refused} refused before LinkedIn could restrict an account,`);
    out(`  ${total.paced} held back by pacing (too soon after the last one, another in flight, outside working hours),`);
    out(
      `  ${total.cooldowns} cooldowns started after LinkedIn pushed back (429 / 999), ${Object.values(webhooks).reduce((a, b) => a + b, 0)} signed webhooks received${badSignatures ? `, ${badSignatures} with a bad signature` : ''}.`,
    );
    out('');
    await planCampaign(base, key, client);
    out('');
    if (tty && !short) {
      // The demo's own service holds the state just shown: keep it up for a look at the dashboard.
      out(`Dashboard: open ${base}/dashboard and paste the demo workspace's key:`);
      out(`  ${key}`);
      out('Press Ctrl-C to stop the service.');
      await new Promise((r) => process.once('SIGINT', r));
    } else {
      out(`Dashboard: while the demo ran, ${base}/dashboard showed this workspace (key ${key}); run it in a terminal to keep it open.`);
    }
  } finally {
    await stop();
  }
}

/**
 * Schedule mode: a small campaign of 25 invitations planned across three identities in three time
 * zones, each with working hours. Nothing is refused: every invitation gets the earliest time that
 * passes every rule of its identity (gaps with jitter, bursts, the daily window, working hours).
 */
async function planCampaign(base: string, key: string, client: SmartLimitsClient): Promise<void> {
  const weekdays = { days: [1, 2, 3, 4, 5], start: '09:00', end: '18:00' };
  const senders = [
    { label: 'paula (Paris)', timezone: 'Europe/Paris' },
    { label: 'nick (New York)', timezone: 'America/New_York' },
    { label: 'tomo (Tokyo)', timezone: 'Asia/Tokyo' },
  ];
  const ids: string[] = [];
  for (const p of senders) {
    const i = await json(base, key, 'POST', '/v1/identities', {
      external_id: `${p.label.split(' ')[0]}-${Date.now().toString(36)}`,
      label: p.label,
      account_type: 'sales_navigator',
      warmup: 'none',
      timezone: p.timezone,
      schedule: weekdays,
    });
    ids.push(i.id);
  }
  const plan: { sender: number; actionId: string; at: Date }[] = [];
  for (let k = 0; k < 25; k++) {
    const sender = k % senders.length;
    const planned = await client.schedule(ids[sender], 'linkedin-connect-profile', { actionId: `campaign-lead-${k + 1}` });
    plan.push({ sender, actionId: planned.actionId, at: planned.scheduledAt });
  }
  out('Campaign plan (schedule mode): 25 invitations across three identities, Monday–Friday 09:00–18:00 local');
  const local = (d: Date, tz: string) =>
    d.toLocaleString('en-GB', { timeZone: tz, weekday: 'short', hour: '2-digit', minute: '2-digit', second: '2-digit' });
  for (const p of plan.sort((a, b) => a.at.getTime() - b.at.getTime())) {
    const s = senders[p.sender];
    out(`  ${p.at.toISOString().slice(0, 19).replace('T', ' ')} UTC  ${s.label.padEnd(16)} ${local(p.at, s.timezone).padEnd(16)} ${p.actionId}`);
  }
}

main().then(
  () => process.exit(0),
  (e) => {
    process.stderr.write(`demo failed: ${(e as Error).message}\n`);
    process.exit(1);
  },
);
