import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { type OutboxEvent, writeOutboxEvents } from '../database/outbox.js';
import { ADVISORY_LOCKS } from '../database/advisory-lock.js';
import { preparedQuery } from '../database/prepared-query.js';
import { type CooldownRow, type CooldownSource, type PublicClassification } from './cooldown.types.js';
import { type NewCooldown } from './cooldown-plan.js';

export interface NewCooldownRow extends NewCooldown {
  workspaceId: string;
  identityId: string;
  source: CooldownSource;
  sourceStatus: number | null;
  actionSlug: string | null;
  classification: PublicClassification | null;
  startedAt: Date;
}

export interface IdentityRef {
  workspaceId: string;
  identityId: string;
}

type Row = Record<string, any>;

function toRow(r: Row): CooldownRow {
  return {
    id: r.id,
    workspaceId: r.workspace_id,
    identityId: r.identity_id,
    scope: r.scope,
    limits: r.limits ?? [],
    reason: r.reason,
    level: r.level,
    source: r.source,
    sourceStatus: r.source_status,
    actionSlug: r.action_slug,
    classification: r.classification,
    atRisk: r.at_risk,
    startedAt: new Date(r.started_at),
    endsAt: r.ends_at ? new Date(r.ends_at) : null,
    endedAt: r.ended_at ? new Date(r.ended_at) : null,
    endedBy: r.ended_by,
    supersededBy: r.superseded_by,
  };
}

const OPEN_AT = `ended_at is null and (ends_at is null or ends_at > $2)`;
const OPEN_C = `c.ended_at is null and (c.ends_at is null or c.ends_at > $2)`;

/**
 * A workspace's cooldowns that matter to its health at $2 (now): running ones and those started
 * since $3, each with `prolongs` (it only prolongs an earlier cooldown of the same shape, so it is
 * the same incident). Parameters: $1 workspace, $2 now, $3 since.
 */
const RECENT_COOLDOWNS = `
  select c.*, exists (
           select 1 from cooldowns p
           where p.superseded_by = c.id and p.reason = c.reason and p.level = c.level and p.scope = c.scope and p.limits = c.limits) as prolongs
  from cooldowns c
  where c.workspace_id = $1 and (c.started_at > $3 or (${OPEN_C}))`;

/** An identity's pushback as the dashboard weighs it. */
export interface IdentityRiskFacts {
  identityId: string;
  running: CooldownRow[];
  cooldowns7d: number;
  flagged7d: boolean;
}

/**
 * Queries of one transaction that holds the identity's cooldown lock. Every change to an identity's
 * cooldowns and every write of its Redis mirrors happens under that lock, so mirrors are written in
 * the order the changes committed (a slower writer can never put back a state that is gone).
 */
export class CooldownTx {
  constructor(readonly manager: EntityManager) {}

  async running(identityId: string, now: Date): Promise<CooldownRow[]> {
    const rows: Row[] = await this.manager.query(`select * from cooldowns where identity_id = $1 and ${OPEN_AT}`, [identityId, now]);
    return rows.map(toRow);
  }

  async runningOf(identityIds: string[], now: Date): Promise<CooldownRow[]> {
    if (!identityIds.length) return [];
    const rows: Row[] = await this.manager.query(`select * from cooldowns where identity_id = any($1::uuid[]) and ${OPEN_AT}`, [identityIds, now]);
    return rows.map(toRow);
  }

  /** Earlier strikes and cooldown starts, enough to walk the policy's strike run and its 7-day count. */
  async history(identityId: string, since: Date, now: Date) {
    const strikes: Row[] = await this.manager.query(
      `select occurred_at, action_slug from classified_errors
       where identity_id = $1 and strike and occurred_at > $2 and occurred_at <= $3
       order by occurred_at desc limit 500`,
      [identityId, since, now],
    );
    // A cooldown that only prolongs an earlier one of the same shape (a later Retry-After, the same
    // restriction reported again) is the same incident: it must not count as a recurrence.
    const cooldowns: Row[] = await this.manager.query(
      `select c.started_at from cooldowns c
       where c.identity_id = $1 and c.started_at > $2 and c.started_at <= $3
         and not exists (
           select 1 from cooldowns p
           where p.superseded_by = c.id and p.reason = c.reason and p.level = c.level and p.scope = c.scope and p.limits = c.limits)
       order by c.started_at desc limit 500`,
      [identityId, since, now],
    );
    return {
      strikes: strikes.map((s) => ({ at: new Date(s.occurred_at), action_slug: s.action_slug as string })),
      cooldowns: cooldowns.map((c) => ({ started_at: new Date(c.started_at) })),
    };
  }

  async insert(c: NewCooldownRow): Promise<CooldownRow> {
    const [row]: Row[] = await this.manager.query(
      `insert into cooldowns (workspace_id, identity_id, scope, limits, reason, level, source, source_status, action_slug,
                              classification, at_risk, started_at, ends_at)
       values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) returning *`,
      [
        c.workspaceId,
        c.identityId,
        c.scope,
        c.limits,
        c.reason,
        c.level,
        c.source,
        c.sourceStatus,
        c.actionSlug,
        c.classification === null ? null : JSON.stringify(c.classification),
        c.atRisk,
        c.startedAt,
        c.endsAt,
      ],
    );
    return toRow(row);
  }

  /** Ends the given cooldowns still open; returns only those this call ended (each ends once). */
  async supersede(ids: string[], by: string, now: Date): Promise<CooldownRow[]> {
    if (!ids.length) return [];
    const rows: Row[] = await this.manager.query(
      `with ended as (
         update cooldowns set ended_at = $2, ended_by = 'superseded', superseded_by = $3
         where id = any($1::uuid[]) and ended_at is null returning *)
       select * from ended`,
      [ids, now, by],
    );
    return rows.map(toRow);
  }

  /** Ends every cooldown of the identity still enforced; expired ones are left to the expiry job. */
  async clear(ref: IdentityRef, now: Date): Promise<CooldownRow[]> {
    const rows: Row[] = await this.manager.query(
      `with ended as (
         update cooldowns set ended_at = $2, ended_by = 'cleared'
         where identity_id = $1 and workspace_id = $3 and ${OPEN_AT} returning *)
       select * from ended order by started_at desc, id desc`,
      [ref.identityId, now, ref.workspaceId],
    );
    return rows.map(toRow);
  }

  async logClassifiedError(e: {
    workspaceId: string;
    identityId: string;
    actionSlug: string;
    actionId: string | null;
    classification: PublicClassification;
    strike: boolean;
    cooldownId: string | null;
    occurredAt: Date;
  }): Promise<void> {
    const c = e.classification;
    await this.manager.query(
      `insert into classified_errors (workspace_id, identity_id, action_slug, action_id, type, status_code, error_label, origin,
                                      signal, retry_after_seconds, strike, cooldown_id, occurred_at)
       values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)`,
      [
        e.workspaceId,
        e.identityId,
        e.actionSlug,
        e.actionId,
        c.type,
        c.status_code,
        c.error_label,
        c.origin,
        c.signal,
        c.retry_after_seconds === null ? null : Math.min(c.retry_after_seconds, 2_147_483_647),
        e.strike,
        e.cooldownId,
        e.occurredAt,
      ],
    );
  }

  async recordEvents(events: OutboxEvent[]): Promise<void> {
    await writeOutboxEvents(this.manager, events);
  }
}

@Injectable()
export class CooldownsRepository {
  constructor(private readonly ds: DataSource) {}

  /** Runs `fn` in a transaction holding the identity's cooldown lock (waits for it). */
  inIdentityLock<T>(identityId: string, fn: (tx: CooldownTx) => Promise<T>): Promise<T> {
    return this.ds.transaction(async (m) => {
      await m.query('select pg_advisory_xact_lock($1, hashtext($2))', [ADVISORY_LOCKS.cooldownIdentity, identityId]);
      return fn(new CooldownTx(m));
    });
  }

  /**
   * Runs `fn` in a transaction holding the locks of those of `identityIds` that are free right now;
   * the busy ones are skipped (whoever holds the lock is changing them and mirrors them after).
   */
  inFreeIdentityLocks<T>(identityIds: string[], fn: (tx: CooldownTx, locked: string[]) => Promise<T>): Promise<T> {
    return this.ds.transaction(async (m) => {
      const rows: Row[] = await m.query(`select id from unnest($2::uuid[]) as id where pg_try_advisory_xact_lock($1, hashtext(id::text))`, [
        ADVISORY_LOCKS.cooldownIdentity,
        identityIds,
      ]);
      return fn(
        new CooldownTx(m),
        rows.map((r) => r.id as string),
      );
    });
  }

  /** Cooldowns of one identity enforced at `now` (the dashboard's "active cooldown"). */
  async runningFor(ref: IdentityRef, now: Date): Promise<CooldownRow[]> {
    const rows: Row[] = await this.ds.query(
      `select * from cooldowns where identity_id = $1 and ${OPEN_AT} and workspace_id = $3 order by started_at desc, id desc`,
      [ref.identityId, now, ref.workspaceId],
    );
    return rows.map(toRow);
  }

  /**
   * What the dashboard needs of one identity's pushback, in one query: its running cooldowns, the
   * cooldown incidents of the trailing 7 days (a prolongation of one incident counts once, as for the
   * policy), whether the policy flagged one of them at_risk, and its most recent classified errors.
   */
  async healthFacts(ref: IdentityRef, now: Date, since: Date, errorsLimit: number): Promise<IdentityRiskFacts & { errors: Row[] }> {
    const [r] = await preparedQuery(
      this.ds,
      'sl_health_facts',
      `with c as (${RECENT_COOLDOWNS} and c.identity_id = $4)
       select
         (select coalesce(json_agg(row_to_json(c) order by c.started_at desc, c.id desc), '[]'::json) from c where ${OPEN_C}) as running,
         (select count(*) from c where c.started_at > $3 and c.started_at <= $2 and not c.prolongs)::int as cooldowns_7d,
         (select coalesce(bool_or(c.at_risk), false) from c where c.started_at > $3 and c.started_at <= $2) as flagged_7d,
         (select coalesce(json_agg(e), '[]'::json) from (
            select id::text, action_slug, action_id, type, status_code, error_label, origin, signal, retry_after_seconds, strike,
                   cooldown_id, occurred_at
            from classified_errors where workspace_id = $1 and identity_id = $4
            order by occurred_at desc, id desc limit $5) e) as errors`,
      [ref.workspaceId, now, since, ref.identityId, errorsLimit],
    );
    return {
      identityId: ref.identityId,
      running: (r.running as Row[]).map(toRow),
      cooldowns7d: r.cooldowns_7d,
      flagged7d: r.flagged_7d,
      errors: r.errors,
    };
  }

  /** The same risk facts for every identity of a workspace that has any (one query; others have none). */
  async workspaceRiskFacts(workspaceId: string, now: Date, since: Date): Promise<IdentityRiskFacts[]> {
    const rows: Row[] = await this.ds.query(
      `with c as (${RECENT_COOLDOWNS})
       select identity_id,
              coalesce(json_agg(row_to_json(c) order by c.started_at desc, c.id desc) filter (where ${OPEN_C}), '[]'::json) as running,
              (count(*) filter (where c.started_at > $3 and c.started_at <= $2 and not c.prolongs))::int as cooldowns_7d,
              coalesce(bool_or(c.at_risk) filter (where c.started_at > $3 and c.started_at <= $2), false) as flagged_7d
       from c group by identity_id`,
      [workspaceId, now, since],
    );
    return rows.map((r) => ({
      identityId: r.identity_id,
      running: (r.running as Row[]).map(toRow),
      cooldowns7d: r.cooldowns_7d,
      flagged7d: r.flagged_7d,
    }));
  }

  /** History of one identity, newest first, keyset-paged on (started_at, id). */
  async page(ref: IdentityRef, before: { startedAt: Date; id: string } | null, limit: number): Promise<CooldownRow[]> {
    const rows: Row[] = await this.ds.query(
      `select * from cooldowns
       where workspace_id = $1 and identity_id = $2
         and ($3::timestamptz is null or (started_at, id) < ($3::timestamptz, $4::uuid))
       order by started_at desc, id desc limit $5`,
      [ref.workspaceId, ref.identityId, before?.startedAt ?? null, before?.id ?? null, limit],
    );
    return rows.map(toRow);
  }

  /**
   * Claims up to `limit` cooldowns whose end has passed and ends them, with their events, in one
   * transaction. `SKIP LOCKED` lets every instance run the job: rows another instance is ending are
   * passed over, and `ended_at is null` (re-checked on the locked row) ends each cooldown once.
   */
  async endExpired(now: Date, limit: number, events: (ended: CooldownRow[]) => OutboxEvent[]): Promise<CooldownRow[]> {
    return this.ds.transaction(async (m) => {
      const rows: Row[] = await m.query(
        `with due as (
           select id from cooldowns where ended_at is null and ends_at <= $1
           order by ends_at limit $2 for update skip locked),
         ended as (
           update cooldowns c set ended_at = c.ends_at, ended_by = 'expiry' from due where c.id = due.id returning c.*)
         select * from ended`,
        [now, limit],
      );
      const ended = rows.map(toRow);
      await writeOutboxEvents(m, events(ended));
      return ended;
    });
  }

  /**
   * Identities whose mirrors may need writing: those with open cooldowns, and those with cooldowns
   * ended since `endedSince` (their mirrors must be gone). Keyset-paged on identity id.
   */
  async identitiesToMirror(endedSince: Date, afterId: string | null, limit: number): Promise<IdentityRef[]> {
    const rows: Row[] = await this.ds.query(
      `select workspace_id, identity_id from cooldowns
       where (ended_at is null or ended_at > $1) and ($2::uuid is null or identity_id > $2::uuid)
       group by workspace_id, identity_id order by identity_id limit $3`,
      [endedSince, afterId, limit],
    );
    return rows.map((r) => ({ workspaceId: r.workspace_id, identityId: r.identity_id }));
  }
}
