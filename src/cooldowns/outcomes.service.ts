import { Injectable, Logger } from '@nestjs/common';
import { INVITATION_LIMITS } from '../catalog/catalog.data.js';
import { CatalogService } from '../catalog/catalog.service.js';
import { type ActionDefinition } from '../catalog/catalog.types.js';
import { type Classification, classify } from '../classification/classifier.js';
import { Clock } from '../common/clock.js';
import { ApiError } from '../common/errors/api-error.js';
import { storeOfError } from '../common/errors/store-errors.js';
import { IdentitiesService } from '../identities/identities.service.js';
import { type Identity } from '../identities/identity.js';
import { GuardService } from '../smart-limits/guard.service.js';
import { WindowReader } from '../smart-limits/window-reader.service.js';
import { CooldownsService, type OutcomeEffect } from './cooldowns.service.js';
import { type OutcomeDto } from './outcome.dto.js';

/** The outcome route's work: classify, then hand pushback to the cooldowns. */
@Injectable()
export class OutcomesService {
  private readonly logger = new Logger('Outcomes');

  constructor(
    private readonly catalog: CatalogService,
    private readonly identities: IdentitiesService,
    private readonly cooldowns: CooldownsService,
    private readonly windows: WindowReader,
    private readonly clock: Clock,
    private readonly guard: GuardService,
  ) {}

  classify(dto: OutcomeDto): Classification {
    return classify(
      { action_slug: dto.action_slug, status_code: dto.status_code, headers: dto.headers, body: dto.body, error_label: dto.error_label },
      this.clock.now(),
    );
  }

  /** Successes change nothing and need no database; everything else is logged, and pushback cools down. */
  async report(workspaceId: string, identityId: string, dto: OutcomeDto): Promise<{ classification: Classification } & OutcomeEffect> {
    const identity = await this.identities.getCached(workspaceId, identityId);
    const action = this.catalog.action(dto.action_slug);
    if (!action) {
      throw ApiError.badRequest(`Unknown action ${dto.action_slug}`, { action_slug: ['unknown action; see GET /v1/catalog'] });
    }
    const classification = this.classify(dto);
    // The action is done, whatever LinkedIn answered: the identity's next outreach may go (SPEC 4b).
    if (dto.action_id) await this.freeLease(workspaceId, identity.id, dto.action_id);
    if (classification.type === 'success') return { classification, effect: 'none', cooldown: null };
    const effect = await this.cooldowns.recordOutcome({
      ref: { workspaceId, identityId: identity.id },
      action: this.cooldownScopeOf(action),
      actionId: dto.action_id ?? null,
      classification,
      weeklyWindowFreesAt: classification.cooldown === 'weekly_limit' ? await this.weeklyWindowFreesAt(identity) : null,
    });
    return { classification, ...effect };
  }

  /**
   * Frees the action's in-flight lease. Redis unreachable: the report still counts (the lease ends by
   * itself within in_flight_seconds), so a success stays a success without Redis.
   */
  private async freeLease(workspaceId: string, identityId: string, actionId: string): Promise<void> {
    try {
      await this.guard.freeLease(workspaceId, identityId, actionId);
    } catch (e) {
      if (storeOfError(e) !== 'redis') throw e;
      this.logger.warn(`in-flight lease of ${identityId} not freed (Redis unreachable); it ends by itself`);
    }
  }

  /**
   * A cooldown scoped to an action covers the limits of that kind of action, not a budget every
   * outreach action shares (LK_WRITE_ACTIONS, `per_action`): a 429 on invitations must not stop
   * messages.
   */
  private cooldownScopeOf(action: ActionDefinition): ActionDefinition {
    return { ...action, limits: action.limits.filter((slug) => !this.catalog.limit(slug)?.per_action) };
  }

  /**
   * LinkedIn says the week is full, so one more invitation fits when the oldest of the identity's
   * 7-day window leaves it. Unknown (empty window, Redis down) → null: the policy then waits the
   * whole week, the safe side.
   */
  private async weeklyWindowFreesAt(identity: Identity): Promise<Date | null> {
    const limit = this.catalog.limit(INVITATION_LIMITS.weekly);
    if (!limit) return null;
    try {
      const read = await this.windows.read(identity, [limit]);
      const oldest = read.limits[0]?.oldestMs ?? null;
      return oldest === null ? null : new Date(oldest + limit.window_seconds * 1000);
    } catch (e) {
      // Redis away: unknown. Anything else is a bug and fails the request (a logged 500).
      if (!storeOfError(e)) throw e;
      this.logger.warn(`weekly window of ${identity.id} not readable: ${(e as Error).message}`);
      return null;
    }
  }
}
