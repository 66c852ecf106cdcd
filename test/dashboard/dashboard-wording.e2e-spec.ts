import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { type Browser, chromium, type Page } from 'playwright-core';
import { LINKEDIN_429, workerCalls } from '../cooldowns/cooldown-helpers.js';
import { ADMIN_KEY, createIdentity, createWorkspace, startTestApp, type TestApp } from '../support/test-app.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** The page's words: what a person reads must say what is going on without knowing the codes. */
describe('dashboard page wording', () => {
  let t: TestApp;
  let browser: Browser;
  let page: Page;
  let key: string;
  const ids: Record<string, string> = {};
  const row = (id: string) => page.locator(`tr[data-identity-id="${id}"]`);

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) throw new Error(`Chromium not found at ${CHROMIUM}: install it (apt-get install chromium) or set CHROMIUM_PATH`);
    t = await startTestApp({ env: { DASHBOARD_REFRESH_SECONDS: '0' } });
    key = (await createWorkspace(t, { name: 'Wording Co' })).api_key;
    const w = workerCalls(t, key);
    ids.full = (await createIdentity(t, key, { label: 'Fay (full)', limit_overrides: { LK_FOLLOWS: 3 } })).id;
    for (const a of ['f1', 'f2', 'f3']) await w.guard(ids.full, 'linkedin-follow-profile', a);
    ids.near = (await createIdentity(t, key, { label: 'Ned (near)', limit_overrides: { LK_FOLLOWS: 5 } })).id;
    for (const a of ['f1', 'f2', 'f3', 'f4']) await w.guard(ids.near, 'linkedin-follow-profile', a);
    ids.antibot = (await createIdentity(t, key, { label: 'Abe (999)' })).id;
    await w.outcome(ids.antibot, { action_slug: 'linkedin-visit-profile', status_code: 999 });
    ids.strike = (await createIdentity(t, key, { label: 'Sue (new, 429)', warmup: 'standard' })).id;
    await w.outcome(ids.strike, { action_slug: 'linkedin-connect-profile', ...LINKEDIN_429 });
    browser = await chromium.launch({ executablePath: CHROMIUM, args: FLAGS });
    page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  it('given the admin key, says which key it needs', async () => {
    await page.goto(`${t.baseUrl}/dashboard`);
    await page.locator('#api-key').fill(ADMIN_KEY);
    await page.locator('#api-key').press('Enter');
    await page.waitForFunction(() => /admin key/.test(document.getElementById('key-message')?.textContent ?? ''));
    await expect(page.getByTestId('key-message').innerText()).resolves.toContain(
      'the admin key manages workspaces; use a workspace API key, e.g. POST /v1/workspaces/{id}/api-keys',
    );
    await expect(page.getByTestId('key-form').isVisible()).resolves.toBe(true);
  });

  it('says "Full" at 100 % and "Near a limit" below it', async () => {
    await page.locator('#api-key').fill(key);
    await page.locator('#api-key').press('Enter');
    await row(ids.full).waitFor();
    await expect(row(ids.full).getByTestId('status-badge').innerText()).resolves.toBe('Full');
    await expect(row(ids.near).getByTestId('status-badge').innerText()).resolves.toBe('Near a limit');
    await expect(page.getByTestId('count-warning').innerText()).resolves.toMatch(/2\s+Near or at a limit/);
  });

  it('puts cooldown reasons in plain words beside their code', async () => {
    await expect(row(ids.antibot).locator('.reason').innerText()).resolves.toBe('LinkedIn anti-bot (999) BLOCKED_ANTIBOT');
    await expect(row(ids.strike).locator('.reason').innerText()).resolves.toBe('LinkedIn 429, 1st strike STATUS_429_STRIKE_1');
    await row(ids.antibot).locator('button.who').click();
    const box = page.getByTestId('detail-cooldown');
    await box.waitFor();
    await expect(box.innerText()).resolves.toContain('Cooldown: LinkedIn anti-bot (999) BLOCKED_ANTIBOT');
  });

  it('says the warm-up ramp is frozen, and until when', async () => {
    await row(ids.strike).locator('button.who').click();
    await page.waitForFunction(() => document.getElementById('detail-title')?.textContent?.includes('Sue'));
    const warmup = page.getByTestId('warmup');
    await warmup.waitFor();
    await expect(warmup.innerText()).resolves.toMatch(/^Warm-up day 1 \(standard\): limits at 20\s%, ramp frozen until .+\.$/);
    await expect(page.getByTestId('recent-errors').innerText()).resolves.toContain('LinkedIn 429 STATUS_429');
  });
});
