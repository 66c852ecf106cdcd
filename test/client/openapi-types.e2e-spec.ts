import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { startTestApp, type TestApp } from '../support/test-app.js';

const CLIENT = join(process.cwd(), 'packages', 'client');
const GENERATED = join(CLIENT, 'src', 'generated', 'openapi.ts');

/** Where the committed file first differs from the regenerated one, in a few lines (null: the same). */
function firstDifference(committed: string, served: string): string | null {
  if (committed === served) return null;
  const a = committed.split('\n');
  const b = served.split('\n');
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  const show = (lines: string[]) => lines.slice(Math.max(0, i - 2), i + 3).join('\n');
  return `packages/client/src/generated/openapi.ts is stale from line ${i + 1} (regenerate: npm run client:types)\n--- committed\n${show(a)}\n+++ served\n${show(b)}`;
}

/**
 * The client's wire types are generated from the service's OpenAPI document. This regenerates them
 * from the document the running service serves and fails when the committed file differs, so a
 * change of a route or a schema cannot leave the client behind. `npm run client:types` rewrites it.
 */
describe('the client package’s generated wire types', () => {
  let t: TestApp;
  let dir: string;
  beforeAll(async () => {
    t = await startTestApp();
    dir = mkdtempSync(join(tmpdir(), 'sl-openapi-'));
  });
  afterAll(async () => {
    await t?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('match what the running service serves at /openapi.json', async () => {
    const doc = await t.request('GET', '/openapi.json');
    expect(doc.status).toBe(200);
    const file = join(dir, 'openapi.json');
    writeFileSync(file, doc.text);
    // A child process: the generator runs on plain Node, outside Jest's module loader.
    const { stdout } = await promisify(execFile)(process.execPath, [join(CLIENT, 'scripts', 'generate-types.mjs'), file, '--stdout'], {
      cwd: CLIENT,
      maxBuffer: 64 * 1024 * 1024,
    });
    if (process.env.SL_UPDATE_CLIENT_TYPES === '1') writeFileSync(GENERATED, stdout);
    expect(stdout.length).toBeGreaterThan(1000);
    expect(firstDifference(readFileSync(GENERATED, 'utf8'), stdout)).toBeNull();
  });
});
