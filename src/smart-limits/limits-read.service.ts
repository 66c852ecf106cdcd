import { Injectable } from '@nestjs/common';
import { CatalogService } from '../catalog/catalog.service.js';
import { IdentitiesService } from '../identities/identities.service.js';
import { type LimitDefinition } from '../catalog/catalog.types.js';
import { InvitationsService, summaryOf } from '../invitations/invitations.service.js';
import { type Identity } from '../identities/identity.js';
import { type EdgesLimit, type EdgesLimitsResponse } from './guard.dto.js';
import { GuardService } from './guard.service.js';
import { limitsOf } from './limit-plan.js';
import { type IdentityWindows, WindowReader } from './window-reader.service.js';

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

@Injectable()
export class LimitsReadService {
  constructor(
    private readonly identities: IdentitiesService,
    private readonly catalog: CatalogService,
    private readonly guard: GuardService,
    private readonly reader: WindowReader,
    private readonly invitations: InvitationsService,
  ) {}

  /** One round trip; a second only when the invitation state was never built or was lost (then rebuilt first). */
  private async read(identity: Identity, limits?: LimitDefinition[]): Promise<IdentityWindows> {
    const w = await this.reader.read(identity, limits);
    if (w.invitations.loaded) return w;
    await this.invitations.rebuild({ workspaceId: identity.workspaceId, identityId: identity.id });
    return this.reader.read(identity, limits);
  }

  async forAction(ws: string, identityId: string, actionSlug: string): Promise<EdgesLimitsResponse> {
    const identity = await this.identities.getCached(ws, identityId);
    const action = this.guard.resolveAction(actionSlug);
    const windows = await this.read(identity, limitsOf(this.catalog.get(), action));
    return { ...this.shape(identity, windows), action_slug: actionSlug };
  }

  async forIdentity(ws: string, identityId: string): Promise<EdgesLimitsResponse> {
    const identity = await this.identities.getCached(ws, identityId);
    return this.shape(identity, await this.read(identity));
  }

  private shape(identity: Identity, w: IdentityWindows): EdgesLimitsResponse {
    const limits: EdgesLimit[] = w.limits.map((s) => ({
      slug: s.limit.slug,
      name: s.limit.name,
      max_limit: s.limit.max,
      consumed: s.consumed,
      remaining: s.remaining,
      scheduled: s.scheduled ?? 0,
      has_reached_limit: s.consumed >= s.limit.max,
      started_at: new Date(w.nowMs - s.limit.windowMs).toISOString(),
      ended_at: new Date(w.nowMs).toISOString(),
      first_consumption_at: iso(s.oldestMs),
      last_consumption_at: iso(s.newestMs),
      available_at: iso(s.availableAtMs),
      window_seconds: s.limit.windowSeconds,
      warmup_factor: s.limit.warmupFactor,
    }));
    return {
      identity_id: identity.id,
      level: identity.level,
      standard_level: this.catalog.get().levels[identity.level],
      acceptance_factor: w.acceptanceFactor,
      invitations: summaryOf(w.invitations),
      limits,
    };
  }
}
