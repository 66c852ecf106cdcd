import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { ADVISORY_LOCKS } from '../database/advisory-lock.js';
import { type AcceptanceSample, type AcceptanceState, type InvitationStatus, INVITATION_RULES, type ResolvedStatus } from './invitation-rules.js';

const DAY_MS = 86_400_000;

export interface InvitationRow {
  id: string;
  target: string | null;
  actionId: string | null;
  sentAt: Date | null;
  knownSince: Date;
  status: InvitationStatus;
  resolvedAt: Date | null;
}

export interface HealthRow {
  pending: number;
  pendingHigh: boolean;
  sample: number;
  accepted: number;
  acceptanceState: AcceptanceState;
  refusalClearedAt: Date | null;
  computedAt: Date | null;
}

export interface SentInvitation {
  workspaceId: string;
  identityId: string;
  actionId: string;
  target: string | null;
  sentAt: Date;
}

export interface IdentityRef {
  workspaceId: string;
  identityId: string;
}

export interface OutboxEvent {
  workspaceId: string;
  identityId: string;
  type: string;
  payload: Record<string, unknown>;
  createdAt: Date;
}

type Row = Record<string, any>;

const toInvitation = (r: Row): InvitationRow => ({
  id: String(r.id),
  target: r.target,
  actionId: r.action_id,
  sentAt: r.sent_at,
  knownSince: r.known_since,
  status: r.status,
  resolvedAt: r.resolved_at,
});

const COLUMNS = 'id, target, action_id, sent_at, known_since, status, resolved_at';

/** The queries of one identity's transaction, under its invitation lock. */
export class InvitationsTx {
  constructor(readonly manager: EntityManager) {}

  /** Rows of any statement (TypeORM answers an UPDATE … RETURNING with [rows, count]). */
  private async q(sql: string, params: unknown[]): Promise<Row[]> {
    const res: unknown = await this.manager.query(sql, params);
    return Array.isArray(res) && res.length === 2 && Array.isArray(res[0]) && typeof res[1] === 'number' ? res[0] : (res as Row[]);
  }

  /**
   * The guard's invitations, one row each (a retry of an action id inserts nothing). A target the
   * worker already reported resolved after this send (its report overtook this insert) is not
   * reopened. Returns how many became pending.
   */
  async insertSent(items: SentInvitation[]): Promise<number> {
    let inserted = 0;
    for (const s of items) {
      const rows = await this.q(
        `insert into invitations (workspace_id, identity_id, target, action_id, sent_at, known_since, status)
         select $1, $2, $3, $4, $5, $5, 'pending'
         where not exists (select 1 from invitations where identity_id = $2 and target = $3 and resolved_at >= $5)
         on conflict do nothing returning id`,
        [s.workspaceId, s.identityId, s.target, s.actionId, s.sentAt],
      );
      inserted += rows.length;
    }
    return inserted;
  }

  async countPending(identityId: string): Promise<number> {
    const [r] = await this.q(`select count(*)::int as n from invitations where identity_id = $1 and status = 'pending'`, [identityId]);
    return r.n;
  }

  /** Invitations sent in [from, to] and, of them, accepted (the acceptance-rate sample). */
  async sample(identityId: string, from: Date, to: Date): Promise<AcceptanceSample> {
    const [r] = await this.q(
      `select count(*)::int as sample, count(*) filter (where status = 'accepted')::int as accepted
       from invitations where identity_id = $1 and sent_at >= $2 and sent_at <= $3`,
      [identityId, from, to],
    );
    return { sample: r.sample, accepted: r.accepted };
  }

  async health(ref: IdentityRef): Promise<HealthRow> {
    const [r] = await this.q(`select * from invitation_health where identity_id = $1`, [ref.identityId]);
    if (!r) return { pending: 0, pendingHigh: false, sample: 0, accepted: 0, acceptanceState: 'ok', refusalClearedAt: null, computedAt: null };
    return {
      pending: r.pending,
      pendingHigh: r.pending_high,
      sample: r.sample,
      accepted: r.accepted,
      acceptanceState: r.acceptance_state,
      refusalClearedAt: r.refusal_cleared_at,
      computedAt: r.computed_at,
    };
  }

  async saveHealth(ref: IdentityRef, h: HealthRow, now: Date): Promise<void> {
    await this.q(
      `insert into invitation_health (identity_id, workspace_id, pending, pending_high, sample, accepted, acceptance_state, refusal_cleared_at, computed_at)
       values ($1, $2, $3, $4, $5, $6, $7, $8, $9)
       on conflict (identity_id) do update set pending = $3, pending_high = $4, sample = $5, accepted = $6,
         acceptance_state = $7, refusal_cleared_at = $8, computed_at = $9`,
      [ref.identityId, ref.workspaceId, h.pending, h.pendingHigh, h.sample, h.accepted, h.acceptanceState, h.refusalClearedAt, now],
    );
  }

  /** The target's latest invitation (the one a report is about), locked. */
  async latestForTarget(identityId: string, target: string): Promise<InvitationRow | null> {
    const [r] = await this.q(`select ${COLUMNS} from invitations where identity_id = $1 and target = $2 order by id desc limit 1 for update`, [
      identityId,
      target,
    ]);
    return r ? toInvitation(r) : null;
  }

  async resolve(id: string, status: ResolvedStatus, at: Date): Promise<InvitationRow> {
    const [r] = await this.q(`update invitations set status = $2, resolved_at = $3, updated_at = now() where id = $1 returning ${COLUMNS}`, [
      id,
      status,
      at,
    ]);
    return toInvitation(r);
  }

  /** A report about a person the service never saw invited: recorded, its send time unknown. */
  async insertReported(ref: IdentityRef, target: string, status: ResolvedStatus, at: Date): Promise<InvitationRow> {
    const [r] = await this.q(
      `insert into invitations (workspace_id, identity_id, target, known_since, status, resolved_at)
       values ($1, $2, $3, $4, $5, $4) returning ${COLUMNS}`,
      [ref.workspaceId, ref.identityId, target, at, status],
    );
    return toInvitation(r);
  }

  /** A released invitation (never performed) leaves the history; returns it when it was there. */
  async deleteByAction(identityId: string, actionId: string): Promise<InvitationRow | null> {
    const [r] = await this.q(`delete from invitations where identity_id = $1 and action_id = $2 returning ${COLUMNS}`, [identityId, actionId]);
    return r ? toInvitation(r) : null;
  }

  /** The latest invitation of each of `targets` (reconcile). */
  async latestForTargets(identityId: string, targets: string[]): Promise<Map<string, InvitationRow>> {
    const rows = await this.q(
      `select distinct on (target) ${COLUMNS} from invitations
       where identity_id = $1 and target = any($2::text[]) order by target, id desc`,
      [identityId, targets],
    );
    return new Map(rows.map((r) => [r.target as string, toInvitation(r)]));
  }

  /** Pending invitations not on LinkedIn's list (known before `asOf`) become withdrawn at `asOf`. */
  async withdrawUnlisted(identityId: string, listed: string[], asOf: Date): Promise<InvitationRow[]> {
    const rows = await this.q(
      `update invitations set status = 'withdrawn', resolved_at = $3, updated_at = now()
       where identity_id = $1 and status = 'pending' and known_since <= $3
         and (target is null or not (target = any($2::text[]))) returning ${COLUMNS}`,
      [identityId, listed, asOf],
    );
    return rows.map(toInvitation);
  }

  /** Targets LinkedIn lists as pending whose latest invitation here says otherwise: pending again. */
  async reopen(ids: string[]): Promise<number> {
    if (!ids.length) return 0;
    const rows = await this.q(
      `update invitations set status = 'pending', resolved_at = null, updated_at = now() where id = any($1::bigint[]) returning id`,
      [ids],
    );
    return rows.length;
  }

  /** Listed targets never seen here: pending, sent at an unknown time, known since `asOf`. */
  async insertListed(ref: IdentityRef, targets: string[], asOf: Date): Promise<number> {
    if (!targets.length) return 0;
    const rows = await this.q(
      `insert into invitations (workspace_id, identity_id, target, known_since, status)
       select $1, $2, t, $3, 'pending' from unnest($4::text[]) as t
       on conflict do nothing returning id`,
      [ref.workspaceId, ref.identityId, asOf, targets],
    );
    return rows.length;
  }

  async recordEvents(events: OutboxEvent[]): Promise<void> {
    if (!events.length) return;
    const values: unknown[] = [];
    const rows = events.map((e, i) => {
      values.push(e.workspaceId, e.identityId, e.type, JSON.stringify(e.payload), e.createdAt);
      const p = i * 5;
      return `($${p + 1}, $${p + 2}, $${p + 3}, $${p + 4}::jsonb, $${p + 5})`;
    });
    await this.q(`insert into outbox_events (workspace_id, identity_id, type, payload, created_at) values ${rows.join(', ')}`, values);
  }

  /** The identity's names for event payloads (null when it was deleted meanwhile). */
  async identityNames(identityId: string): Promise<{ externalId: string; label: string | null } | null> {
    const [r] = await this.q(`select external_id, label from identities where id = $1`, [identityId]);
    return r ? { externalId: r.external_id, label: r.label } : null;
  }
}

export interface InvitationPageQuery {
  status?: InvitationStatus;
  /** Only invitations known for longer than this (sent, or first seen by a reconcile). */
  knownBefore?: Date;
  after?: { knownSince: Date; id: string } | null;
  limit: number;
}

@Injectable()
export class InvitationsRepository {
  constructor(private readonly ds: DataSource) {}

  /** One identity's invitation changes in order, across instances (transaction advisory lock). */
  inIdentityLock<T>(identityId: string, fn: (tx: InvitationsTx) => Promise<T>): Promise<T> {
    return this.ds.transaction(async (m) => {
      await m.query('select pg_advisory_xact_lock($1, hashtext($2))', [ADVISORY_LOCKS.invitationIdentity, identityId]);
      return fn(new InvitationsTx(m));
    });
  }

  /** Oldest first (by sent_at, or when a reconcile first saw it), keyset-paged. */
  async page(identityId: string, q: InvitationPageQuery): Promise<InvitationRow[]> {
    const rows: Row[] = await this.ds.query(
      `select ${COLUMNS} from invitations
       where identity_id = $1 and ($2::text is null or status = $2) and ($3::timestamptz is null or known_since < $3)
         and ($4::timestamptz is null or (known_since, id) > ($4, $5::bigint))
       order by known_since, id limit $6`,
      [identityId, q.status ?? null, q.knownBefore ?? null, q.after?.knownSince ?? null, q.after?.id ?? null, q.limit],
    );
    return rows.map(toInvitation);
  }

  /** What the guard needs, read from PostgreSQL to rebuild the Redis hash. */
  async snapshot(
    ref: IdentityRef,
    now: Date,
  ): Promise<{ pending: number; marks: { target: string; status: InvitationStatus; resolvedAt: Date | null }[]; health: HealthRow }> {
    const reinviteFrom = new Date(now.getTime() - INVITATION_RULES.reinviteAfterDays * DAY_MS);
    const marks: Row[] = await this.ds.query(
      `select target, status, resolved_at from (
         select distinct on (target) target, status, resolved_at from invitations
         where identity_id = $1 and target is not null order by target, id desc) latest
       where status in ('pending', 'accepted') or (status = 'withdrawn' and resolved_at > $2)`,
      [ref.identityId, reinviteFrom],
    );
    const [{ n }] = await this.ds.query(`select count(*)::int as n from invitations where identity_id = $1 and status = 'pending'`, [ref.identityId]);
    const health = await new InvitationsTx(this.ds.manager).health(ref);
    return { pending: n, marks: marks.map((r) => ({ target: r.target, status: r.status, resolvedAt: r.resolved_at })), health };
  }

  /** Pending invitations known for longer than `olderThan`, oldest first (at most `limit`), and how many there are. */
  async toWithdraw(identityId: string, olderThan: Date, limit: number): Promise<{ total: number; rows: InvitationRow[] }> {
    const [{ n }] = await this.ds.query(
      `select count(*)::int as n from invitations where identity_id = $1 and status = 'pending' and known_since < $2`,
      [identityId, olderThan],
    );
    if (!n || limit <= 0) return { total: n, rows: [] };
    const rows: Row[] = await this.ds.query(
      `select ${COLUMNS} from invitations where identity_id = $1 and status = 'pending' and known_since < $2 order by known_since, id limit $3`,
      [identityId, olderThan, limit],
    );
    return { total: n, rows: rows.map(toInvitation) };
  }

  /** Invitations marked withdrawn since `since` (the day's withdrawals count against the 100 a day). */
  async withdrawnSince(identityId: string, since: Date): Promise<number> {
    const [r] = await this.ds.query(
      `select count(*)::int as n from invitations where identity_id = $1 and status = 'withdrawn' and resolved_at > $2`,
      [identityId, since],
    );
    return r.n;
  }

  async health(ref: IdentityRef): Promise<HealthRow> {
    return new InvitationsTx(this.ds.manager).health(ref);
  }

  /**
   * Identities whose acceptance rate may move with time: those that sent invitations within the
   * sample's reach, or whose stored state is not ok or is pending-high. Keyset-paged on identity id.
   */
  async identitiesToRefresh(sentSince: Date, afterId: string | null, limit: number): Promise<IdentityRef[]> {
    const rows: Row[] = await this.ds.query(
      `select workspace_id, identity_id from (
         select distinct workspace_id, identity_id from invitations where sent_at >= $1
         union
         select workspace_id, identity_id from invitation_health where acceptance_state <> 'ok' or pending_high or sample > 0
       ) s where ($2::uuid is null or identity_id > $2::uuid) order by identity_id limit $3`,
      [sentSince, afterId, limit],
    );
    return rows.map((r) => ({ workspaceId: r.workspace_id, identityId: r.identity_id }));
  }
}
