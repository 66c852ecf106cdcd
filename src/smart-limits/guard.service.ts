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
import { RedisKeys } from '../redis/redis-keys.js';
import { REDIS_CLIENT, type RedisClient } from '../redis/redis.tokens.js';
import { actionMember } from './action-member.js';
import { crossingsOf, GuardEvents, type LimitCrossing } from './guard-events.js';
import { JournalService } from '../journal/journal.service.js';
import { GUARD_SCRIPT, type GuardDecision, type GuardInput, type GuardMode } from './guard.script.js';
import { type GuardLimitState, type GuardResponse } from './guard.dto.js';
import { limitsOf, planLimits, type PlannedLimit } from './limit-plan.js';
import { IdentityRebuild } from './identity-rebuild.service.js';
import { refusePaused } from './paused-identity.js';
import { RELEASE_SCRIPT } from './release.script.js';
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
}

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

export type GuardOutcome = (
  | { kind: 'allowed'; response: GuardResponse; tightest: GuardLimitState | null; crossings: LimitCrossing[] }
  | { kind: 'api_limited' }
  | {
      kind: 'limit_reached';
      limit: PlannedLimit;
      availableAt: Date | null;
      states: GuardLimitState[];
      nowMs: number;
      /** What refused: a window, or an invitation rule (SPEC §5b) with its facts. */
      rule: 'window' | 'pending_invitations' | 'acceptance_rate';
      invitation?: { pending_invitations?: number; acceptance_rate?: number | null; sample_size?: number };
    }
  | { kind: 'already_invited'; target: string; invitationStatus: 'pending' | 'accepted' }
  | { kind: 'reinvite_too_soon'; target: string; availableAt: Date | null; states: GuardLimitState[]; nowMs: number }
  | { kind: 'cooldown'; cooldown: CooldownMirror; limit: string | null; endsAt: Date | null; nowMs: number }
) & { api?: ApiLimitState };

const iso = (ms: number) => new Date(ms).toISOString();
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
    private readonly journal: JournalService,
    private readonly rebuild: IdentityRebuild,
    private readonly invitations: InvitationsService,
  ) {}

  onModuleInit(): void {
    GUARD_SCRIPT.define(this.redis);
    RELEASE_SCRIPT.define(this.redis);
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
    const id = identity.id;
    // The workspace's /v1/actions API limit is checked in the same call (one round trip).
    const apiLimits = await this.apiLimits.limitsFor(ws);
    const input: GuardInput = {
      identityCooldownKey: this.keys.identityCooldown(ws, id),
      nowMs: this.clock.scriptNowMs(),
      member: actionMember(req.actionId),
      cost: req.cost,
      mode,
      occurredAtMs,
      limits: plan.map((l) => ({
        windowKey: this.keys.window(ws, id, l.slug),
        cooldownKey: this.keys.limitCooldown(ws, id, l.slug),
        max: l.max,
        windowMs: l.windowMs,
        lowAcceptanceMax: l.lowAcceptanceMax,
      })),
      api: this.apiLimits.scriptArgs(ws, '/v1/actions', apiLimits),
      markerKey: this.keys.marker(ws, id),
      invitation: {
        key: this.keys.invitations(ws, id),
        enabled: isInvitationAction(action.slug),
        targetField: req.target ? targetField(req.target) : null,
        reinviteMs: INVITATION_RULES.reinviteAfterDays * DAY_MS,
        pendingRefuse: INVITATION_RULES.pendingRefuse,
      },
    };
    let reply: GuardDecision;
    try {
      reply = await this.decide(input, ws, id);
    } catch (e) {
      return this.onStoreFailure(e, req, plan);
    }
    if (reply.status === 'recorded') {
      // Queued for the journal's next batch, off this round trip (SPEC §9b).
      this.journal.add({
        event: 'recorded',
        workspaceId: ws,
        identityId: id,
        actionId: req.actionId,
        actionSlug: req.actionSlug,
        limits: plan.map((l) => l.slug),
        cost: req.cost,
        kind: mode === 'backfill' ? 'backfill' : 'now',
        recordedAtMs: mode === 'backfill' && occurredAtMs !== null ? occurredAtMs : reply.nowMs,
        decidedAtMs: reply.nowMs,
      });
      if (input.invitation?.enabled) {
        // Into the invitation history after the answer, off the hot path (like the limit crossings).
        const at = new Date(mode === 'backfill' && occurredAtMs !== null ? occurredAtMs : reply.nowMs);
        this.invitations
          .recordSent([{ workspaceId: ws, identityId: id, actionId: req.actionId, target: req.target ?? null, at }])
          .catch((e: Error) => this.logger.warn({ identityId: id, actionId: req.actionId }, `invitation history not written: ${e.message}`));
      }
    }
    const outcome = await this.interpret(reply, req, plan);
    outcome.api = { take: reply.api, limits: apiLimits, nowMs: reply.nowMs };
    this.apiLimits.noteDailyUsage(ws, apiLimits, reply.api, 1, reply.nowMs);
    return outcome;
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

  private onStoreFailure(e: unknown, req: GuardRequest, plan: PlannedLimit[]): GuardOutcome {
    // Only a real Redis failure fails open or becomes 503; a script error or a bad reply is a 500.
    if (storeOfError(e) !== 'redis') throw e;
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
            available_at: null,
            reset_at: null,
          })),
        },
      };
    }
    throw ApiError.storeUnavailable('redis');
  }

  private async interpret(reply: GuardDecision, req: GuardRequest, planned: PlannedLimit[]): Promise<GuardOutcome> {
    const { status, nowMs } = reply;
    if (status === 'api_limited') {
      this.metrics.guardDecisions.inc({ outcome: 'api_limited' });
      return { kind: 'api_limited' };
    }
    if (reply.status === 'already_invited') {
      this.metrics.guardDecisions.inc({ outcome: 'already_invited' });
      return { kind: 'already_invited', target: req.target ?? '', invitationStatus: reply.invitationStatus };
    }
    // The thresholds in force: invitation limits halved while the acceptance rate is low.
    const plan = reply.invitation.factor < 1 ? planned.map((l) => ({ ...l, max: l.lowAcceptanceMax })) : planned;
    const states: GuardLimitState[] = [];
    const crossings: LimitCrossing[] = [];
    plan.forEach((l, i) => {
      const { consumedBefore: before, consumedAfter: after, newestMs: newest, availableAtMs } = reply.windows[i];
      const remaining = Math.max(0, l.max - after);
      states.push({
        slug: l.slug,
        window_seconds: l.windowSeconds,
        max_limit: l.max,
        consumed: after,
        remaining,
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
    if (reply.status === 'limit_reached') {
      this.metrics.guardDecisions.inc({ outcome: 'limit_reached' });
      const availableAt = reply.availableAtMs === null ? null : new Date(reply.availableAtMs);
      const outcome: GuardOutcome = { kind: 'limit_reached', limit: plan[reply.limitIndex], availableAt, states, nowMs, rule: reply.rule };
      if (reply.rule === 'pending_invitations') outcome.invitation = { pending_invitations: reply.invitation.pending ?? 0 };
      if (reply.rule === 'acceptance_rate') {
        // A refusal's facts (not the hot path): the rate and its sample, as the reads show them.
        const a = (await this.invitations.summary({ workspaceId: req.workspaceId, identityId: req.identityId })).acceptance_rate;
        outcome.invitation = { acceptance_rate: a.rate, sample_size: a.sample_size };
      }
      return outcome;
    }
    if (reply.status === 'reinvite_too_soon') {
      this.metrics.guardDecisions.inc({ outcome: 'reinvite_too_soon' });
      const availableAt = reply.availableAtMs === null ? null : new Date(reply.availableAtMs);
      return { kind: 'reinvite_too_soon', target: req.target ?? '', availableAt, states, nowMs };
    }
    if (reply.status === 'cooldown') {
      this.metrics.guardDecisions.inc({ outcome: 'cooldown' });
      const raw = reply.cooldown.value;
      const pttl = reply.cooldown.pttlMs;
      let cooldown: CooldownMirror;
      try {
        cooldown = JSON.parse(raw) as CooldownMirror;
      } catch {
        cooldown = { reason: raw };
      }
      return {
        kind: 'cooldown',
        cooldown,
        limit: reply.limitIndex !== null ? plan[reply.limitIndex].slug : null,
        endsAt: pttl > 0 ? new Date(nowMs + pttl) : null,
        nowMs,
      };
    }
    this.metrics.guardDecisions.inc({ outcome: status === 'duplicate' ? 'duplicate' : status === 'dry_run_allowed' ? 'dry_run' : 'allowed' });
    this.events.emit(crossings);
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
    return { kind: 'allowed', response, tightest, crossings };
  }

  async release(workspaceId: string, identityId: string, actionSlug: string, actionId: string): Promise<boolean> {
    const identity = await this.identities.getCached(workspaceId, identityId);
    const action = this.resolveAction(actionSlug);
    const input = {
      windowKeys: action.limits.map((l) => this.keys.window(workspaceId, identity.id, l)),
      member: actionMember(actionId),
      markerKey: this.keys.marker(workspaceId, identity.id),
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
}
