import { Inject, Injectable } from '@nestjs/common';
import { CatalogService } from '../catalog/catalog.service.js';
import { type LimitDefinition } from '../catalog/catalog.types.js';
import { Clock } from '../common/clock.js';
import { type InvitationHashView } from '../invitations/invitation-state.js';
import { type Identity } from '../identities/identity.js';
import { RedisKeys } from '../redis/redis-keys.js';
import { REDIS_CLIENT, type RedisClient } from '../redis/redis.tokens.js';
import { planLimits, type PlannedLimit } from './limit-plan.js';
import { READ_WINDOWS_SCRIPT, type ReadWindowsInput, type ReadWindowsReply } from './read-windows.script.js';

export interface WindowState {
  limit: PlannedLimit;
  consumed: number;
  remaining: number;
  oldestMs: number | null;
  newestMs: number | null;
  /** When one more unit (or the asked-for cost) fits, as read-windows.lua says: now when there is room; null never. */
  availableAtMs: number | null;
  cooldown: { value: string; pttl: number } | null;
  /** Units planned ahead of now (schedule mode); absent where a read does not count them (the overview). */
  scheduled?: number;
}

export interface IdentityWindows {
  nowMs: number;
  identityCooldown: { value: string; pttl: number } | null;
  limits: WindowState[];
  /** The asked-for action member is recorded in one of these windows. */
  holdsMember: boolean;
  /** The factor on the invitation limits (SPEC §5b), already applied to their `limit.max`. */
  acceptanceFactor: number;
  /** The identity's invitation state as the guard reads it (not loaded: never read or lost). */
  invitations: InvitationHashView;
}

/**
 * Read-only views of an identity's windows. One script call per identity; several identities go
 * in one pipeline (they share the workspace's slot), so a read is one round trip.
 */
@Injectable()
export class WindowReader {
  constructor(
    @Inject(REDIS_CLIENT) private readonly redis: RedisClient,
    private readonly keys: RedisKeys,
    private readonly catalog: CatalogService,
    private readonly clock: Clock,
  ) {
    READ_WINDOWS_SCRIPT.define(redis);
  }

  private input(identity: Identity, plan: PlannedLimit[], member?: string, cost?: number): ReadWindowsInput {
    const ws = identity.workspaceId;
    return {
      identityCooldownKey: this.keys.identityCooldown(ws, identity.id),
      nowMs: this.clock.scriptNowMs(),
      limits: plan.map((l) => ({
        windowKey: this.keys.window(ws, identity.id, l.slug),
        cooldownKey: this.keys.limitCooldown(ws, identity.id, l.slug),
        windowMs: l.windowMs,
        max: l.max,
        lowAcceptanceMax: l.lowAcceptanceMax,
      })),
      invitationKey: this.keys.invitations(ws, identity.id),
      member: member ?? null,
      cost,
    };
  }

  private toWindows(reply: ReadWindowsReply, planned: PlannedLimit[]): IdentityWindows {
    // The thresholds in force: invitation limits halved while the acceptance rate is low.
    const plan = reply.acceptanceFactor < 1 ? planned.map((l) => ({ ...l, max: l.lowAcceptanceMax })) : planned;
    return {
      nowMs: reply.nowMs,
      identityCooldown: reply.identityCooldown,
      holdsMember: reply.holdsMember,
      acceptanceFactor: reply.acceptanceFactor,
      invitations: reply.invitations,
      limits: plan.map((limit, i) => {
        const w = reply.limits[i];
        return {
          limit,
          consumed: w.consumed,
          remaining: Math.max(0, limit.max - w.consumed),
          oldestMs: w.oldestMs,
          newestMs: w.newestMs,
          availableAtMs: w.availableAtMs,
          cooldown: w.cooldown,
          scheduled: w.scheduled,
        };
      }),
    };
  }

  planFor(identity: Identity, limits?: LimitDefinition[]): PlannedLimit[] {
    const catalog = this.catalog.get();
    return planLimits(identity, limits ?? catalog.limits, catalog, this.clock.now());
  }

  async read(identity: Identity, limits?: LimitDefinition[]): Promise<IdentityWindows> {
    return (await this.readMany([{ identity, limits }]))[0];
  }

  /** Many identities of one workspace in one pipelined round trip. */
  async readMany(items: { identity: Identity; limits?: LimitDefinition[]; member?: string; cost?: number }[]): Promise<IdentityWindows[]> {
    if (!items.length) return [];
    const plans = items.map((it) => this.planFor(it.identity, it.limits));
    // A store failure propagates (503 by the global filter); a bad reply is a logged 500.
    const replies = await READ_WINDOWS_SCRIPT.runMany(
      this.redis,
      items.map((it, i) => this.input(it.identity, plans[i], it.member, it.cost)),
    );
    return replies.map((reply, i) => this.toWindows(reply, plans[i]));
  }
}
