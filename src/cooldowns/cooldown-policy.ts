import { INVITATION_LIMITS } from '../catalog/catalog.data.js';
import { type Classification } from '../classification/classifier.js';

const HOUR = 3600;
const DAY = 24 * HOUR;

/**
 * Every number of the cooldown policy of LIMITS.md, in seconds unless named otherwise. Why these
 * lengths: LinkedIn's help pages say a first restriction lifts in "a few hours", several in a day
 * take "a few days", an invitation restriction "typically lasts one week".
 */
export const COOLDOWN_POLICY = {
  /** 1st LinkedIn 429 of a strike run: the action's limits. */
  strike1Seconds: 4 * HOUR,
  /** 2nd: the action's limits. */
  strike2Seconds: 24 * HOUR,
  /** 3rd or later, or strikes on 2+ actions: the whole identity, and `at_risk`. */
  strike3Seconds: 72 * HOUR,
  /** A strike run ends after this long without any incident (strike or cooldown start). */
  strikeDecaySeconds: 72 * HOUR,
  /** A free account's invitation notes are counted per 30 days. */
  noteLimitSeconds: 30 * DAY,
  /** WEEKLY_LIMIT lasts until the 7-day invitation window frees, and at least this. */
  weeklyLimitMinSeconds: 24 * HOUR,
  /** WEEKLY_LIMIT when the caller cannot say when the window frees: the whole window. */
  weeklyLimitUnknownSeconds: 7 * DAY,
  antibotSeconds: 24 * HOUR,
  restrictedMinSeconds: 48 * HOUR,
  /** Jitter added on top of every timed cooldown: a uniform 0 … this fraction of its length. */
  jitterMaxFraction: 0.1,
  /** A Retry-After above this is read as this: a junk header must not freeze an identity for years. */
  maxRetryAfterSeconds: 30 * DAY,
  /** Cooldowns (this one included) within `atRiskWindowSeconds` that mark the identity at risk. */
  atRiskCooldowns: 3,
  atRiskWindowSeconds: 7 * DAY,
} as const;

/** The one limit a NOTE_LIMIT cools down: invitations without a note go on. */
export const INVITE_NOTES_LIMIT = INVITATION_LIMITS.notes;

export interface CooldownHistory {
  /** Earlier LinkedIn 429 strikes of this identity (not the one being decided). */
  strikes: Array<{ at: Date; action_slug: string }>;
  /** Cooldowns that started in the trailing 7 days (any reason, manual ones included). */
  cooldowns: Array<{ started_at: Date }>;
}

export interface CooldownInput {
  classification: Classification;
  actionSlug: string;
  /** The limit slugs the action consumes. */
  actionLimits: string[];
  /** The invitation limits a WEEKLY_LIMIT blocks (LK_INVITATIONS_SENT, LK_INVITATIONS_WEEKLY, LK_INVITE_NOTES). */
  inviteLimitSlugs: string[];
  history: CooldownHistory;
  /** When enough of the identity's 7-day invitations leave the window for one more to fit; null/absent: unknown. */
  weeklyWindowFreesAt?: Date | null;
  now: Date;
  /** Uniform in [0, 1); Math.random in production, fixed in tests. */
  random: () => number;
}

export type WarmupEffect = 'none' | 'freeze' | 'restart';

export interface CooldownDecision {
  scope: 'identity' | 'limits';
  /** The limits cooled down; empty when the whole identity is. */
  limits: string[];
  reason: string;
  /** Escalation level: 1, 2 or 3 for LinkedIn 429s; 1 for the other signs, which do not escalate. */
  level: number;
  /** null: until a person clears it. */
  duration_seconds: number | null;
  ends_at: Date | null;
  /** LinkedIn 429 strikes in the current strike run, this outcome included when it is one. */
  strikes: number;
  at_risk: boolean;
  warmup: WarmupEffect;
}

/**
 * Decides the cooldown an outcome calls for, or null (internal, detected, transient, success,
 * client errors, unknown shapes: nothing of LinkedIn's pushback in them).
 *
 * Strikes. LIMITS.md says strikes are "LinkedIn 429s in the trailing 24 hours; they decay after 72
 * hours without incident". Read literally, a 24 h count could never reach a 3rd strike on one
 * action: the 2nd strike's own cooldown lasts 24 h plus jitter, so the next 429 comes more than
 * 24 h later. The rule used instead is a *strike run*: walking back from now through the
 * identity's incidents (earlier strikes and cooldown starts), the run goes on while consecutive
 * incidents are less than 72 h apart; the first gap of 72 h or more ends it. The level is the
 * number of strikes in the run (this one included), capped at 3; the run's strikes on 2 or more
 * distinct actions also give level 3. So 429s close together (the 24 h case) escalate, and an
 * identity that stays clean for 72 h starts again at strike 1.
 */
export function decideCooldown(input: CooldownInput): CooldownDecision | null {
  const { classification, now } = input;
  const kind = classification.cooldown;
  if (kind === 'none') return null;

  const isStrike = kind === 'strike';
  const run = strikeRun(input.history, now, isStrike ? input.actionSlug : null);
  const cooldownsIn7Days = countSince(
    input.history.cooldowns.map((c) => c.started_at),
    now,
    COOLDOWN_POLICY.atRiskWindowSeconds,
  );
  const recurring = cooldownsIn7Days + 1 >= COOLDOWN_POLICY.atRiskCooldowns;
  const retryAfter = classification.retry_after_seconds;
  const timed = (minimumSeconds: number) => jittered(minimumSeconds, retryAfter, input.random);

  const base = { strikes: run.strikes, warmup: 'freeze' as WarmupEffect };
  switch (kind) {
    case 'strike': {
      const multipleActions = run.actions.size >= 2;
      const level = multipleActions ? 3 : Math.min(run.strikes, 3);
      if (level === 3) {
        return finish(now, {
          ...base,
          scope: 'identity',
          limits: [],
          reason: multipleActions && run.strikes < 3 ? 'STATUS_429_MULTIPLE_ACTIONS' : 'STATUS_429_STRIKE_3',
          level,
          duration_seconds: timed(COOLDOWN_POLICY.strike3Seconds),
          at_risk: true,
        });
      }
      const limits = unique(input.actionLimits);
      return finish(now, {
        ...base,
        // An action with no known limits cannot be scoped; cooling the identity is the safe side.
        scope: limits.length > 0 ? 'limits' : 'identity',
        limits,
        reason: `STATUS_429_STRIKE_${level}`,
        level,
        duration_seconds: timed(level === 1 ? COOLDOWN_POLICY.strike1Seconds : COOLDOWN_POLICY.strike2Seconds),
        at_risk: recurring,
      });
    }
    case 'note_limit':
      return finish(now, {
        ...base,
        scope: 'limits',
        limits: [INVITE_NOTES_LIMIT],
        reason: 'NOTE_LIMIT',
        level: 1,
        duration_seconds: timed(COOLDOWN_POLICY.noteLimitSeconds),
        at_risk: recurring,
        // A free account using up its 5 notes a month is its quota, not LinkedIn's distrust.
        warmup: 'none',
      });
    case 'weekly_limit':
      return finish(now, {
        ...base,
        scope: 'limits',
        limits: unique(input.inviteLimitSlugs),
        reason: 'WEEKLY_LIMIT',
        level: 1,
        duration_seconds: timed(weeklyMinimum(input.weeklyWindowFreesAt, now)),
        at_risk: recurring,
      });
    case 'antibot':
      return finish(now, identityWide(base, 'BLOCKED_ANTIBOT', timed(COOLDOWN_POLICY.antibotSeconds), recurring));
    case 'challenge':
      return finish(now, identityWide(base, 'CHALLENGE', null, recurring));
    case 'restricted':
      return finish(now, {
        ...identityWide(base, 'RESTRICTED', timed(COOLDOWN_POLICY.restrictedMinSeconds), recurring),
        warmup: 'restart',
      });
    case 'auth_expired':
      return finish(now, identityWide(base, 'AUTH_EXPIRED', null, recurring));
    default:
      return null;
  }
}

type Draft = Omit<CooldownDecision, 'ends_at'>;

function identityWide(base: { strikes: number; warmup: WarmupEffect }, reason: string, durationSeconds: number | null, atRisk: boolean): Draft {
  return { ...base, scope: 'identity', limits: [], reason, level: 1, duration_seconds: durationSeconds, at_risk: atRisk };
}

function finish(now: Date, draft: Draft): CooldownDecision {
  const ends_at = draft.duration_seconds === null ? null : new Date(now.getTime() + draft.duration_seconds * 1000);
  return { ...draft, ends_at };
}

/** At least the rule's length and LinkedIn's Retry-After, then 0–10 % on top, whole seconds up. */
function jittered(minimumSeconds: number, retryAfter: number | null, random: () => number): number {
  const honoured =
    retryAfter !== null && Number.isFinite(retryAfter) && retryAfter > 0 ? Math.min(retryAfter, COOLDOWN_POLICY.maxRetryAfterSeconds) : 0;
  const length = Math.max(minimumSeconds, honoured);
  return Math.ceil(length + length * COOLDOWN_POLICY.jitterMaxFraction * unit(random()));
}

/** Keeps a misbehaving random source inside [0, 1) so jitter never exceeds its bound. */
function unit(value: number): number {
  if (!Number.isFinite(value) || value <= 0) return 0;
  return value >= 1 ? 1 - Number.EPSILON : value;
}

function weeklyMinimum(freesAt: Date | null | undefined, now: Date): number {
  if (!freesAt || Number.isNaN(freesAt.getTime())) return COOLDOWN_POLICY.weeklyLimitUnknownSeconds;
  const untilFree = Math.ceil((freesAt.getTime() - now.getTime()) / 1000);
  return Math.max(COOLDOWN_POLICY.weeklyLimitMinSeconds, untilFree);
}

interface StrikeRun {
  /** Strikes in the run, this one included when `currentAction` is set. */
  strikes: number;
  actions: Set<string>;
}

function strikeRun(history: CooldownHistory, now: Date, currentAction: string | null): StrikeRun {
  const nowMs = now.getTime();
  const decayMs = COOLDOWN_POLICY.strikeDecaySeconds * 1000;
  const incidents = [...history.strikes.map((s) => s.at), ...history.cooldowns.map((c) => c.started_at)]
    .map((d) => d.getTime())
    .filter((t) => Number.isFinite(t) && t <= nowMs)
    .sort((a, b) => b - a);

  let runStart = nowMs;
  for (const t of incidents) {
    if (runStart - t >= decayMs) break;
    runStart = t;
  }

  const inRun = history.strikes.filter((s) => {
    const t = s.at.getTime();
    return t >= runStart && t <= nowMs;
  });
  const actions = new Set(inRun.map((s) => s.action_slug));
  if (currentAction !== null) actions.add(currentAction);
  return { strikes: inRun.length + (currentAction !== null ? 1 : 0), actions };
}

function countSince(dates: Date[], now: Date, windowSeconds: number): number {
  const nowMs = now.getTime();
  const from = nowMs - windowSeconds * 1000;
  return dates.filter((d) => {
    const t = d.getTime();
    return t > from && t <= nowMs;
  }).length;
}

function unique(values: string[]): string[] {
  return [...new Set(values)];
}
