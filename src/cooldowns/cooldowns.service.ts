import { Injectable, Logger } from '@nestjs/common';
import { type Classification } from '../classification/classifier.js';
import { INVITATION_LIMIT_SLUGS } from '../catalog/catalog.data.js';
import { type ActionDefinition } from '../catalog/catalog.types.js';
import { Clock } from '../common/clock.js';
import { ApiError } from '../common/errors/api-error.js';
import { storeOfError } from '../common/errors/store-errors.js';
import { IdentitiesService } from '../identities/identities.service.js';
import { ClassifiedErrorsRepository, toClassifiedErrorView } from './classified-errors.repository.js';
import { cooldownEnded, cooldownStarted, identityAtRisk } from './cooldown-events.js';
import { CooldownMirror } from './cooldown-mirror.service.js';
import { type CooldownPlan, type NewCooldown, planCooldown, supersededBy } from './cooldown-plan.js';
import { decideCooldown } from './cooldown-policy.js';
import { type OutboxEvent } from '../database/outbox.js';
import { CooldownsRepository, type CooldownTx, type IdentityRef, type IdentityRiskFacts } from './cooldowns.repository.js';
import { type ClassifiedErrorView, type CooldownRow, publicClassification } from './cooldown.types.js';

const DAY_MS = 86_400_000;
/** How far back the policy's history is read: the strike run and the 7-day count need less. */
const HISTORY_DAYS = 30;

export interface OutcomeReport {
  ref: IdentityRef;
  action: ActionDefinition;
  actionId: string | null;
  classification: Classification;
  /** When one more invitation fits the identity's 7-day window (WEEKLY_LIMIT), when known. */
  weeklyWindowFreesAt: Date | null;
}

export interface OutcomeEffect {
  effect: 'none' | 'started' | 'extended' | 'absorbed';
  cooldown: CooldownRow | null;
}

@Injectable()
export class CooldownsService {
  private readonly logger = new Logger('Cooldowns');

  constructor(
    private readonly repo: CooldownsRepository,
    private readonly errors: ClassifiedErrorsRepository,
    private readonly mirror: CooldownMirror,
    private readonly identities: IdentitiesService,
    private readonly clock: Clock,
  ) {}

  /**
   * Logs a classified outcome and starts, extends or joins a cooldown — the cooldown, its events,
   * the log row and the warm-up change in one transaction (nothing half-applied), then mirrors it.
   */
  async recordOutcome(report: OutcomeReport): Promise<OutcomeEffect> {
    const { ref, classification } = report;
    const now = this.clock.now();
    const publicC = publicClassification(classification);
    const { plan, cooldown } = await this.durably(() =>
      this.repo.inIdentityLock(ref.identityId, async (tx) => {
        const history = await tx.history(ref.identityId, new Date(now.getTime() - HISTORY_DAYS * DAY_MS), now);
        const running = await tx.running(ref.identityId, now);
        const decision = decideCooldown({
          classification,
          actionSlug: report.action.slug,
          actionLimits: report.action.limits,
          inviteLimitSlugs: [...INVITATION_LIMIT_SLUGS],
          history,
          weeklyWindowFreesAt: report.weeklyWindowFreesAt,
          now,
          random: Math.random,
        });
        const plan = planCooldown({
          decision,
          running,
          isStrike: classification.cooldown === 'strike',
          actionLimits: report.action.limits,
          retryAfterSeconds: classification.retry_after_seconds,
          now,
          random: Math.random,
        });
        let cooldown: CooldownRow | null = null;
        if (plan.kind === 'absorbed') cooldown = running.find((c) => c.id === plan.into.id) ?? null;
        if (plan.kind === 'start') {
          cooldown = await this.start(tx, ref, plan.cooldown, plan.supersedes, now, {
            source: 'outcome',
            sourceStatus: classification.status_code,
            actionSlug: report.action.slug,
            classification: publicC,
            extendsId: plan.extends ?? undefined,
          });
        }
        await tx.logClassifiedError({
          ...ref,
          actionSlug: report.action.slug,
          actionId: report.actionId,
          classification: publicC,
          strike: plan.countsAsStrike,
          cooldownId: cooldown?.id ?? null,
          occurredAt: now,
        });
        if (plan.warmup !== 'none') await this.identities.applyWarmupEffect(tx.manager, ref.workspaceId, ref.identityId, plan.warmup, now);
        return { plan, cooldown };
      }),
    );
    await this.afterCommit(ref, plan.kind === 'start', plan.warmup !== 'none');
    return { effect: effectOf(plan), cooldown };
  }

  /** A cooldown a person asked for: never joined to a running one, but supersedes those it covers and outlasts. */
  async startManual(ref: IdentityRef, c: { durationSeconds: number; reason: string; limit: string | null }): Promise<CooldownRow> {
    const now = this.clock.now();
    const next: NewCooldown = {
      scope: c.limit ? 'limits' : 'identity',
      limits: c.limit ? [c.limit] : [],
      reason: c.reason,
      level: 1,
      endsAt: new Date(now.getTime() + c.durationSeconds * 1000),
      atRisk: false,
    };
    const row = await this.durably(() =>
      this.repo.inIdentityLock(ref.identityId, async (tx) => {
        const running = await tx.running(ref.identityId, now);
        return this.start(tx, ref, next, supersededBy(next, running), now, {
          source: 'manual',
          sourceStatus: null,
          actionSlug: null,
          classification: null,
        });
      }),
    );
    await this.afterCommit(ref, true, false);
    return row;
  }

  /** Ends every cooldown the identity is serving (e.g. after a person passed a checkpoint or reconnected). */
  async clear(ref: IdentityRef): Promise<CooldownRow[]> {
    const now = this.clock.now();
    const ended = await this.durably(() =>
      this.repo.inIdentityLock(ref.identityId, async (tx) => {
        const rows = await tx.clear(ref, now);
        await tx.recordEvents(rows.map((r) => cooldownEnded(r, now)));
        return rows;
      }),
    );
    await this.afterCommit(ref, true, false);
    return ended;
  }

  history(ref: IdentityRef, before: { startedAt: Date; id: string } | null, limit: number): Promise<CooldownRow[]> {
    return this.repo.page(ref, before, limit);
  }

  /** Cooldowns the identity is serving now, newest first (for the dashboard's health). */
  running(ref: IdentityRef): Promise<CooldownRow[]> {
    return this.repo.runningFor(ref, this.clock.now());
  }

  /** The dashboard's recent classified errors of an identity, newest first. */
  recentErrors(ref: IdentityRef, limit = 20): Promise<ClassifiedErrorView[]> {
    return this.errors.recentErrorsOf(ref, limit);
  }

  /**
   * An identity's pushback for its health, in one query: running cooldowns, cooldown incidents and
   * policy flags of the trailing `days`, and its most recent classified errors.
   */
  async healthFacts(ref: IdentityRef, days: number, errorsLimit = 20): Promise<IdentityRiskFacts & { errors: ClassifiedErrorView[] }> {
    const now = this.clock.now();
    const f = await this.durably(() => this.repo.healthFacts(ref, now, new Date(now.getTime() - days * DAY_MS), errorsLimit));
    return { ...f, errors: f.errors.map(toClassifiedErrorView) };
  }

  /** The same facts (without errors) for every identity of a workspace that has any, in one query. */
  workspaceRiskFacts(workspaceId: string, days: number): Promise<IdentityRiskFacts[]> {
    const now = this.clock.now();
    return this.durably(() => this.repo.workspaceRiskFacts(workspaceId, now, new Date(now.getTime() - days * DAY_MS)));
  }

  private async start(
    tx: CooldownTx,
    ref: IdentityRef,
    next: NewCooldown,
    supersedes: string[],
    now: Date,
    origin: Pick<CooldownRow, 'source' | 'sourceStatus' | 'actionSlug' | 'classification'> & { extendsId?: string },
  ): Promise<CooldownRow> {
    const row = await tx.insert({ ...next, ...ref, ...origin, startedAt: now });
    const ended = await tx.supersede(supersedes, row.id, now);
    const events: OutboxEvent[] = [...ended.map((e) => cooldownEnded(e, now)), cooldownStarted(row, origin.classification, now, origin.extendsId)];
    if (row.atRisk && !origin.extendsId) events.push(identityAtRisk(row, now));
    await tx.recordEvents(events);
    return row;
  }

  /** PostgreSQL unreachable: the report is refused as a whole (retryable), never half-applied. */
  private async durably<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (e) {
      if (storeOfError(e) === 'postgres') throw ApiError.storeUnavailable('postgres');
      throw e;
    }
  }

  /**
   * After the commit: mirror into Redis and drop cached identities. The cooldown is durable
   * already, so a Redis failure here is logged, not returned: the re-mirror job writes it as soon
   * as Redis answers again (and the guard refuses everything until then anyway).
   */
  private async afterCommit(ref: IdentityRef, mirror: boolean, warmupChanged: boolean): Promise<void> {
    if (warmupChanged) {
      await this.identities.afterWarmupChange(ref.workspaceId, ref.identityId).catch((e: Error) => {
        this.logger.warn(`identity cache not invalidated for ${ref.identityId}: ${e.message}`);
      });
    }
    if (!mirror) return;
    try {
      await this.mirror.mirrorIdentity(ref);
    } catch (e) {
      // Committed already: the re-mirror job writes it later. A failure that is not a store outage is a bug: logged as an error.
      const log = storeOfError(e) ? this.logger.warn.bind(this.logger) : this.logger.error.bind(this.logger);
      log({ identityId: ref.identityId, err: e }, `cooldown mirror not written now, the re-mirror job will: ${(e as Error).message}`);
    }
  }
}

function effectOf(plan: CooldownPlan): OutcomeEffect['effect'] {
  if (plan.kind === 'start') return plan.extends ? 'extended' : 'started';
  return plan.kind;
}
