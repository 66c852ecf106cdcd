import { Injectable, Logger } from '@nestjs/common';
import { Clock } from '../common/clock.js';
import { ApiError } from '../common/errors/api-error.js';
import { storeOfError } from '../common/errors/store-errors.js';
import { IdentitiesService } from '../identities/identities.service.js';
import { lowAcceptance, pendingHigh } from './invitation-events.js';
import {
  acceptanceTransition,
  type AcceptanceView,
  INVITATION_RULES,
  type InvitationStatus,
  judgeAcceptance,
  pendingTransition,
  type ResolvedStatus,
  sampleWindow,
} from './invitation-rules.js';
import { type InvitationHashView, InvitationState, type TargetMark, targetField } from './invitation-state.js';
import {
  type HealthRow,
  type IdentityRef,
  type InvitationRow,
  InvitationsRepository,
  type InvitationsTx,
  type OutboxEvent,
} from './invitations.repository.js';

const DAY_MS = 86_400_000;

/** An invitation the guard recorded, for the history. */
export interface RecordedInvitation {
  workspaceId: string;
  identityId: string;
  actionId: string;
  /** The person invited, when the worker named one. */
  target: string | null;
  at: Date;
}
/** A pending count is only corrected from PostgreSQL when the guard recorded nothing this recently (its row may be on its way). */
const SETTLE_QUIET_MS = 60_000;
/** Clocks a little ahead of ours are tolerated in `at` / `as_of`. */
const FUTURE_TOLERANCE_MS = 5_000;
const MAX_AS_OF_AGE_MS = 7 * DAY_MS;

export interface InvitationView {
  target: string | null;
  action_id: string | null;
  sent_at: string | null;
  known_since: string;
  status: InvitationStatus;
  resolved_at: string | null;
}

export interface AcceptanceRateView {
  rate: number | null;
  sample_size: number;
  accepted: number;
  min_sample: number;
  low_acceptance: boolean;
  threshold_factor: number;
  refusing: boolean;
}

export interface InvitationSummary {
  pending_invitations: number;
  pending_warning_at: number;
  pending_refused_at: number;
  acceptance_rate: AcceptanceRateView;
}

export interface WithdrawAdvice {
  older_than_days: number;
  /** Pending invitations older than 21 days. */
  total: number;
  /** How many to withdraw today: at most 100 a day, less those already withdrawn in the last 24 h. */
  today: number;
  /** The first `today` of them, oldest first. */
  invitations: InvitationView[];
}

const iso = (d: Date | null) => (d ? d.toISOString() : null);

export function toInvitationView(r: InvitationRow): InvitationView {
  return {
    target: r.target,
    action_id: r.actionId,
    sent_at: iso(r.sentAt),
    known_since: r.knownSince.toISOString(),
    status: r.status,
    resolved_at: iso(r.resolvedAt),
  };
}

export function summaryOf(v: InvitationHashView): InvitationSummary {
  return {
    pending_invitations: v.pending,
    pending_warning_at: INVITATION_RULES.pendingWarning,
    pending_refused_at: INVITATION_RULES.pendingRefuse,
    acceptance_rate: {
      rate: v.rate,
      sample_size: v.sample,
      accepted: v.accepted,
      min_sample: INVITATION_RULES.sampleMin,
      low_acceptance: v.state !== 'ok',
      threshold_factor: v.factor,
      refusing: v.refusing,
    },
  };
}

interface Recomputed {
  health: HealthRow;
  view: AcceptanceView;
  refusing: boolean;
  events: OutboxEvent[];
}

/**
 * Invitation health (SPEC §5b): the history in PostgreSQL, the state the guard reads in Redis, the
 * events once per crossing. Every change of an identity runs under its lock, recomputes pending and
 * the acceptance rate in the same transaction (so an event is emitted once per crossing, across
 * instances), then applies its effect to the Redis hash.
 */
@Injectable()
export class InvitationsService {
  private readonly logger = new Logger('Invitations');

  constructor(
    private readonly repo: InvitationsRepository,
    private readonly state: InvitationState,
    private readonly identities: IdentitiesService,
    private readonly clock: Clock,
  ) {}

  private async ref(workspaceId: string, identityId: string): Promise<IdentityRef> {
    const identity = await this.identities.get(workspaceId, identityId);
    return { workspaceId, identityId: identity.id };
  }

  /** The invitations the guard recorded, into the history (one row per action id). */
  async recordSent(items: RecordedInvitation[]): Promise<void> {
    const byIdentity = new Map<string, RecordedInvitation[]>();
    for (const i of items) byIdentity.set(i.identityId, [...(byIdentity.get(i.identityId) ?? []), i]);
    for (const group of byIdentity.values()) {
      const ref = { workspaceId: group[0].workspaceId, identityId: group[0].identityId };
      await this.repo.inIdentityLock(ref.identityId, async (tx) => {
        await tx.insertSent(group.map((g) => ({ ...ref, actionId: g.actionId, target: g.target, sentAt: g.at })));
        const r = await this.recompute(tx, ref);
        await tx.recordEvents(r.events);
      });
    }
  }

  /**
   * A recorded invitation was released (not performed): it leaves the history, the count and the
   * target's mark. Its row is written after the guard's answer; a release racing that write finds
   * nothing and changes nothing here (the refresh job settles the count, a reconcile the target).
   */
  async released(ref: IdentityRef, actionId: string): Promise<boolean> {
    const r = await this.durably(() =>
      this.repo.inIdentityLock(ref.identityId, async (tx) => {
        const row = await tx.deleteByAction(ref.identityId, actionId);
        if (!row) return null;
        const x = await this.recompute(tx, ref);
        await tx.recordEvents(x.events);
        return { row, x };
      }),
    );
    if (!r) {
      this.logger.warn({ identityId: ref.identityId, actionId }, 'released invitation not in the history (yet): its Redis mark stays');
      return false;
    }
    const pending = r.row.status === 'pending';
    await this.afterCommit(ref, {
      pendingDelta: pending ? -1 : 0,
      targets: pending && r.row.target ? [[targetField(r.row.target), '']] : [],
      acceptance: { view: r.x.view, refusing: r.x.refusing },
    });
    return true;
  }

  /** POST …/invitations/{target}: what became of an invitation. */
  async report(
    workspaceId: string,
    identityId: string,
    target: string,
    status: ResolvedStatus,
    at?: Date,
  ): Promise<{ invitation: InvitationView; changed: boolean; summary: InvitationSummary }> {
    const ref = await this.ref(workspaceId, identityId);
    const when = this.checkedTime(at, 'at');
    const result = await this.durably(() =>
      this.repo.inIdentityLock(ref.identityId, async (tx) => {
        const latest = await tx.latestForTarget(ref.identityId, target);
        let row: InvitationRow;
        let changed = true;
        if (!latest) row = await tx.insertReported(ref, target, status, when);
        else if (latest.status === status) {
          row = latest;
          changed = false;
        } else row = await tx.resolve(latest.id, status, when);
        const r = await this.recompute(tx, ref);
        await tx.recordEvents(r.events);
        return { row, changed, wasPending: latest?.status === 'pending', r };
      }),
    );
    await this.afterCommit(ref, {
      pendingDelta: result.changed && result.wasPending ? -1 : 0,
      // The mark is written again on an unchanged retry: a report answered 503 (Redis away) repairs it.
      targets: [[targetField(target), this.markOf(result.row)]],
      acceptance: { view: result.r.view, refusing: result.r.refusing },
    });
    return { invitation: toInvitationView(result.row), changed: result.changed, summary: await this.summary(ref) };
  }

  /**
   * PUT …/invitations/pending: LinkedIn's list of sent invitations is the truth. Pending invitations
   * known before `asOf` that it does not list become `withdrawn` at `asOf` (LinkedIn shows neither
   * accepted nor withdrawn nor expired ones, and a withdrawn person may not be invited again for 3
   * weeks: the safe reading; report acceptances before reconciling). Listed targets unknown here are
   * added as pending with an unknown sent_at; listed ones recorded otherwise become pending again.
   */
  async reconcile(
    workspaceId: string,
    identityId: string,
    targets: string[],
    asOf?: Date,
  ): Promise<{ pending: number; added: number; reopened: number; withdrawn: number; as_of: string; summary: InvitationSummary }> {
    const ref = await this.ref(workspaceId, identityId);
    const when = this.checkedTime(asOf, 'as_of');
    if (when.getTime() < this.clock.now().getTime() - MAX_AS_OF_AGE_MS) {
      throw ApiError.badRequest('as_of is too old', { as_of: ['must be within the last 7 days'] });
    }
    const listed = [...new Set(targets)];
    const result = await this.durably(() =>
      this.repo.inIdentityLock(ref.identityId, async (tx) => {
        const latest = await tx.latestForTargets(ref.identityId, listed);
        const withdrawn = await tx.withdrawUnlisted(ref.identityId, listed, when);
        const reopenRows = [...latest.values()].filter((r) => r.status !== 'pending');
        const reopened = await tx.reopen(reopenRows.map((r) => r.id));
        const unknown = listed.filter((t) => !latest.has(t));
        const added = await tx.insertListed(ref, unknown, when);
        const r = await this.recompute(tx, ref);
        await tx.recordEvents(r.events);
        return { withdrawn, reopenRows, reopened, unknown, added, r };
      }),
    );
    const marks: [string, TargetMark][] = [];
    for (const w of result.withdrawn) if (w.target) marks.push([targetField(w.target), this.markOf(w)]);
    for (const r of result.reopenRows) marks.push([targetField(r.target!), 'p']);
    for (const t of result.unknown) marks.push([targetField(t), 'p']);
    await this.afterCommit(ref, {
      pendingDelta: result.added + result.reopened - result.withdrawn.length,
      targets: marks,
      acceptance: { view: result.r.view, refusing: result.r.refusing },
    });
    return {
      pending: result.r.health.pending,
      added: result.added,
      reopened: result.reopened,
      withdrawn: result.withdrawn.length,
      as_of: when.toISOString(),
      summary: await this.summary(ref),
    };
  }

  async list(
    workspaceId: string,
    identityId: string,
    q: { status?: InvitationStatus; olderThanDays?: number; limit: number; after: { knownSince: Date; id: string } | null },
  ): Promise<{ rows: InvitationRow[]; more: boolean }> {
    const ref = await this.ref(workspaceId, identityId);
    const knownBefore = q.olderThanDays === undefined ? undefined : new Date(this.clock.now().getTime() - q.olderThanDays * DAY_MS);
    const rows = await this.durably(() => this.repo.page(ref.identityId, { status: q.status, knownBefore, after: q.after, limit: q.limit + 1 }));
    return { rows: rows.slice(0, q.limit), more: rows.length > q.limit };
  }

  /** POST …/cooldowns/clear lifts an acceptance-rate refusal too (until the rate recovers and falls again). */
  async clearRefusal(ref: IdentityRef): Promise<boolean> {
    const now = this.clock.now();
    const r = await this.durably(() =>
      this.repo.inIdentityLock(ref.identityId, async (tx) => {
        const h = await tx.health(ref);
        if (h.acceptanceState !== 'refuse' || h.refusalClearedAt) return null;
        const next = { ...h, refusalClearedAt: now };
        await tx.saveHealth(ref, next, h.computedAt ?? now);
        return next;
      }),
    );
    if (!r) return false;
    await this.afterCommit(ref, { acceptance: { view: judgeAcceptance(r), refusing: false } });
    return true;
  }

  /**
   * Recomputes one identity's acceptance rate (its sample moves with time) and corrects a drifted
   * pending count in Redis. Run by the refresh job; safe on several instances at once.
   */
  async refresh(ref: IdentityRef): Promise<void> {
    const gen = await this.state.gen(ref.workspaceId, ref.identityId);
    const r = await this.repo.inIdentityLock(ref.identityId, async (tx) => {
      const x = await this.recompute(tx, ref);
      await tx.recordEvents(x.events);
      return x;
    });
    await this.state.settle(ref.workspaceId, ref.identityId, gen, r.health.pending, this.clock.now().getTime(), SETTLE_QUIET_MS);
    await this.state.apply(ref.workspaceId, ref.identityId, { acceptance: { view: r.view, refusing: r.refusing } });
  }

  /**
   * Rebuilds the identity's Redis hash from PostgreSQL (after a Redis data loss, or the first time).
   * Optimistic: a change committed while it read (gen moved) makes it read again.
   */
  async rebuild(ref: IdentityRef): Promise<void> {
    for (let attempt = 0; attempt < 5; attempt++) {
      const gen = await this.state.gen(ref.workspaceId, ref.identityId);
      const now = this.clock.now();
      const snap = await this.repo.snapshot(ref, now);
      const targets = new Map<string, TargetMark>();
      for (const m of snap.marks) {
        targets.set(targetField(m.target), this.markOf({ status: m.status, resolvedAt: m.resolvedAt }));
      }
      const acceptance = judgeAcceptance(snap.health);
      const stored = {
        ...acceptance,
        state: snap.health.acceptanceState,
        factor: snap.health.acceptanceState === 'ok' ? 1 : INVITATION_RULES.lowFactor,
      };
      const refusing = snap.health.acceptanceState === 'refuse' && !snap.health.refusalClearedAt;
      if (await this.state.load(ref.workspaceId, ref.identityId, gen, { pending: snap.pending, acceptance: stored, refusing, targets })) return;
    }
    throw new Error(`invitation state of ${ref.identityId} kept changing during its rebuild`);
  }

  /** What the guard sees (rebuilt first when Redis lost it). */
  async summary(ref: IdentityRef): Promise<InvitationSummary> {
    let v = await this.state.view(ref.workspaceId, ref.identityId);
    if (!v.loaded) {
      await this.rebuild(ref);
      v = await this.state.view(ref.workspaceId, ref.identityId);
    }
    return summaryOf(v);
  }

  /** What the guard sees of many identities, as Redis holds it (no rebuild: identities never invited read as 0). */
  states(workspaceId: string, identityIds: string[]): Promise<InvitationHashView[]> {
    return this.state.viewMany(workspaceId, identityIds);
  }

  /** The invitations to withdraw first: pending for more than 21 days, oldest first, at most 100 a day. */
  async withdrawAdvice(ref: IdentityRef): Promise<WithdrawAdvice> {
    const now = this.clock.now().getTime();
    const done = await this.repo.withdrawnSince(ref.identityId, new Date(now - DAY_MS));
    const today = Math.max(0, INVITATION_RULES.withdrawPerDay - done);
    const w = await this.repo.toWithdraw(ref.identityId, new Date(now - INVITATION_RULES.withdrawAfterDays * DAY_MS), today);
    return {
      older_than_days: INVITATION_RULES.withdrawAfterDays,
      total: w.total,
      today: Math.min(today, w.total),
      invitations: w.rows.map(toInvitationView),
    };
  }

  private markOf(r: { status: InvitationStatus; resolvedAt: Date | null }): TargetMark {
    if (r.status === 'pending') return 'p';
    if (r.status === 'accepted') return 'a';
    if (
      r.status === 'withdrawn' &&
      r.resolvedAt &&
      r.resolvedAt.getTime() > this.clock.now().getTime() - INVITATION_RULES.reinviteAfterDays * DAY_MS
    ) {
      return `w:${r.resolvedAt.getTime()}`;
    }
    return '';
  }

  /** Pending count and acceptance rate as they are now, their crossings as events (caller records them). */
  private async recompute(tx: InvitationsTx, ref: IdentityRef): Promise<Recomputed> {
    const now = this.clock.now();
    const prev = await tx.health(ref);
    const pending = await tx.countPending(ref.identityId);
    const { from, to } = sampleWindow(now);
    const view = judgeAcceptance(await tx.sample(ref.identityId, from, to));
    const a = acceptanceTransition({ state: prev.acceptanceState, refusalClearedAt: prev.refusalClearedAt }, view.state);
    const p = pendingTransition(prev.pendingHigh, pending);
    const health: HealthRow = {
      pending,
      pendingHigh: p.high,
      sample: view.sample,
      accepted: view.accepted,
      acceptanceState: a.state,
      refusalClearedAt: a.refusalClearedAt,
      computedAt: now,
    };
    await tx.saveHealth(ref, health, now);
    const events: OutboxEvent[] = [];
    if (p.emit || a.emit) {
      const names = await tx.identityNames(ref.identityId);
      if (names) {
        const who = { ...ref, ...names };
        if (p.emit) events.push(pendingHigh(who, pending, now));
        if (a.emit) events.push(lowAcceptance(who, view, a.refusing, now));
      }
    }
    return { health, view, refusing: a.refusing, events };
  }

  /** The change is durable; Redis follows. If Redis fails here, the hash is rebuilt from PostgreSQL when it answers again. */
  private async afterCommit(ref: IdentityRef, change: Parameters<InvitationState['apply']>[2]): Promise<void> {
    try {
      await this.state.apply(ref.workspaceId, ref.identityId, change);
    } catch (e) {
      this.logger.warn({ identityId: ref.identityId, err: e }, `invitation state not written to Redis now: ${(e as Error).message}`);
      if (storeOfError(e) === 'redis') throw ApiError.storeUnavailable('redis');
      throw e;
    }
  }

  private checkedTime(at: Date | undefined, field: string): Date {
    const now = this.clock.now();
    if (!at) return now;
    if (at.getTime() > now.getTime() + FUTURE_TOLERANCE_MS)
      throw ApiError.badRequest(`${field} is in the future`, { [field]: ['must not be in the future'] });
    return at.getTime() > now.getTime() ? now : at;
  }

  private async durably<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (e) {
      if (storeOfError(e) === 'postgres') throw ApiError.storeUnavailable('postgres');
      throw e;
    }
  }
}
