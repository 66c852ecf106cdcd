/// <reference lib="dom" />
// The page.evaluate callbacks run in the browser: DOM types for this file only.
import { existsSync, mkdirSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { type Browser, chromium, type Page } from 'playwright-core';
import { LINKEDIN_429, workerCalls } from '../cooldowns/cooldown-helpers.js';
import { createIdentity, createWorkspace, startTestApp, type TestApp } from '../support/test-app.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const ARTIFACTS = new URL('../../test-artifacts/', import.meta.url).pathname;
/** Flags for a sandboxed, offline headless Chromium (no background calls to Google's hosts). */
const FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/**
 * The page at /dashboard in a real browser against the running service with real data: a person
 * pastes a key and sees which identities are safe, near a limit, cooling down or restricted, and why.
 */
describe('dashboard page in headless Chromium', () => {
  let t: TestApp;
  let browser: Browser;
  let page: Page;
  let ws: { id: string; api_key: string };
  const problems: string[] = [];
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) {
      throw new Error(`Chromium not found at ${CHROMIUM}: install it (apt-get install chromium) or set CHROMIUM_PATH`);
    }
    mkdirSync(ARTIFACTS, { recursive: true });
    // A snapshot older than a second is rebuilt, so the page's own refresh (every 5 s at the
    // quickest) shows what changed since.
    t = await startTestApp({ env: { DASHBOARD_REFRESH_SECONDS: '1' } });
    ws = await createWorkspace(t, { name: 'Acme Outreach', monthly_credits: 100_000 });
    const w = workerCalls(t, ws.api_key);
    ids.healthy = (await createIdentity(t, ws.api_key, { label: 'Hana (healthy)', account_type: 'premium' })).id;
    for (const a of ['h1', 'h2', 'h3']) await w.guard(ids.healthy, 'linkedin-visit-profile', a);
    await w.guard(ids.healthy, 'linkedin-message-profile', 'm1');
    // Done ten days ago: outside every 24 h window, inside the 30-day history (the journal).
    await w.guard(ids.healthy, 'linkedin-visit-profile', 'h-old', { occurred_at: new Date(Date.now() - 10 * 86_400_000).toISOString() });
    ids.warning = (await createIdentity(t, ws.api_key, { label: 'Walt (near limit)', limit_overrides: { LK_INVITATIONS_SENT: 10 } })).id;
    for (let k = 0; k < 9; k++) await w.guard(ids.warning, 'linkedin-connect-profile', `c${k}`);
    ids.cooldown = (await createIdentity(t, ws.api_key, { label: 'Cleo (cooling down)' })).id;
    await w.guard(ids.cooldown, 'linkedin-connect-profile', 'c0');
    await w.outcome(ids.cooldown, { action_slug: 'linkedin-connect-profile', ...LINKEDIN_429 });
    ids.restricted = (await createIdentity(t, ws.api_key, { label: 'Rex (restricted)' })).id;
    await w.outcome(ids.restricted, { action_slug: 'linkedin-visit-profile', status_code: 403, body: '<h1>Your account has been restricted</h1>' });
    ids.warming = (await createIdentity(t, ws.api_key, { label: 'Wendy (new account)', warmup: 'standard' })).id;
    await w.guard(ids.warming, 'linkedin-visit-profile', 'v1');

    browser = await chromium.launch({ executablePath: CHROMIUM, args: FLAGS });
    page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    page.on('console', (m) => {
      if (m.type() === 'error' || m.type() === 'warning') problems.push(`console ${m.type()}: ${m.text()}`);
    });
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  it('asks for a key, then shows every identity with its status, counts and the tier card', async () => {
    await page.goto(`${t.baseUrl}/dashboard`);
    await expect(page.title()).resolves.toMatch(/Smart Limits/);
    await page.getByTestId('key-form').waitFor();
    await page.locator('#api-key').fill(ws.api_key);
    await page.locator('#api-key').press('Enter');
    await page.locator('tr[data-identity-id]').first().waitFor();

    const rows = await page
      .locator('tr[data-identity-id]')
      .evaluateAll((trs) => trs.map((tr) => [tr.getAttribute('data-identity-id'), tr.getAttribute('data-status')]));
    expect(rows).toEqual([
      [ids.restricted, 'restricted'],
      [ids.cooldown, 'cooldown'],
      [ids.warning, 'warning'],
      [ids.warming, 'warming_up'],
      [ids.healthy, 'healthy'],
    ]);
    // Status is said in words, not colour alone.
    await expect(page.locator(`tr[data-identity-id="${ids.cooldown}"]`).innerText()).resolves.toMatch(/cool/i);
    await expect(page.locator(`tr[data-identity-id="${ids.warning}"]`).innerText()).resolves.toContain('9 / 10');
    for (const [status, n] of Object.entries({ restricted: 1, cooldown: 1, warning: 1, warming_up: 1, healthy: 1, at_risk: 0 })) {
      await expect(page.getByTestId(`count-${status}`).innerText()).resolves.toContain(String(n));
    }
    // As often as the snapshot changes (1 s here), but not under 5 s; this workspace's API budget
    // is roomy, so it does not slow the page down (a Trial one does: below).
    await expect(page.getByTestId('updated').innerText()).resolves.toMatch(/^Updated \d\d:\d\d:\d\d · refreshes every 5 s$/);
    const tier = await page.getByTestId('tier-card').innerText();
    expect(tier).toMatch(/requests/i);
    expect(await page.evaluate(() => sessionStorage.getItem('smart-limits.api-key'))).toBe(ws.api_key);
    await page.screenshot({ path: `${ARTIFACTS}dashboard-overview.png`, fullPage: true });
  });

  it('opens an identity: usage bars, the cooldown and why, recent errors, the 24 h chart', async () => {
    await page.locator(`tr[data-identity-id="${ids.cooldown}"] button`).first().click();
    const detail = page.getByTestId('identity-detail');
    await detail.getByTestId('recent-errors').waitFor();
    await expect(detail.innerText()).resolves.toContain('STATUS_429_STRIKE_1');
    await expect(detail.getByTestId('recent-errors').innerText()).resolves.toContain('429');
    // Invitation health: pending count with its lines, the acceptance rate's sample.
    await expect(detail.getByTestId('pending-invitations').innerText()).resolves.toMatch(
      /pending invitations? \(warning from 500, refused from 700\)/,
    );
    await expect(detail.getByTestId('acceptance-rate').innerText()).resolves.toMatch(/not judged yet \(0 of the 20/);
    const bars = detail.getByTestId('detail-limits').locator('[role="progressbar"]');
    expect(await bars.count()).toBeGreaterThan(3);
    const chart = detail.getByTestId('activity-chart');
    await chart.waitFor();
    await expect(chart.getAttribute('aria-label')).resolves.toMatch(/24 hours/);
    // A row per limit the invitation counted on, each with its own total (not stacked into 2).
    await expect(chart.locator('text.series').evaluateAll((ts) => ts.map((x) => x.textContent))).resolves.toEqual([
      'Invitations sent · 1',
      'Invitations sent this week · 1',
    ]);
    await page.screenshot({ path: `${ARTIFACTS}dashboard-identity.png`, fullPage: true });
    // A laptop screen: the same page, narrower.
    await page.setViewportSize({ width: 1280, height: 800 });
    await page.screenshot({ path: `${ARTIFACTS}dashboard-laptop.png` });
    // Narrower still: the detail goes below the table, whole.
    await page.setViewportSize({ width: 1000, height: 900 });
    const table = await page.getByTestId('identities-table').boundingBox();
    const panel = await detail.boundingBox();
    expect(panel!.y).toBeGreaterThanOrEqual(table!.y + table!.height);
    await page.screenshot({ path: `${ARTIFACTS}dashboard-narrow.png`, fullPage: true });
    await page.setViewportSize({ width: 1440, height: 900 });

    await page.locator(`tr[data-identity-id="${ids.healthy}"] button`).first().click();
    await page.waitForFunction(() => document.querySelector('[data-testid="identity-detail"]')?.textContent?.includes('Hana'));
    await expect(detail.getByTestId('activity-chart').getAttribute('aria-label')).resolves.toMatch(/3 profile visits|visits/i);
    // The 30-day chart comes from the journal: the visit of ten days ago is in it, in its own day.
    const history = detail.getByTestId('history-chart');
    await history.waitFor();
    await expect(history.getAttribute('aria-label')).resolves.toMatch(/^Activity over 30 days: 4 Profile visits, 1 Messages sent/);
    const days = await detail
      .getByTestId('history-table')
      .locator('tbody tr')
      .evaluateAll((trs) => trs.map((tr) => tr.textContent));
    expect(days).toHaveLength(30);
    await page.screenshot({ path: `${ARTIFACTS}dashboard-history.png`, fullPage: true });
  });

  it('refreshes by itself: countdowns tick, and pushback reported meanwhile shows up without a reload', async () => {
    const countdown = page.locator(`tr[data-identity-id="${ids.cooldown}"] .countdown`);
    const before = await countdown.innerText();
    expect(before).toMatch(/^ends in \d+h \d\dm \d\ds$/);
    await page.waitForFunction(
      ([sel, text]) => document.querySelector(sel)?.textContent !== text,
      [`tr[data-identity-id="${ids.cooldown}"] .countdown`, before] as const,
      { timeout: 5_000 },
    );
    // Hana's detail is open: LinkedIn now pushes back on her.
    const updated = await page.getByTestId('updated').innerText();
    await workerCalls(t, ws.api_key).outcome(ids.healthy, { action_slug: 'linkedin-visit-profile', ...LINKEDIN_429 });
    const hana = page.locator(`tr[data-identity-id="${ids.healthy}"]`);
    await page.waitForFunction(
      (id) => document.querySelector(`tr[data-identity-id="${id}"]`)?.getAttribute('data-status') === 'cooldown',
      ids.healthy,
      { timeout: 20_000 },
    );
    await expect(hana.innerText()).resolves.toMatch(/STATUS_429_STRIKE_1/);
    await expect(page.getByTestId('updated').innerText()).resolves.not.toBe(updated);
    await expect(page.getByTestId('count-cooldown').innerText()).resolves.toContain('2');
    // Hana's open detail follows too.
    await expect(page.locator('#detail-title').innerText()).resolves.toContain('Hana');
    await page.waitForFunction(
      () => document.querySelector('[data-testid="detail-cooldown"]')?.textContent?.includes('STATUS_429_STRIKE_1'),
      undefined,
      { timeout: 20_000 },
    );
    await expect(page.getByTestId('recent-errors').innerText()).resolves.toContain('linkedin-visit-profile');
  });

  it("paces itself to a small plan's budget: a Trial workspace (5 overview calls a minute) refreshes every 48 s", async () => {
    const trial = await createWorkspace(t, { name: 'Trial Co', monthly_credits: 1_000, tierLimits: true });
    const policy = (await t.request('GET', '/v1/whoami', { key: trial.api_key })).headers.get('ratelimit-policy');
    expect(policy).toContain('"minute";q=5;w=60');
    await createIdentity(t, trial.api_key, { label: 'Tess' });
    const context = await browser.newContext();
    try {
      const other = await context.newPage();
      await other.goto(`${t.baseUrl}/dashboard`);
      await other.locator('#api-key').fill(trial.api_key);
      await other.locator('#api-key').press('Enter');
      await other.locator('tr[data-identity-id]').first().waitFor();
      await expect(other.getByTestId('updated').innerText()).resolves.toMatch(/refreshes every 48 s$/);
      await expect(other.getByTestId('plan-tier').innerText()).resolves.toBe('Trial');
    } finally {
      await context.close();
    }
  });

  it('filters by status and keeps the key across a reload; a wrong key is refused', async () => {
    await page.getByTestId('count-cooldown').click();
    // Cleo, and Hana since the pushback above.
    await page.waitForFunction(() => document.querySelectorAll('tr[data-identity-id]').length === 2);
    const shown = await page
      .locator('tr[data-identity-id]')
      .evaluateAll((trs) => trs.map((tr) => [tr.getAttribute('data-identity-id'), tr.getAttribute('data-status')]));
    expect(shown.sort()).toEqual(
      [
        [ids.cooldown, 'cooldown'],
        [ids.healthy, 'cooldown'],
      ].sort(),
    );
    await expect(page.getByTestId('count-cooldown').getAttribute('aria-pressed')).resolves.toBe('true');

    await page.reload();
    await page.locator('tr[data-identity-id]').first().waitFor();

    await page.evaluate(() => sessionStorage.setItem('smart-limits.api-key', 'sl_not-a-real-key'));
    await page.reload();
    await page.getByTestId('key-form').waitFor();
    await expect(page.locator('body').innerText()).resolves.toMatch(/not accepted/i);
    expect(problems.filter((p) => !/401|Unauthorized/.test(p))).toEqual([]);
  });
});
