// `npm start` builds first when dist/ is missing or older than any source file.
import { execSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const roots = ['src', 'migrations', 'bench', 'demo', 'packages/client/src'];
const marker = 'dist/src/main.js';

function newest(dir) {
  let t = 0;
  if (!existsSync(dir)) return t;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    t = Math.max(t, e.isDirectory() ? newest(p) : statSync(p).mtimeMs);
  }
  return t;
}

const built = existsSync(marker) ? statSync(marker).mtimeMs : 0;
const source = Math.max(...roots.map(newest), statSync('package.json').mtimeMs, statSync('tsconfig.json').mtimeMs);
if (!built || source > built) {
  process.stderr.write('smart-limits: building (npm run build)…\n');
  execSync('npm run build --silent', { stdio: 'inherit' });
}
