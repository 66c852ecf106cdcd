import { describe, expect, it } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

describe('npm run demo (short mode)', () => {
  it('tells the whole story on the test stores and ends cleanly', () => {
    // `npm test` builds first (pretest), so the compiled demo is there.
    expect(existsSync('dist/demo/run.js')).toBe(true);
    const r = spawnSync(process.execPath, ['dist/demo/run.js', '--short'], {
      encoding: 'utf8',
      timeout: 90_000,
      env: { ...process.env, REDIS_URL: process.env.SL_TEST_REDIS_URL, DATABASE_URL: process.env.SL_TEST_DATABASE_URL },
    });
    expect(r.stderr).not.toContain('demo failed');
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('Summary');
    const done = Number(/(\d+) LinkedIn actions done/.exec(r.stdout)?.[1] ?? 0);
    expect(done).toBeGreaterThan(0);
    expect(r.stdout).toContain('/dashboard');
    // The planned campaign: 25 invitations, each with its time.
    expect(r.stdout).toContain('Campaign plan');
    expect(r.stdout.match(/ campaign-lead-\d+/g)).toHaveLength(25);
    expect(r.stdout).not.toContain('error:');
  }, 120_000);
});
