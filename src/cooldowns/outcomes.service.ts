import { Injectable, Logger } from '@nestjs/common';
import { INVITATION_LIMITS } from '../catalog/catalog.data.js';
import { CatalogService } from '../catalog/catalog.service.js';
import { type Classification, classify } from '../classification/classifier.js';
import { Clock } from '../common/clock.js';
import { ApiError } from '../common/errors/api-error.js';
import { storeOfError } from '../common/errors/store-errors.js';
import { IdentitiesService } from '../identities/identities.service.js';
import { type Identity } from '../identities/identity.js';
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
    if (classification.type === 'success') return { classification, effect: 'none', cooldown: null };
    const effect = await this.cooldowns.recordOutcome({
      ref: { workspaceId, identityId: identity.id },
      action,
      actionId: dto.action_id ?? null,
      classification,
      weeklyWindowFreesAt: classification.cooldown === 'weekly_limit' ? await this.weeklyWindowFreesAt(identity) : null,
    });
    return { classification, ...effect };
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
