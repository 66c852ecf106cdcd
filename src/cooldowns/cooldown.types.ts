import { type Classification } from '../classification/classifier.js';

export type CooldownScope = 'identity' | 'limits';
export type CooldownSource = 'outcome' | 'manual';
/** Who ended a cooldown: its end passed, a person cleared it, or a longer one covering it replaced it. */
export type CooldownEndedBy = 'expiry' | 'cleared' | 'superseded';

/** One row of the cooldown history (PostgreSQL is its owner; Redis holds only mirrors). */
export interface CooldownRow {
  id: string;
  workspaceId: string;
  identityId: string;
  scope: CooldownScope;
  /** The limits cooled down; empty when the whole identity is. */
  limits: string[];
  reason: string;
  level: number;
  source: CooldownSource;
  sourceStatus: number | null;
  actionSlug: string | null;
  classification: PublicClassification | null;
  atRisk: boolean;
  startedAt: Date;
  /** null: until a person clears it. */
  endsAt: Date | null;
  endedAt: Date | null;
  endedBy: CooldownEndedBy | null;
  supersededBy: string | null;
}

/** What the API shows of a classification (SPEC §5 fields, plus the evidence and the rule applied). */
export interface PublicClassification {
  type: Classification['type'];
  status_code: number;
  error_label: string | null;
  origin: Classification['origin'];
  retryable: boolean;
  retry_after_seconds: number | null;
  /** The evidence that decided (stable machine name). */
  signal: Classification['signal'];
  /** The rule of the cooldown policy it calls for (`none`: no cooldown). */
  cooldown_rule: Classification['cooldown'];
}

export function publicClassification(c: Classification): PublicClassification {
  return {
    type: c.type,
    status_code: c.status_code,
    error_label: c.error_label,
    origin: c.origin,
    retryable: c.retryable,
    retry_after_seconds: c.retry_after_seconds,
    signal: c.signal,
    cooldown_rule: c.cooldown,
  };
}

export interface CooldownView {
  id: string;
  identity_id: string;
  scope: CooldownScope;
  limits: string[];
  reason: string;
  level: number;
  source: CooldownSource;
  source_status: number | null;
  action_slug: string | null;
  at_risk: boolean;
  started_at: string;
  ends_at: string | null;
  ended_at: string | null;
  ended_by: CooldownEndedBy | null;
  /** Still enforced at `now`. */
  active: boolean;
}

export function isActive(c: Pick<CooldownRow, 'endedAt' | 'endsAt'>, now: Date): boolean {
  return c.endedAt === null && (c.endsAt === null || c.endsAt.getTime() > now.getTime());
}

export function toCooldownView(c: CooldownRow, now: Date): CooldownView {
  return {
    id: c.id,
    identity_id: c.identityId,
    scope: c.scope,
    limits: c.limits,
    reason: c.reason,
    level: c.level,
    source: c.source,
    source_status: c.sourceStatus,
    action_slug: c.actionSlug,
    at_risk: c.atRisk,
    started_at: c.startedAt.toISOString(),
    ends_at: c.endsAt ? c.endsAt.toISOString() : null,
    ended_at: c.endedAt ? c.endedAt.toISOString() : null,
    ended_by: c.endedBy,
    active: isActive(c, now),
  };
}

/** One logged outcome that was not a success (the dashboard's "recent errors"). */
export interface ClassifiedErrorView {
  id: string;
  action_slug: string;
  action_id: string | null;
  type: string;
  status_code: number;
  error_label: string | null;
  origin: string;
  signal: string;
  retry_after_seconds: number | null;
  /** Counted as a LinkedIn 429 strike (escalates the next cooldown). */
  strike: boolean;
  cooldown_id: string | null;
  occurred_at: string;
}
