// Copies non-TypeScript files that the code reads at run time (Lua scripts, the dashboard page)
// from src/ to dist/src/, keeping their paths.
import { cpSync, readdirSync, statSync } from 'node:fs';
import { extname, join } from 'node:path';

const ASSETS = new Set(['.lua', '.html', '.css', '.js', '.svg', '.json', '.ico', '.png']);

function walk(dir) {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p);
    else if (ASSETS.has(extname(name)) && !name.endsWith('.ts') && (extname(name) !== '.js' || p.includes('/public/'))) {
      cpSync(p, join('dist', p));
    }
  }
}
walk('src');
