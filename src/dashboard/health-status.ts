import { INVITATION_RULES } from '../invitations/invitation-rules.js';
import { WARNING_SHARE } from '../catalog/thresholds.js';
import { COOLDOWN_POLICY } from '../cooldowns/cooldown-policy.js';

/**
 * An identity's health status (SPEC §7), decided from facts already read: pure, so the identity's
 * health route and the workspace overview can never disagree.
 */
export const HEALTH_STATUSES = ['restricted', 'at_risk', 'cooldown', 'warning', 'warming_up', 'healthy'] as const;
export type HealthStatus = (typeof HEALTH_STATUSES)[number];

/**
 * "Recurring cooldowns (3 or more in 7 days) mark the identity at_risk" (LIMITS.md): the cooldown
 * policy owns both figures (COOLDOWN_POLICY.atRiskCooldowns, atRiskWindowSeconds); a limit at or above
 * the catalog's WARNING_SHARE (80 %) is a `warning`.
 */
export const AT_RISK_WINDOW_MS = COOLDOWN_POLICY.atRiskWindowSeconds * 1000;
/** Cooldown reasons that mean LinkedIn has locked the account until a person acts. */
const RESTRICTING_REASONS = new Set(['RESTRICTED', 'CHALLENGE']);

export interface LimitUsage {
  slug: string;
  consumed: number;
  max: number;
}

export interface RunningCooldownFact {
  reason: string;
  scope: 'identity' | 'limits';
  limits: string[];
  atRisk: boolean;
  endsAt: Date | null;
}

export interface HealthFacts {
  limits: LimitUsage[];
  running: RunningCooldownFact[];
  /** Cooldown incidents started in the trailing 7 days (prolongations of one incident count once). */
  cooldowns7d: number;
  /** A cooldown of the trailing 7 days was marked at_risk by the policy (3rd strike, strikes on 2+ actions). */
  flagged7d: boolean;
  /** The identity's warm-up ramp is still below full speed on some limit. */
  warmingUp: boolean;
  /** Invitation health (SPEC §5b), when known. */
  invitations?: InvitationFacts;
}

export interface InvitationFacts {
  pending: number;
  /** Accepted share of the sample; null below the minimum sample. */
  rate: number | null;
  sample: number;
  /** Below 30 %: invitation thresholds halved. */
  lowAcceptance: boolean;
  /** Below 15 % and not cleared: invitations refused. */
  refusing: boolean;
}

export interface HealthVerdict {
  status: HealthStatus;
  /** Why, in words a person reads on the dashboard (most serious first). */
  reasons: string[];
  /** The highest consumed / threshold over the limits (0 when nothing is used). */
  usage: number;
  atRisk: boolean;
}

/** consumed / max, where a limit of 0 (the account type cannot act) is never "used". */
export function usageOf(l: LimitUsage): number {
  return l.max > 0 ? l.consumed / l.max : 0;
}

const pct = (x: number) => `${Math.round(x * 100)}%`;

/**
 * Precedence, most serious first: restricted (a running RESTRICTED or CHALLENGE cooldown) →
 * at_risk (recurring pushback: 3+ cooldowns in 7 days, or a policy-flagged cooldown in 7 days) →
 * cooldown (any running cooldown, identity-wide or on some limits) → warning (a limit ≥ 80 %) →
 * warming_up (the ramp is below full speed) → healthy.
 */
export function decideHealth(f: HealthFacts): HealthVerdict {
  const reasons: string[] = [];
  const restricting = f.running.filter((c) => RESTRICTING_REASONS.has(c.reason));
  const atRisk = f.cooldowns7d >= COOLDOWN_POLICY.atRiskCooldowns || f.flagged7d || f.running.some((c) => c.atRisk);
  const hot = f.limits.filter((l) => l.max > 0 && usageOf(l) >= WARNING_SHARE).sort((a, b) => usageOf(b) - usageOf(a));
  const usage = f.limits.reduce((m, l) => Math.max(m, usageOf(l)), 0);

  for (const c of restricting)
    reasons.push(c.reason === 'CHALLENGE' ? 'LinkedIn asks for a checkpoint/challenge: a person must clear it' : 'LinkedIn restricted the account');
  if (atRisk) {
    if (f.cooldowns7d >= COOLDOWN_POLICY.atRiskCooldowns) reasons.push(`${f.cooldowns7d} cooldowns in the last 7 days`);
    else reasons.push('repeated LinkedIn pushback (escalated cooldown in the last 7 days)');
  }
  for (const c of f.running) {
    if (RESTRICTING_REASONS.has(c.reason)) continue;
    const scope = c.scope === 'identity' ? 'whole identity' : c.limits.join(', ');
    reasons.push(`cooldown ${c.reason} on ${scope}${c.endsAt ? '' : ' until a person clears it'}`);
  }
  for (const l of hot) reasons.push(`${l.slug} at ${pct(usageOf(l))} of its limit (${l.consumed}/${l.max})`);
  const inv = invitationReasons(f.invitations);
  reasons.push(...inv);
  if (f.warmingUp) reasons.push('warming up: limits below full speed');

  let status: HealthStatus = 'healthy';
  if (restricting.length) status = 'restricted';
  else if (atRisk) status = 'at_risk';
  else if (f.running.length) status = 'cooldown';
  else if (hot.length || inv.length) status = 'warning';
  else if (f.warmingUp) status = 'warming_up';
  return { status, reasons, usage, atRisk };
}

/** Why invitation health makes an identity `warning` (none when it does not). */
function invitationReasons(i: InvitationFacts | undefined): string[] {
  if (!i) return [];
  const out: string[] = [];
  const rate = i.rate === null ? '' : `${pct(i.rate)} of ${i.sample} invitations accepted`;
  if (i.refusing) out.push(`low_acceptance: ${rate}, below 15 %: invitations refused until it recovers or a person clears it`);
  else if (i.lowAcceptance) out.push(`low_acceptance: ${rate}, below 30 %: invitation limits halved`);
  if (i.pending >= INVITATION_RULES.pendingRefuse)
    out.push(`${i.pending} pending invitations: invitations refused from ${INVITATION_RULES.pendingRefuse}; withdraw the oldest`);
  else if (i.pending >= INVITATION_RULES.pendingWarning)
    out.push(`${i.pending} pending invitations (warning from ${INVITATION_RULES.pendingWarning}): withdraw the oldest`);
  return out;
}

export function statusRank(s: HealthStatus): number {
  return HEALTH_STATUSES.indexOf(s);
}

/**
 * The overview's order: restricted, at_risk and cooldown first (in that order), then every other
 * identity by its highest usage alone — warning ones lead (usage ≥ 80 %), and a healthy identity
 * at 79 % comes before a warming-up one at 2 %.
 */
function riskGroup(s: HealthStatus): number {
  return Math.min(statusRank(s), statusRank('warning'));
}

/**
 * Strings whose byte order is a page order: a one-digit block, then highest usage, then id (stable).
 * Lexicographic, so a Redis sorted set of equal scores keeps it and a page is a ZRANGE BYLEX from the
 * previous page's last key (keyset paging that survives a refreshed snapshot).
 */
function sortKey(block: number, usage: number, id: string): string {
  const u = Math.min(99_999, Math.max(0, Math.round(usage * 10_000)));
  return `${block}${String(99_999 - u).padStart(5, '0')}|${id}`;
}

/** The key of the unfiltered overview (risk order). */
export function riskSortKey(status: HealthStatus, usage: number, id: string): string {
  return sortKey(riskGroup(status), usage, id);
}

/** The key of a status-filtered overview: one block per status, so a filter is one BYLEX range. */
export function statusSortKey(status: HealthStatus, usage: number, id: string): string {
  return sortKey(statusRank(status), usage, id);
}
