// A fresh clone can run `npm start` or `npm test` directly: install the locked dependencies first
// when they are missing.
import { execSync } from 'node:child_process';
import { existsSync } from 'node:fs';

if (!existsSync('node_modules/.package-lock.json') || !existsSync('node_modules/@nestjs/core')) {
  process.stderr.write('smart-limits: installing dependencies (npm ci)…\n');
  execSync('npm ci --no-audit --no-fund', { stdio: 'inherit' });
}
