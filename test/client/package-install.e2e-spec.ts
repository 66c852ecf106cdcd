import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import ts from 'typescript';
import { createWorkspace, startTestApp, type TestApp } from '../support/test-app.js';

const run = promisify(execFile);
const ROOT = process.cwd();
const TSC = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
const npmEnv = { ...process.env, npm_config_audit: 'false', npm_config_fund: 'false', npm_config_update_notifier: 'false' };

/** The README's worker: the TypeScript block after the `worker-example` marker, taken as it is. */
function readmeWorker(): string {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const m = /<!-- worker-example[^>]*-->\s*```ts\n([\s\S]*?)```/.exec(readme);
  if (!m) throw new Error('README.md has no worker-example block');
  return m[1];
}

/** Every type assertion (`x as T`, `<T>x`) and non-null assertion (`x!`) in a TypeScript source. */
function castsIn(name: string, text: string): string[] {
  const found: string[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isAsExpression(node) && !(ts.isTypeReferenceNode(node.type) && node.type.getText() === 'const')) found.push(node.getText());
    if (ts.isTypeAssertionExpression(node) || ts.isNonNullExpression(node)) found.push(node.getText());
    ts.forEachChild(node, visit);
  };
  visit(ts.createSourceFile(name, text, ts.ScriptTarget.Latest, true));
  return found;
}

/** Stands in for the integrator's own code the README imports: a LinkedIn automation and a job queue. */
const MY_AUTOMATION = `
export interface Job { id: string; identityId: string; profileUrl: string }
export const events: string[] = [];
export const linkedin = {
  async connect(identityId: string, profileUrl: string): Promise<{ status: number; body: string }> {
    events.push(\`connect \${profileUrl.split('/').pop() ?? ''}\`);
    return profileUrl.endsWith('/throttled') ? { status: 429, body: 'Too Many Requests' } : { status: 200, body: '{"ok":true}' };
  },
};
export const queue = {
  park(job: Job, until: Date | null): void {
    events.push(\`park \${job.id} until \${until === null ? 'null' : 'a date'}\`);
  },
  pauseIdentity(identityId: string, until: Date | null): void {
    events.push(\`pause \${identityId} until \${until === null ? 'null' : 'a date'}\`);
  },
  log(job: Job, message: string): void {
    events.push(\`log \${job.id}: \${message}\`);
  },
};
`;

/** Runs the README's worker through the situations it handles, against the service the test started. */
const MAIN = `
import { SmartLimitsClient } from 'smart-limits-client';
import { events, type Job } from './my-automation.js';
import { sendInvitation } from './worker.js';

const sl = new SmartLimitsClient({ baseUrl: process.env.SL_URL ?? '', apiKey: process.env.SL_KEY ?? '' });
const alice = await sl.identities.create({ external_id: 'alice', warmup: 'none', pacing: 'off' });
const bob = await sl.identities.create({ external_id: 'bob', warmup: 'none', pacing: 'off' });
const carol = await sl.identities.create({ external_id: 'carol', warmup: 'none', pacing: 'off', limit_overrides: { LK_INVITATIONS_SENT: 1 } });
const job = (id: string, identityId: string, profile: string): Job => ({ id, identityId, profileUrl: \`https://www.linkedin.com/in/\${profile}\` });

await sendInvitation(job('job-1', alice.id, 'dana'));
await sendInvitation(job('job-1', alice.id, 'dana')); // the same job run again after a crash
await sendInvitation(job('job-2', alice.id, 'throttled')); // LinkedIn answers 429
await sendInvitation(job('job-3', alice.id, 'erin')); // invitations are cooling
const visit = await sl.guard(alice.id, 'linkedin-visit-profile', { actionId: 'visit-1' });
await sl.cooldowns.start(bob.id, { duration_seconds: 600, reason: 'owner is travelling' });
await sendInvitation(job('job-4', bob.id, 'frank')); // the whole identity is cooling
await sendInvitation(job('job-5', carol.id, 'gus'));
await sendInvitation(job('job-6', carol.id, 'hana')); // carol's one invitation is used
const dave = await sl.identities.pause((await sl.identities.create({ external_id: 'dave', warmup: 'none', pacing: 'off' })).id);
await sendInvitation(job('job-7', dave.id, 'ivy')); // an operator paused dave

const invitations = (await sl.limits(alice.id)).limits.find((l) => l.slug === 'LK_INVITATIONS_SENT');
console.log(JSON.stringify({ events, visitAllowed: visit.allowed, aliceInvitations: invitations?.consumed ?? null, ids: { alice: alice.id, bob: bob.id, dave: dave.id } }));
`;

/**
 * What an integrator does on day one: pack the client, install the tarball into an empty project,
 * compile the README's worker against it with `tsc --strict` (no casts), and run it against the
 * service.
 */
describe('the client package, packed and installed into an empty project', () => {
  let t: TestApp;
  let dir: string;
  beforeAll(async () => {
    t = await startTestApp();
    dir = mkdtempSync(join(tmpdir(), 'sl-client-install-'));
  });
  afterAll(async () => {
    await t?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('installs with zero dependencies, compiles the README worker with --strict, and the worker does what the README says', async () => {
    // npm pack builds the package first (prepack) and writes the tarball.
    const packed = await run('npm', ['pack', '--pack-destination', dir, '--json'], { cwd: join(ROOT, 'packages', 'client'), env: npmEnv });
    const [info] = JSON.parse(packed.stdout) as { filename: string; files: { path: string }[] }[];
    const shipped = info.files.map((f) => f.path);
    expect(shipped).toEqual(expect.arrayContaining(['package.json', 'README.md', 'dist/index.js', 'dist/index.d.ts', 'dist/generated/openapi.d.ts']));
    expect(shipped.filter((p) => !p.startsWith('dist/') && p !== 'package.json' && p !== 'README.md')).toEqual([]);

    const project = join(dir, 'project');
    const files: Record<string, string> = {
      'package.json': JSON.stringify({ name: 'day-one-worker', private: true, type: 'module' }),
      'tsconfig.json': JSON.stringify({
        compilerOptions: {
          strict: true,
          target: 'ES2022',
          module: 'NodeNext',
          moduleResolution: 'NodeNext',
          outDir: 'out',
          noEmitOnError: true,
          types: ['node'],
          typeRoots: [join(ROOT, 'node_modules', '@types')],
        },
        include: ['*.ts'],
      }),
      'worker.ts': readmeWorker(),
      'my-automation.ts': MY_AUTOMATION,
      'main.ts': MAIN,
    };
    mkdirSync(project);
    for (const [name, text] of Object.entries(files)) writeFileSync(join(project, name), text);
    // No casts anywhere in the integrator's code: the types alone must carry it.
    for (const name of ['worker.ts', 'my-automation.ts', 'main.ts']) expect(castsIn(name, files[name])).toEqual([]);

    // Offline: a package without dependencies needs nothing from a registry.
    await run('npm', ['install', '--offline', '--no-save', join(dir, info.filename)], { cwd: project, env: npmEnv });
    expect(readdirSync(join(project, 'node_modules')).filter((n) => !n.startsWith('.'))).toEqual(['smart-limits-client']);
    const installed = JSON.parse(readFileSync(join(project, 'node_modules', 'smart-limits-client', 'package.json'), 'utf8')) as Record<
      string,
      unknown
    >;
    expect(installed.dependencies ?? {}).toEqual({});
    expect(existsSync(join(project, 'node_modules', 'smart-limits-client', 'node_modules'))).toBe(false);

    // The repository's TypeScript, strict, and without skipLibCheck: the shipped .d.ts are checked too.
    await run(process.execPath, [TSC, '-p', 'tsconfig.json', '--strict'], { cwd: project }).catch((e: Error & { stdout?: string }) => {
      throw new Error(`tsc --strict failed on the README worker:\n${e.stdout ?? e.message}`, { cause: e });
    });

    const ws = await createWorkspace(t);
    const out = await run(process.execPath, ['out/main.js'], { cwd: project, env: { ...process.env, SL_URL: t.baseUrl, SL_KEY: ws.api_key } });
    const r = JSON.parse(out.stdout) as {
      events: string[];
      visitAllowed: boolean;
      aliceInvitations: number;
      ids: { alice: string; bob: string; dave: string };
    };
    expect(r.events).toEqual([
      'connect dana',
      'connect dana', // the retry runs the action (the first run may not have reached LinkedIn) …
      'connect throttled',
      'log job-2: LinkedIn pushed back: passive, cooling limits',
      'park job-3 until a date', // only the invitation limits cool: the job is parked, alice is not paused
      `pause ${r.ids.bob} until a date`, // bob cools as a whole: his work stops
      'park job-4 until a date',
      'connect gus',
      'park job-6 until a date', // carol's invitation limit is full
      `pause ${r.ids.dave} until null`, // an operator paused dave: his work stops until resumed
      'park job-7 until null',
    ]);
    expect(r.visitAllowed).toBe(true); // … alice's other work goes on
    expect(r.aliceInvitations).toBe(2); // … and job-1 counted once: job-1 and job-2
  }, 180_000);
});
