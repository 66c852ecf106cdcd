import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { creditRangeText, planCreditRanges, planCreditRangesText } from './plan-credit-ranges.js';
import { planTierFor } from './tier-resolution.js';

describe('plan credit ranges', () => {
  it('cover every credit count once, each bound selecting its own tier', () => {
    const ranges = planCreditRanges();
    expect(ranges[0].from).toBe(0);
    expect(ranges[ranges.length - 1].to).toBeNull();
    ranges.forEach((r, i) => {
      expect(planTierFor(r.from).name).toBe(r.tier);
      if (r.to !== null) {
        expect(planTierFor(r.to).name).toBe(r.tier);
        expect(ranges[i + 1].from).toBe(r.to + 1);
      }
    });
  });

  it('read as the operator table', () => {
    expect(planCreditRangesText()).toBe(
      'Trial 0–2,499 · Bronze 2,500–10,000 · Silver 10,001–100,000 · Gold 100,001–500,000 · Platinum 500,001–2,000,000 · Diamond 2,000,001–20,000,000 · Titanium 20,000,001 or more',
    );
  });

  it('are the README table, row for row', () => {
    const readme = readFileSync(join(process.cwd(), 'README.md'), 'utf8');
    for (const r of planCreditRanges()) expect(readme).toContain(`| ${r.tier} | ${creditRangeText(r)} |`);
  });
});
