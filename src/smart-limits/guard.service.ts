import { Inject, Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { CatalogService } from '../catalog/catalog.service.js';
import { canPerform } from '../catalog/thresholds.js';
import { type ActionDefinition } from '../catalog/catalog.types.js';
import { type ApiTake } from '../api-limits/api-limit.include.js';
import { ApiLimitsService } from '../api-limits/api-limits.service.js';
import { type WorkspaceApiLimits } from '../api-limits/workspace-api-limits.js';
import { Clock } from '../common/clock.js';
import { ApiError } from '../common/errors/api-error.js';
import { storeOfError } from '../common/errors/store-errors.js';
import { AppConfig } from '../config/app-config.js';
import { MetricsService } from '../health/metrics.service.js';
import { IdentitiesService } from '../identities/identities.service.js';
import { INVITATION_RULES, isInvitationAction } from '../invitations/invitation-rules.js';
import { targetField } from '../invitations/invitation-state.js';
import { InvitationsService } from '../invitations/invitations.service.js';
import { type Identity } from '../identities/identity.js';
import { JournalService } from '../journal/journal.service.js';
import { type IdentityCalendar, WorkingHoursService } from './working-hours.service.js';
import { RedisKeys } from '../redis/redis-keys.js';
import { REDIS_CLIENT, type RedisClient } from '../redis/redis.tokens.js';
import { actionMember } from './action-member.js';
import { crossingsOf, GuardEvents, type LimitCrossing } from './guard-events.js';
import {
  GUARD_RULES,
  GUARD_SCRIPT,
  type GuardBlock,
  type GuardDecision,
  type GuardInput,
  type GuardMode,
  type GuardRule,
  type GuardSchedule,
} from './guard.script.js';
import { IdentityRebuild } from './identity-rebuild.service.js';
import { type GuardLimitState, type GuardResponse, type NextResponse, type PlannedActionDto, type ScheduleResponse } from './guard.dto.js';
import { limitsOf, planLimits, type PlannedLimit } from './limit-plan.js';
import { refusePaused } from './paused-identity.js';
import { pacingPlan } from './pacing-plan.js';
import { FREE_LEASE_SCRIPT, RELEASE_SCRIPT } from './release.script.js';
import { SmartLimitsErrorLabel } from './smart-limits.errors.js';

export interface GuardRequest {
  workspaceId: string;
  identityId: string;
  actionSlug: string;
  actionId: string;
  cost: number;
  dryRun: boolean;
  occurredAt?: Date;
  /** For invitation actions: the person invited (SPEC §5b). */
  target?: string;
  /** Schedule mode: record at the earliest time that passes every rule (SPEC 4b). */
  when?: 'earliest';
  notBefore?: Date;
  notAfter?: Date;
}

/** Schedule mode's default horizon (not_after = the asked time + 7 days) and the farthest one accepted. */
const SCHEDULE_DEFAULT_MS = 7 * 86_400_000;
const SCHEDULE_MAX_MS = 30 * 86_400_000;

export interface CooldownMirror {
  id?: string;
  reason?: string;
  level?: number;
  scope?: string;
  limits?: string[];
  ends_at?: string | null;
  started_at?: string;
}

/** What the guard decided, before it becomes an HTTP answer. */
export interface ApiLimitState {
  take: ApiTake;
  limits: WorkspaceApiLimits;
  nowMs: number;
}

/** A rule that refuses now, as the API shows it (`blocked_by`). */
export interface BlockedRule {
  rule: GuardRule;
  limit: string | null;
  window_seconds: number | null;
  /** When this rule alone passes; null: never by itself. */
  until: string | null;
  /** A gap's recorded action it waits after. */
  last_action_at?: string;
}

export type RefusalLabel = 'LIMIT_REACHED' | 'TOO_SOON' | 'IN_FLIGHT' | 'OUTSIDE_WORKING_HOURS' | 'COOLDOWN' | 'REINVITE_TOO_SOON';

const LABEL_OF: Record<GuardRule, RefusalLabel> = {
  cooldown: 'COOLDOWN',
  window: 'LIMIT_REACHED',
  burst: 'LIMIT_REACHED',
  gap: 'TOO_SOON',
  in_flight: 'IN_FLIGHT',
  working_hours: 'OUTSIDE_WORKING_HOURS',
  pending_invitations: 'LIMIT_REACHED',
  acceptance_rate: 'LIMIT_REACHED',
  reinvite: 'REINVITE_TOO_SOON',
};

export interface Refusal {
  kind: 'refused';
  /** The rule that frees last: what the caller is really waiting for. */
  label: RefusalLabel;
  primary: BlockedRule;
  /** The limit the primary rule is about, when it is one. */
  limit: PlannedLimit | null;
  /** The window (main or burst) that is full, for LIMIT_REACHED. */
  windowMax: number | null;
  blockedBy: BlockedRule[];
  /** The earliest time every rule passes at once; null: no time will do. */
  availableAt: Date | null;
  states: GuardLimitState[];
  nowMs: number;
  cooldown: { mirror: CooldownMirror; limit: string | null; endsAt: Date | null } | null;
  lease: { actionId: string; endsAt: Date | null } | null;
  /** Invitation refusals (SPEC §5b): the target, and the facts of a pending-cap or acceptance-rate refusal. */
  target?: string;
  invitation?: { pending_invitations?: number; acceptance_rate?: number | null; sample_size?: number };
}

export type GuardOutcome = (
  | { kind: 'allowed'; response: GuardResponse; tightest: GuardLimitState | null; crossings: LimitCrossing[] }
  | { kind: 'api_limited' }
  | Refusal
  | { kind: 'already_invited'; target: string; invitationStatus: 'pending' | 'accepted' }
) & { api?: ApiLimitState };

const iso = (ms: number) => new Date(ms).toISOString();
const NO_API_LIMIT = { perSecond: 0, perMinute: 0, daily: 0 };
const DAY_MS = 86_400_000;

@Injectable()
export class GuardService implements OnModuleInit {
  private readonly logger = new Logger('Guard');

  constructor(
    @Inject(REDIS_CLIENT) private readonly redis: RedisClient,
    private readonly keys: RedisKeys,
    private readonly catalog: CatalogService,
    private readonly identities: IdentitiesService,
    private readonly clock: Clock,
    private readonly config: AppConfig,
    private readonly events: GuardEvents,
    private readonly metrics: MetricsService,
    private readonly apiLimits: ApiLimitsService,
    private readonly hours: WorkingHoursService,
    private readonly journal: JournalService,
    private readonly rebuild: IdentityRebuild,
    private readonly invitations: InvitationsService,
  ) {}

  onModuleInit(): void {
    GUARD_SCRIPT.define(this.redis);
    RELEASE_SCRIPT.define(this.redis);
    FREE_LEASE_SCRIPT.define(this.redis);
    // After a Redis data loss the identity's invitation state comes back with its windows.
    this.rebuild.register('invitations', (ref) => this.invitations.rebuild(ref));
  }

  /** The action, or 404; 403 when the identity's account type cannot perform it. */
  resolveAction(slug: string, identity?: Identity): ActionDefinition {
    const action = this.catalog.action(slug);
    if (!action) throw new ApiError(404, 'NOT_FOUND', `Unknown action ${slug}; see GET /v1/catalog`);
    if (identity && !canPerform(action, identity.accountType, this.catalog.get())) {
      throw new ApiError(403, SmartLimitsErrorLabel.NO_VALID_ACCOUNT_CONFIGURED, `A ${identity.accountType} account cannot perform ${slug}`, {
        identity_id: identity.id,
        action: slug,
        account_type: identity.accountType,
        account_types: action.account_types,
      });
    }
    return action;
  }

  plan(identity: Identity, action: ActionDefinition): PlannedLimit[] {
    return planLimits(identity, limitsOf(this.catalog.get(), action), this.catalog.get(), this.clock.now());
  }

  private longestWindowMs(): number {
    return Math.max(...this.catalog.get().limits.map((l) => l.window_seconds)) * 1000;
  }

  async guard(req: GuardRequest): Promise<GuardOutcome> {
    const identity = await this.identities.getCached(req.workspaceId, req.identityId);
    const action = this.resolveAction(req.actionSlug, identity);
    refusePaused(identity, req.actionSlug, req);
    if (req.target !== undefined && !isInvitationAction(action.slug)) {
      throw ApiError.badRequest('target is for invitation actions only', {
        target: [`only invitation actions take a target (${action.slug} is not one)`],
      });
    }
    return this.guardIdentity(req, identity, action);
  }

  async guardIdentity(req: GuardRequest, identity: Identity, action: ActionDefinition): Promise<GuardOutcome> {
    const plan = this.plan(identity, action);
    let mode: GuardMode = req.dryRun ? 'dry' : 'check';
    let occurredAtMs: number | null = null;
    if (req.occurredAt) {
      const nowMs = this.clock.now().getTime();
      const t = req.occurredAt.getTime();
      // A little tolerance for clocks ahead of ours; anything later is a mistake.
      if (t > nowMs + 5_000) throw ApiError.badRequest('occurred_at is in the future', { occurred_at: ['must not be in the future'] });
      if (t < nowMs - this.longestWindowMs()) {
        throw ApiError.badRequest('occurred_at is older than the longest window', {
          occurred_at: [`must be within the last ${this.longestWindowMs() / 86_400_000} days`],
        });
      }
      if (!req.dryRun) mode = 'backfill';
      occurredAtMs = Math.min(t, nowMs);
    }
    const ws = req.workspaceId;
    const schedule = this.scheduleOf(req, action.slug);
    // The workspace's /v1/actions API limit is checked in the same call (one round trip).
    const [apiLimits, calendar] = await Promise.all([
      this.apiLimits.limitsFor(ws),
      this.hours.calendarOf(identity, this.clock.now().getTime(), schedule ? schedule.notAfterMs : undefined),
    ]);
    const input = this.scriptInput(identity, action, plan, calendar, {
      member: actionMember(req.actionId),
      actionId: req.actionId,
      cost: req.cost,
      mode,
      occurredAtMs,
      api: this.apiLimits.scriptArgs(ws, '/v1/actions', apiLimits),
      schedule,
    });
    if (input.invitation && req.target) input.invitation.targetField = targetField(req.target);
    const id = identity.id;
    let reply: GuardDecision;
    try {
      reply = await this.decide(input, ws, identity.id);
    } catch (e) {
      return this.onStoreFailure(e, req, plan);
    }
    if (reply.status === 'recorded') {
      // Queued for the journal's next batch, off this round trip (SPEC §9b).
      this.journal.add({
        event: 'recorded',
        workspaceId: ws,
        identityId: identity.id,
        actionId: req.actionId,
        actionSlug: req.actionSlug,
        limits: plan.map((l) => l.slug),
        cost: req.cost,
        kind: mode === 'backfill' ? 'backfill' : schedule && reply.atMs !== null && reply.atMs > reply.nowMs ? 'scheduled' : 'now',
        // The window score: occurred_at of a backfill, scheduled_at of a planned action.
        recordedAtMs: reply.atMs ?? reply.nowMs,
        decidedAtMs: reply.nowMs,
      });
      if (input.invitation?.enabled) {
        // Into the invitation history after the answer, off the hot path (like the limit crossings).
        // Sent when it is recorded: occurred_at of a backfill, scheduled_at of a planned invitation.
        const at = new Date(reply.atMs ?? reply.nowMs);
        this.invitations
          .recordSent([{ workspaceId: ws, identityId: id, actionId: req.actionId, target: req.target ?? null, at }])
          .catch((e: Error) => this.logger.warn({ identityId: id, actionId: req.actionId }, `invitation history not written: ${e.message}`));
      }
    }
    const outcome = await this.interpret(reply, input, req, plan, calendar);
    outcome.api = { take: reply.api, limits: apiLimits, nowMs: reply.nowMs };
    this.apiLimits.noteDailyUsage(ws, apiLimits, reply.api, 1, reply.nowMs);
    return outcome;
  }

  /**
   * Schedule mode's bounds, validated (400 with every problem listed): not_before and not_after only
   * with "when": "earliest", never with occurred_at; not_after after the asked time, at most 30 days
   * ahead (default: the asked time + 7 days).
   */
  scheduleOf(req: Pick<GuardRequest, 'when' | 'notBefore' | 'notAfter' | 'occurredAt' | 'actionId'>, slug: string): GuardSchedule | null {
    const problems: Record<string, string[]> = {};
    if (!req.when) {
      if (req.notBefore) problems.not_before = ['only with "when": "earliest"'];
      if (req.notAfter) problems.not_after = ['only with "when": "earliest"'];
      if (Object.keys(problems).length)
        throw ApiError.badRequest('not_before and not_after plan an action: send "when": "earliest" with them', problems);
      return null;
    }
    const nowMs = this.clock.now().getTime();
    if (req.occurredAt) problems.occurred_at = ['must not be sent with "when" (a backfill records a past action; schedule mode plans a future one)'];
    const asked = Math.max(nowMs, req.notBefore?.getTime() ?? nowMs);
    if (req.notBefore && req.notBefore.getTime() > nowMs + SCHEDULE_MAX_MS) problems.not_before = ['must be within the next 30 days'];
    const notAfterMs = req.notAfter ? req.notAfter.getTime() : asked + SCHEDULE_DEFAULT_MS;
    if (req.notAfter) {
      if (notAfterMs < asked) problems.not_after = [req.notBefore ? 'must not be before not_before' : 'must not be in the past'];
      else if (notAfterMs > nowMs + SCHEDULE_MAX_MS) problems.not_after = ['must be within the next 30 days'];
    }
    if (Object.keys(problems).length) throw ApiError.badRequest('Invalid schedule-mode request', problems);
    return { notBeforeMs: asked, notAfterMs: Math.min(notAfterMs, nowMs + SCHEDULE_MAX_MS), entry: `${slug} ${req.actionId}` };
  }

  /**
   * The guard's one call; when the identity's marker is missing (Redis lost its state, or never had
   * it), its state is rebuilt from PostgreSQL (once across instances) and the call made again.
   */
  private async decide(input: GuardInput, ws: string, id: string): Promise<GuardDecision> {
    for (let attempt = 0; attempt < 3; attempt++) {
      const reply = await GUARD_SCRIPT.run(this.redis, input);
      if (reply.status === 'rebuild_needed') await this.rebuild.ensure(ws, id);
      // The identity's invitation state was never built (it predates it): nothing was recorded; build it.
      else if (reply.status === 'invitation_state_missing') await this.invitations.rebuild({ workspaceId: ws, identityId: id });
      else return reply;
    }
    // Lost again right after each rebuild: Redis is not keeping data; deciding now would be blind.
    this.logger.warn(`identity ${id}: state lost again after 3 rebuilds; refusing to decide`);
    throw ApiError.storeUnavailable('redis');
  }

  /** The guard script's input for an identity and action (also used by reads that decide nothing). */
  scriptInput(
    identity: Identity,
    action: ActionDefinition,
    plan: PlannedLimit[],
    calendar: IdentityCalendar,
    call: Pick<GuardInput, 'member' | 'actionId' | 'cost' | 'mode' | 'occurredAtMs' | 'api' | 'schedule'>,
  ): GuardInput {
    const ws = identity.workspaceId;
    const id = identity.id;
    const pacing = pacingPlan(identity, action, limitsOf(this.catalog.get(), action), this.catalog.get(), call.cost);
    return {
      identityCooldownKey: this.keys.identityCooldown(ws, id),
      leaseKey: this.keys.lease(ws, id),
      scheduleKey: this.keys.schedule(ws, id),
      scheduleKeepMs: this.longestWindowMs(),
      markerKey: this.keys.marker(ws, id),
      nowMs: this.clock.scriptNowMs(),
      leaseMs: call.mode === 'backfill' ? 0 : pacing.leaseMs,
      openIntervals: calendar.intervals,
      limits: plan.map((l, i) => ({
        windowKey: this.keys.window(ws, id, l.slug),
        cooldownKey: this.keys.limitCooldown(ws, id, l.slug),
        slug: l.slug,
        max: l.max,
        windowMs: l.windowMs,
        lowAcceptanceMax: l.lowAcceptanceMax,
        ...pacing.limits[i],
      })),
      // Reads name no target; the guard adds the caller's (SPEC §5b).
      invitation: {
        key: this.keys.invitations(ws, id),
        enabled: isInvitationAction(action.slug),
        targetField: null,
        reinviteMs: INVITATION_RULES.reinviteAfterDays * DAY_MS,
        pendingRefuse: INVITATION_RULES.pendingRefuse,
      },
      ...call,
    };
  }

  /** Reads the guard's decision for an identity and action without recording or counting anything. */
  async peek(
    identity: Identity,
    action: ActionDefinition,
    call: { member: string; actionId: string; cost: number; schedule?: GuardSchedule | null },
  ) {
    const plan = this.plan(identity, action);
    const calendar = await this.hours.calendarOf(identity, this.clock.now().getTime(), call.schedule?.notAfterMs);
    const input = this.scriptInput(identity, action, plan, calendar, {
      ...call,
      schedule: call.schedule ?? null,
      mode: 'dry',
      occurredAtMs: null,
      api: { bucketKey: this.keys.apiLimit(identity.workspaceId, 'none'), dailyKey: this.keys.apiDaily(identity.workspaceId), limits: NO_API_LIMIT },
    });
    return { input, plan, calendar };
  }

  /**
   * GET …/next: the guard's answer for one more unit of the action, read without recording, without
   * an action id (any action in flight blocks it) and without counting against the API limit.
   */
  async next(workspaceId: string, identityId: string, actionSlug: string): Promise<NextResponse> {
    const identity = await this.identities.getCached(workspaceId, identityId);
    const action = this.resolveAction(actionSlug, identity);
    const [{ reply, outcome }] = await this.peekMany([{ identity, action, member: '', actionId: '', cost: 1 }]);
    const refused = outcome.kind === 'refused' ? outcome : null;
    return {
      identity_id: identity.id,
      action: actionSlug,
      now: iso(reply.nowMs),
      available_at: refused ? (refused.availableAt?.toISOString() ?? null) : iso(reply.nowMs),
      allowed_now: !refused,
      blocked_by: refused?.blockedBy ?? [],
    };
  }

  /** Many peeks (one identity each) in one pipelined round trip; their decisions, interpreted. */
  async peekMany(
    items: { identity: Identity; action: ActionDefinition; member: string; actionId: string; cost: number; schedule?: GuardSchedule | null }[],
  ) {
    const prepared = await Promise.all(items.map((it) => this.peek(it.identity, it.action, it)));
    let replies: GuardDecision[];
    try {
      const first = await GUARD_SCRIPT.runMany(
        this.redis,
        prepared.map((p) => p.input),
      );
      // An identity whose state Redis lost is rebuilt first, then read alone (rare: after a loss).
      replies = await Promise.all(
        first.map((r, i) =>
          r.status === 'rebuild_needed' || r.status === 'invitation_state_missing'
            ? this.decide(prepared[i].input, items[i].identity.workspaceId, items[i].identity.id)
            : Promise.resolve(r),
        ),
      );
    } catch (e) {
      if (storeOfError(e) === 'redis') throw ApiError.storeUnavailable('redis');
      throw e;
    }
    return Promise.all(
      replies.map(async (reply, i) => {
        const it = items[i];
        const p = prepared[i];
        const req: GuardRequest = {
          workspaceId: it.identity.workspaceId,
          identityId: it.identity.id,
          actionSlug: it.action.slug,
          actionId: it.actionId,
          cost: it.cost,
          dryRun: true,
          ...(it.schedule ? { when: 'earliest' as const } : {}),
        };
        return { reply, plan: p.plan, outcome: await this.interpret(reply, p.input, req, p.plan, p.calendar, false) };
      }),
    );
  }

  private onStoreFailure(e: unknown, req: GuardRequest, plan: PlannedLimit[]): GuardOutcome {
    // Only a real Redis failure fails open or becomes 503; a script error or a bad reply is a 500.
    if (storeOfError(e) !== 'redis') throw e;
    // A plan cannot be made without the windows: never fails open.
    if (req.when) throw ApiError.storeUnavailable('redis');
    this.metrics.storeErrors.inc({ store: 'redis' });
    if (this.config.guardFailMode === 'open') {
      this.metrics.guardDecisions.inc({ outcome: 'fail_open' });
      this.logger.warn(
        { workspaceId: req.workspaceId, identityId: req.identityId, action: req.actionSlug, actionId: req.actionId },
        `Redis unreachable; GUARD_FAIL_MODE=open allows ${req.actionSlug} unrecorded`,
      );
      return {
        kind: 'allowed',
        tightest: null,
        crossings: [],
        response: {
          allowed: true,
          identity_id: req.identityId,
          action: req.actionSlug,
          action_id: req.actionId,
          recorded: false,
          duplicate: false,
          fail_open: true,
          limits: plan.map((l) => ({
            slug: l.slug,
            window_seconds: l.windowSeconds,
            max_limit: l.max,
            consumed: 0,
            remaining: l.max,
            scheduled: 0,
            available_at: null,
            reset_at: null,
          })),
        },
      };
    }
    throw ApiError.storeUnavailable('redis');
  }

  private async interpret(
    reply: GuardDecision,
    input: GuardInput,
    req: GuardRequest,
    planned: PlannedLimit[],
    calendar: IdentityCalendar,
    count = true,
  ): Promise<GuardOutcome> {
    const { status, nowMs } = reply;
    const inc = (outcome: string) => {
      if (count) this.metrics.guardDecisions.inc({ outcome });
    };
    if (status === 'api_limited') {
      inc('api_limited');
      return { kind: 'api_limited' };
    }
    if (status === 'already_invited') {
      inc('already_invited');
      return { kind: 'already_invited', target: req.target ?? '', invitationStatus: reply.invitation.targetStatus ?? 'pending' };
    }
    // The thresholds in force: invitation limits halved while the acceptance rate is low.
    const plan = reply.invitation.factor < 1 ? planned.map((l) => ({ ...l, max: l.lowAcceptanceMax })) : planned;
    const states: GuardLimitState[] = [];
    const crossings: LimitCrossing[] = [];
    plan.forEach((l, i) => {
      const { consumedBefore: before, consumedAfter: after, newestMs: newest, availableAtMs, scheduled } = reply.windows[i];
      const remaining = Math.max(0, l.max - after);
      states.push({
        slug: l.slug,
        window_seconds: l.windowSeconds,
        max_limit: l.max,
        consumed: after,
        remaining,
        scheduled,
        // When one more unit fits, as guard.lua's window_available_at says (the one owner).
        available_at: availableAtMs === null ? null : iso(availableAtMs),
        reset_at: newest !== null ? iso(newest + l.windowMs) : iso(nowMs),
      });
      if (status === 'recorded') {
        for (const threshold of crossingsOf(before, after, l.max)) {
          crossings.push({
            workspaceId: req.workspaceId,
            identityId: req.identityId,
            action: req.actionSlug,
            limit: l.slug,
            threshold,
            consumed: after,
            max: l.max,
            at: new Date(nowMs),
          });
        }
      }
    });
    if (reply.status === 'refused') {
      const refusal = this.refusal(reply, input, plan, calendar, states);
      if (req.target !== undefined) refusal.target = req.target;
      if (refusal.primary.rule === 'pending_invitations') refusal.invitation = { pending_invitations: reply.invitation.pending ?? 0 };
      if (refusal.primary.rule === 'acceptance_rate') {
        // A refusal's facts (not the hot path): the rate and its sample, as the reads show them.
        const a = (await this.invitations.summary({ workspaceId: req.workspaceId, identityId: req.identityId })).acceptance_rate;
        refusal.invitation = { acceptance_rate: a.rate, sample_size: a.sample_size };
      }
      inc(refusal.label.toLowerCase());
      return refusal;
    }
    inc(status === 'duplicate' ? 'duplicate' : status === 'dry_run_allowed' ? 'dry_run' : 'allowed');
    if (count) this.events.emit(crossings);
    const tightest = [...states].sort((a, b) => a.remaining - b.remaining || a.max_limit - b.max_limit)[0] ?? null;
    const response: GuardResponse = {
      allowed: true,
      identity_id: req.identityId,
      action: req.actionSlug,
      action_id: req.actionId,
      recorded: status === 'recorded',
      duplicate: status === 'duplicate',
      limits: states,
    };
    if (req.dryRun) response.dry_run = true;
    // Schedule mode: the time the action is planned at; any answer naming a time ahead of now too (a
    // retry of a planned action), so the worker knows it is not yet due.
    if (reply.atMs !== null && (req.when === 'earliest' || reply.atMs > nowMs)) response.scheduled_at = iso(reply.atMs);
    return { kind: 'allowed', response, tightest, crossings };
  }

  /**
   * Every rule that refuses now, the one that frees last (its label names the refusal; ties go to
   * the first of cooldown, window, burst, gap, in flight, working hours), and when the action passes
   * every rule at once: the script's answer, or, past the calendar it got, the opening after the
   * last freeing found in a longer calendar.
   */
  private refusal(reply: GuardDecision, input: GuardInput, plan: PlannedLimit[], calendar: IdentityCalendar, states: GuardLimitState[]): Refusal {
    const { nowMs } = reply;
    const untilOf = (b: GuardBlock): number | null =>
      b.rule === 'working_hours' && b.untilMs === -3 ? this.hours.nextOpenAt(calendar.input, nowMs) : b.untilMs;
    const blocks = reply.blocked.map((b) => ({ b, until: untilOf(b) }));
    const rank = (x: { b: GuardBlock; until: number | null }) => (x.until === null ? Infinity : x.until);
    const primary = blocks.reduce((best, x) =>
      rank(x) > rank(best) || (rank(x) === rank(best) && GUARD_RULES.indexOf(x.b.rule) < GUARD_RULES.indexOf(best.b.rule)) ? x : best,
    );
    const show = (x: { b: GuardBlock; until: number | null }): BlockedRule => ({
      rule: x.b.rule,
      limit: x.b.limitIndex === null ? null : plan[x.b.limitIndex].slug,
      window_seconds: x.b.windowMs === null ? null : x.b.windowMs / 1000,
      until: x.until === null ? null : iso(x.until),
      ...(x.b.lastActionAtMs !== null ? { last_action_at: iso(x.b.lastActionAtMs) } : {}),
    });
    let available = reply.availableAtMs;
    if (available === -3) available = reply.freeAtMs === null ? null : this.hours.nextOpenAt(calendar.input, reply.freeAtMs);
    const limit = primary.b.limitIndex === null ? null : plan[primary.b.limitIndex];
    let windowMax: number | null = null;
    if (limit && primary.b.rule === 'window') windowMax = limit.max;
    if (limit && primary.b.rule === 'burst') {
      windowMax = input.limits[primary.b.limitIndex!].bursts.find((x) => x.windowMs === primary.b.windowMs)?.max ?? null;
    }
    let cooldown: Refusal['cooldown'] = null;
    if (reply.cooldown) {
      let mirror: CooldownMirror;
      try {
        mirror = JSON.parse(reply.cooldown.value) as CooldownMirror;
      } catch {
        mirror = { reason: reply.cooldown.value };
      }
      const pttl = reply.cooldown.pttlMs;
      cooldown = {
        mirror,
        limit: reply.cooldown.limitIndex === null ? null : plan[reply.cooldown.limitIndex].slug,
        endsAt: pttl > 0 ? new Date(nowMs + pttl) : null,
      };
    }
    return {
      kind: 'refused',
      label: LABEL_OF[primary.b.rule],
      primary: show(primary),
      limit,
      windowMax,
      blockedBy: blocks.map(show),
      availableAt: available === null ? null : new Date(available),
      states,
      nowMs,
      cooldown,
      lease: reply.lease ? { actionId: reply.lease.actionId, endsAt: reply.lease.endsAtMs === null ? null : new Date(reply.lease.endsAtMs) } : null,
    };
  }

  async release(workspaceId: string, identityId: string, actionSlug: string, actionId: string): Promise<boolean> {
    const identity = await this.identities.getCached(workspaceId, identityId);
    const action = this.resolveAction(actionSlug);
    const input = {
      windowKeys: action.limits.map((l) => this.keys.window(workspaceId, identity.id, l)),
      leaseKey: this.keys.lease(workspaceId, identity.id),
      member: actionMember(actionId),
      actionId,
      markerKey: this.keys.marker(workspaceId, identity.id),
      scheduleKey: this.keys.schedule(workspaceId, identity.id),
      scheduleEntry: `${actionSlug} ${actionId}`,
      nowMs: this.clock.scriptNowMs(),
    };
    // A store failure propagates (503 by the global filter); anything else is a logged 500.
    let reply = await RELEASE_SCRIPT.run(this.redis, input);
    for (let attempt = 0; reply.status === 'rebuild_needed'; attempt++) {
      // Released after a loss: the recording must be back first, or the release would find nothing
      // and the next rebuild would restore what the caller freed.
      if (attempt === 3) throw ApiError.storeUnavailable('redis');
      await this.rebuild.ensure(workspaceId, identity.id);
      reply = await RELEASE_SCRIPT.run(this.redis, input);
    }
    if (reply.units === 0 || reply.recordedAtMs === null) return false;
    this.journal.add({
      event: 'released',
      workspaceId,
      identityId: identity.id,
      actionId,
      actionSlug,
      limits: [...action.limits],
      cost: reply.units,
      kind: 'now',
      recordedAtMs: reply.recordedAtMs,
      decidedAtMs: reply.nowMs,
    });
    // A released invitation was never sent: it leaves the history, the pending count and the target's mark.
    if (isInvitationAction(action.slug)) await this.invitations.released({ workspaceId, identityId: identity.id }, actionId);
    return true;
  }

  /** GET …/schedule: the identity's planned actions in [from, to), earliest first (one read). */
  async listSchedule(workspaceId: string, identityId: string, from?: Date, to?: Date): Promise<ScheduleResponse> {
    const identity = await this.identities.getCached(workspaceId, identityId);
    const fromMs = from ? from.getTime() : (this.clock.scriptNowMs() ?? Date.now());
    const toArg = to ? `(${to.getTime()}` : '+inf';
    if (to && to.getTime() < fromMs) throw ApiError.badRequest('to is before from', { to: ['must not be before from'] });
    // A store failure propagates (503 by the global filter).
    const raw = await this.redis.zrangebyscore(this.keys.schedule(workspaceId, identity.id), fromMs, toArg, 'WITHSCORES', 'LIMIT', 0, 1000);
    const actions: PlannedActionDto[] = [];
    for (let j = 0; j + 1 < raw.length; j += 2) {
      const sep = raw[j].indexOf(' ');
      actions.push({ action: raw[j].slice(0, sep), action_id: raw[j].slice(sep + 1), scheduled_at: iso(Number(raw[j + 1])) });
    }
    return { identity_id: identity.id, from: iso(fromMs), to: to ? to.toISOString() : null, actions };
  }

  /** The outcome of `actionId` was reported: its in-flight lease (if it holds one) frees at once. */
  async freeLease(workspaceId: string, identityId: string, actionId: string): Promise<boolean> {
    return (await FREE_LEASE_SCRIPT.run(this.redis, { leaseKey: this.keys.lease(workspaceId, identityId), actionId })) === 1;
  }
}
