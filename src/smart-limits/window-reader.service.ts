import { Inject, Injectable } from '@nestjs/common';
import { CatalogService } from '../catalog/catalog.service.js';
import { type LimitDefinition } from '../catalog/catalog.types.js';
import { Clock } from '../common/clock.js';
import { ApiError } from '../common/errors/api-error.js';
import { storeOfError } from '../common/errors/store-errors.js';
import { type Identity } from '../identities/identity.js';
import { RedisKeys } from '../redis/redis-keys.js';
import { REDIS_CLIENT, type RedisClient } from '../redis/redis.tokens.js';
import { defineGuardCommands, type ReadReply } from './guard-scripts.js';
import { planLimits, type PlannedLimit } from './limit-plan.js';

export interface WindowState {
  limit: PlannedLimit;
  consumed: number;
  remaining: number;
  oldestMs: number | null;
  newestMs: number | null;
  /** When one more unit fits (now when there is room); null when it never will (threshold 0). */
  availableAtMs: number | null;
  cooldown: { value: string; pttl: number } | null;
}

export interface IdentityWindows {
  nowMs: number;
  identityCooldown: { value: string; pttl: number } | null;
  limits: WindowState[];
  /** The asked-for action member is recorded in one of these windows. */
  holdsMember: boolean;
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
    defineGuardCommands(redis);
  }

  private args(identity: Identity, plan: PlannedLimit[], member?: string): { keys: string[]; args: (string | number)[] } {
    const ws = identity.workspaceId;
    const keys = [this.keys.identityCooldown(ws, identity.id)];
    const args: (string | number)[] = [this.clock.scriptNowMs() ?? '', plan.length];
    for (const l of plan) {
      keys.push(this.keys.window(ws, identity.id, l.slug), this.keys.limitCooldown(ws, identity.id, l.slug));
      args.push(l.windowMs, l.max);
    }
    args.push(member ?? '');
    return { keys, args };
  }

  private parse(reply: ReadReply, plan: PlannedLimit[]): IdentityWindows {
    const nowMs = Number(reply[0]);
    const identityCooldown = reply[1] ? { value: String(reply[1]), pttl: Number(reply[2]) } : null;
    const limits = plan.map((limit, i) => {
      const b = 3 + i * 6;
      const consumed = Number(reply[b]);
      const oldest = Number(reply[b + 1]);
      const newest = Number(reply[b + 2]);
      const available = Number(reply[b + 3]);
      return {
        limit,
        consumed,
        remaining: Math.max(0, limit.max - consumed),
        oldestMs: oldest >= 0 ? oldest : null,
        newestMs: newest >= 0 ? newest : null,
        availableAtMs: available >= 0 ? available : null,
        cooldown: reply[b + 4] ? { value: String(reply[b + 4]), pttl: Number(reply[b + 5]) } : null,
      };
    });
    return { nowMs, identityCooldown, limits, holdsMember: Number(reply[3 + plan.length * 6]) === 1 };
  }

  planFor(identity: Identity, limits?: LimitDefinition[]): PlannedLimit[] {
    const catalog = this.catalog.get();
    return planLimits(identity, limits ?? catalog.limits, catalog, this.clock.now());
  }

  async read(identity: Identity, limits?: LimitDefinition[]): Promise<IdentityWindows> {
    return (await this.readMany([{ identity, limits }]))[0];
  }

  /** Many identities of one workspace in one pipelined round trip. */
  async readMany(items: { identity: Identity; limits?: LimitDefinition[]; member?: string }[]): Promise<IdentityWindows[]> {
    if (!items.length) return [];
    const plans = items.map((it) => this.planFor(it.identity, it.limits));
    const pipe = this.redis.pipeline();
    items.forEach((it, i) => {
      const { keys, args } = this.args(it.identity, plans[i], it.member);
      pipe.slReadWindows(keys.length, ...keys, ...args);
    });
    let results: [Error | null, unknown][] | null;
    try {
      results = await pipe.exec();
    } catch (e) {
      if (storeOfError(e) === 'redis' || e instanceof Error) throw ApiError.storeUnavailable('redis');
      throw e;
    }
    if (!results) throw ApiError.storeUnavailable('redis');
    return results.map(([err, reply], i) => {
      if (err) {
        if (storeOfError(err)) throw ApiError.storeUnavailable('redis');
        throw err;
      }
      return this.parse(reply as ReadReply, plans[i]);
    });
  }
}
