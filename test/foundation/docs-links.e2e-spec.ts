import { describe, expect, it } from '@jest/globals';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

const ROOT = process.cwd();
const DOCS = [
  'README.md',
  ...readdirSync(join(ROOT, 'docs'))
    .filter((f) => f.endsWith('.md'))
    .map((f) => `docs/${f}`),
];

/** A clone has only the repository: its docs must not send a reader elsewhere on this machine. */
describe('the README and docs/', () => {
  it.each(DOCS)('%s links only to files inside the repository, and they exist', (file) => {
    const text = readFileSync(join(ROOT, file), 'utf8');
    expect(text).not.toMatch(/\.\.\/shared|\/work\//);
    const targets = [...text.matchAll(/\]\(([^)#\s]+)(?:#[^)]*)?\)/g)].map((m) => m[1]).filter((t) => !/^[a-z]+:/i.test(t));
    for (const target of targets) {
      const path = resolve(dirname(join(ROOT, file)), target);
      expect(relative(ROOT, path).startsWith('..')).toBe(false);
      expect(existsSync(path)).toBe(true);
    }
  });

  it('the README points to the contract summary', () => {
    expect(readFileSync(join(ROOT, 'README.md'), 'utf8')).toContain('(docs/contract.md)');
  });
});
