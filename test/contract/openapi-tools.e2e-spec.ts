import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runAction } from '../generated-client/worker-flow.js';
import { setUpWorkspace } from '../generated-client/admin-flow.js';
import { ADMIN_KEY, createIdentity, startTestApp, type TestApp } from '../support/test-app.js';

/**
 * What a client developer does with the document: lint it (Redocly, recommended rules, redocly.yaml),
 * generate types (openapi-typescript) and call the service through them (openapi-fetch).
 */
const root = new URL('../../', import.meta.url).pathname;
const clientDir = join(root, 'test/generated-client');

function run(args: string[], env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, args, { cwd: root, encoding: 'utf8', env: { ...process.env, ...env }, timeout: 120_000 });
  return { status: r.status, stdout: r.stdout ?? '', out: `${r.stdout ?? ''}${r.stderr ?? ''}` };
}

describe('the OpenAPI document with client tools', () => {
  let t: TestApp;
  let docFile: string;
  beforeAll(async () => {
    t = await startTestApp();
    const doc = (await t.request('GET', '/openapi.json')).body;
    docFile = join(mkdtempSync(join(tmpdir(), 'sl-openapi-')), 'openapi.json');
    writeFileSync(docFile, JSON.stringify(doc, null, 2));
  });
  afterAll(async () => {
    await t?.close();
  });

  it('passes Redocly lint with the recommended rules: 0 errors, 0 warnings (exceptions justified in redocly.yaml)', () => {
    const r = run(['node_modules/@redocly/cli/bin/cli.js', 'lint', docFile, '--config', 'redocly.yaml', '--format=json'], {
      REDOCLY_TELEMETRY: 'off',
    });
    const report = JSON.parse(r.stdout) as {
      totals: { errors: number; warnings: number };
      problems: { ruleId: string; severity: string; message: string; location: { pointer: string }[] }[];
    };
    expect(report.problems.map((p) => `${p.severity} ${p.ruleId}: ${p.message} (${p.location[0]?.pointer})`)).toEqual([]);
    expect(report.totals).toMatchObject({ errors: 0, warnings: 0 });
  });

  it("generates types that the README's worker flow and an admin flow compile against with --strict and no casts", () => {
    const gen = run(['node_modules/openapi-typescript/bin/cli.js', docFile, '-o', join(clientDir, 'openapi.d.ts')]);
    expect(gen.status).toBe(0);
    const tsc = run(['node_modules/typescript/bin/tsc', '-p', join(clientDir, 'tsconfig.json')]);
    expect(tsc.out).toBe('');
    expect(tsc.status).toBe(0);
    for (const file of ['worker-flow.ts', 'admin-flow.ts']) {
      const raw = readFileSync(join(clientDir, file), 'utf8');
      const code = raw.replace(/\/\*[\s\S]*?\*\//g, '').replace(/\/\/.*$/gm, '');
      // No type assertions, non-null assertions, any, or suppressed errors: the types alone carry the flow.
      const casts = [
        ...(code.match(/\bas\s+(?!const\b)[A-Za-z{[(]|<[A-Z]\w*>\s*\w|\w!\s*[.;),\]]|\bany\b/g) ?? []),
        ...(raw.match(/@ts-\w+/g) ?? []),
      ];
      expect({ file, casts }).toEqual({ file, casts: [] });
    }
  });

  it('the generated client runs both flows against the service', async () => {
    const admin = await setUpWorkspace(t.baseUrl, ADMIN_KEY);
    expect(admin).toMatchObject({
      planTier: 'Silver',
      customPerMinute: 1200,
      keyNames: expect.arrayContaining(['worker fleet eu']),
      revokedKeyRefused: 401,
      identitiesListed: 1,
      levels: { conservative: 0.6, standard: 1, aggressive: 1.3 },
      dailyLimit: 100_000,
    });

    const identity = await createIdentity(t, admin.apiKey, { limit_overrides: { LK_INVITATIONS_SENT: 2 } });
    const act = (status: number | null) => async () => status;
    const flow = (actionId: string, status: number | null) =>
      runAction(t.baseUrl, admin.apiKey, identity.id, 'linkedin-connect-profile', actionId, act(status));

    expect(await flow('job-1', 200)).toEqual({ kind: 'done', outcome: 'success', cooldownEndsAt: null, remaining: 1 });
    expect(await flow('job-2', null)).toEqual({ kind: 'released', released: true });
    expect(await flow('job-3', 200)).toMatchObject({ kind: 'done', remaining: 0 });
    expect(await flow('job-4', 200)).toEqual({ kind: 'later', label: 'LIMIT_REACHED', at: expect.stringMatching(/^\d{4}-\d\d-\d\dT/) });

    const other = await createIdentity(t, admin.apiKey);
    const pushedBack = await runAction(t.baseUrl, admin.apiKey, other.id, 'linkedin-visit-profile', 'visit-1', act(429));
    expect(pushedBack).toMatchObject({ kind: 'done', outcome: 'passive', cooldownEndsAt: expect.stringMatching(/^\d{4}-/) });
    expect(await runAction(t.baseUrl, admin.apiKey, other.id, 'linkedin-visit-profile', 'visit-2', act(200))).toEqual({
      kind: 'later',
      label: 'COOLDOWN',
      at: expect.stringMatching(/^\d{4}-/),
    });
  });
});
