/** How an action entered its windows: at the guard's own time, backfilled (occurred_at) or scheduled ahead. */
export type JournalKind = 'now' | 'backfill' | 'scheduled';

/**
 * One change of an identity's windows, as the journal keeps it. Times are the Redis clock's (the
 * windows' own scores), in ms.
 */
export interface JournalEntry {
  event: 'recorded' | 'released';
  workspaceId: string;
  identityId: string;
  actionId: string;
  actionSlug: string;
  /** The limits whose windows the action was recorded in (released from). */
  limits: string[];
  cost: number;
  kind: JournalKind;
  /** The window score: when the action counts. A release carries the score of the recording it cancelled. */
  recordedAtMs: number;
  /** When the guard recorded it, or the release removed it. */
  decidedAtMs: number;
}

/** A recording still standing (not released), as a rebuild restores it. */
export interface StandingAction {
  actionId: string;
  actionSlug: string;
  kind: JournalKind;
  limits: string[];
  cost: number;
  atMs: number;
}

/** One row of GET /v1/identities/{id}/actions. */
export interface JournalActionRow {
  actionId: string;
  actionSlug: string;
  limits: string[];
  cost: number;
  kind: JournalKind;
  recordedAt: Date;
  decidedAt: Date;
  releasedAt: Date | null;
}
