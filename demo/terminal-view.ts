/** The live table: per identity, what happened; a progress bar; redrawn in place on a terminal. */
export interface Row {
  label: string;
  accountType: string;
  done: number;
  refused: number;
  /** Refused by pacing: too soon, in flight, outside working hours. */
  paced: number;
  cooldowns: number;
  state: string;
}

const pad = (s: string | number, n: number) => String(s).padEnd(n).slice(0, n);
const padL = (s: string | number, n: number) => String(s).padStart(n).slice(-n);

export function render(rows: Row[], elapsedMs: number, totalMs: number, webhooks: Record<string, number>): string {
  const width = 30;
  const filled = Math.min(width, Math.round((elapsedMs / totalMs) * width));
  const bar = `[${'█'.repeat(filled)}${'░'.repeat(width - filled)}] ${Math.min(100, Math.round((elapsedMs / totalMs) * 100))}%`;
  const lines = [
    `smart-limits demo  ${bar}  ${(elapsedMs / 1000).toFixed(0)}s / ${(totalMs / 1000).toFixed(0)}s`,
    '',
    `${pad('identity', 24)} ${pad('account', 16)} ${padL('done', 6)} ${padL('refused', 8)} ${padL('paced', 6)} ${padL('cooldowns', 10)}  state`,
    '-'.repeat(96),
    ...rows.map(
      (r) =>
        `${pad(r.label, 24)} ${pad(r.accountType, 16)} ${padL(r.done, 6)} ${padL(r.refused, 8)} ${padL(r.paced, 6)} ${padL(r.cooldowns, 10)}  ${r.state}`,
    ),
    '',
    `webhooks received: ${
      Object.entries(webhooks)
        .map(([k, v]) => `${k} ${v}`)
        .join(', ') || 'none yet'
    }`,
  ];
  return lines.join('\n');
}
