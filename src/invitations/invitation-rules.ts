import { INVITATION_LIMIT_SLUGS } from '../catalog/catalog.data.js';

/**
 * Invitation health rules (LIMITS.md "Invitation health defaults"), as data and pure decisions, so
 * the guard's script, the reports, the refresh job and the reads all say the same.
 */
export const INVITATION_STATUSES = ['pending', 'accepted', 'declined', 'withdrawn', 'expired'] as const;
export type InvitationStatus = (typeof INVITATION_STATUSES)[number];
export const RESOLVED_STATUSES = ['accepted', 'declined', 'withdrawn', 'expired'] as const;
export type ResolvedStatus = (typeof RESOLVED_STATUSES)[number];

const DAY_MS = 86_400_000;

export const INVITATION_RULES = {
  /** Pending invitations: the identity is `warning` and `invitations.pending_high` is emitted. */
  pendingWarning: 500,
  /** Pending invitations: invitation actions are refused (`rule: "pending_invitations"`). */
  pendingRefuse: 700,
  /** A withdrawn person may be invited again after this many days (LinkedIn: up to 3 weeks). */
  reinviteAfterDays: 21,
  /** Pending invitations older than this are the ones to withdraw first … */
  withdrawAfterDays: 21,
  /** … at most this many a day. */
  withdrawPerDay: 100,
  /** The acceptance-rate sample: invitations sent between 37 and 7 days ago … */
  sampleMinAgeDays: 7,
  sampleMaxAgeDays: 37,
  /** … and at least this many of them, else the rate is not judged. */
  sampleMin: 20,
  /** Below this rate the invitation thresholds are halved (`identity.low_acceptance`). */
  lowRate: 0.3,
  /** Below this rate invitations are refused (`rule: "acceptance_rate"`). */
  refuseRate: 0.15,
  /** The factor on invitation thresholds while the rate is low. */
  lowFactor: 0.5,
  /** The most targets one reconcile takes (LinkedIn's own list stops near 700 anyway). */
  maxReconcileTargets: 1000,
  /** The longest target id (profile URL, URN or id). */
  maxTargetLength: 256,
} as const;

/** The actions that send an invitation (the ones that take a `target` and count as pending). */
const INVITATION_ACTIONS: readonly string[] = ['linkedin-connect-profile', 'linkedin-connect-profile-with-note'];
/** The limits an invitation consumes whose thresholds a low acceptance rate halves (the catalog's list). */
const INVITATION_LIMITS: readonly string[] = INVITATION_LIMIT_SLUGS;

export const isInvitationAction = (slug: string): boolean => INVITATION_ACTIONS.includes(slug);
export const isInvitationLimit = (slug: string): boolean => INVITATION_LIMITS.includes(slug);

export type AcceptanceState = 'ok' | 'low' | 'refuse';

export interface AcceptanceSample {
  /** Invitations sent 7–37 days ago (sent_at known). */
  sample: number;
  /** Of them, accepted. */
  accepted: number;
}

export interface AcceptanceView extends AcceptanceSample {
  /** accepted / sample, rounded to 4 places; null below the minimum sample. */
  rate: number | null;
  state: AcceptanceState;
  /** The factor on invitation thresholds (1, or 0.5 while low). */
  factor: number;
}

/** The sample's bounds at `now`: sent_at in [from, to] (inclusive: exactly 7 days old counts). */
export function sampleWindow(now: Date): { from: Date; to: Date } {
  return {
    from: new Date(now.getTime() - INVITATION_RULES.sampleMaxAgeDays * DAY_MS),
    to: new Date(now.getTime() - INVITATION_RULES.sampleMinAgeDays * DAY_MS),
  };
}

/** The rate's verdict from a sample (pure). Too small a sample is `ok`: there is nothing to judge yet. */
export function judgeAcceptance(s: AcceptanceSample): AcceptanceView {
  if (s.sample < INVITATION_RULES.sampleMin) return { ...s, rate: null, state: 'ok', factor: 1 };
  const rate = s.accepted / s.sample;
  const state: AcceptanceState = rate < INVITATION_RULES.refuseRate ? 'refuse' : rate < INVITATION_RULES.lowRate ? 'low' : 'ok';
  return { ...s, rate: Math.round(rate * 10_000) / 10_000, state, factor: state === 'ok' ? 1 : INVITATION_RULES.lowFactor };
}

const SEVERITY: Record<AcceptanceState, number> = { ok: 0, low: 1, refuse: 2 };

export interface AcceptanceTransition {
  state: AcceptanceState;
  /** Emit identity.low_acceptance: the rate fell across 30 % or across 15 % (once per crossing). */
  emit: boolean;
  /** A person's clear of the refusal, kept while the rate stays below 15 % and dropped once it recovers. */
  refusalClearedAt: Date | null;
  /** Invitations are refused now. */
  refusing: boolean;
}

/** The step from the stored state to a newly judged one (pure). */
export function acceptanceTransition(prev: { state: AcceptanceState; refusalClearedAt: Date | null }, next: AcceptanceState): AcceptanceTransition {
  const emit = SEVERITY[next] > SEVERITY[prev.state];
  // A clear lifts this refusal, not a later one: once the rate is back above 15 % it is forgotten.
  const refusalClearedAt = next === 'refuse' && prev.state === 'refuse' ? prev.refusalClearedAt : null;
  return { state: next, emit, refusalClearedAt, refusing: next === 'refuse' && refusalClearedAt === null };
}

/** Pending crossings of the warning line (pure): `up` emits invitations.pending_high once per crossing. */
export function pendingTransition(wasHigh: boolean, pending: number): { high: boolean; emit: boolean } {
  const high = pending >= INVITATION_RULES.pendingWarning;
  return { high, emit: high && !wasHigh };
}
