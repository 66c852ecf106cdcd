import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { CatalogService } from '../catalog/catalog.service.js';
import { Clock } from '../common/clock.js';
import { RedisKeys } from '../redis/redis-keys.js';
import { IdentityRebuild } from '../smart-limits/identity-rebuild.service.js';
import { REDIS_CLIENT, type RedisClient } from '../redis/redis.tokens.js';
import { COOLDOWN_MIRROR_SCRIPT } from './cooldown-mirror.script.js';
import { mirrorState, type MirrorEntry } from './cooldown-mirror-state.js';
import { CooldownsRepository, type CooldownTx, type IdentityRef } from './cooldowns.repository.js';
import { type CooldownRow } from './cooldown.types.js';

/**
 * Writes the Redis mirrors the guard reads (`…:cd`, `…:cd:<LIMIT>`) from PostgreSQL, the owner of
 * cooldowns. Always the whole state of an identity, read and written under its cooldown lock, so
 * whichever write comes last reflects the last committed change.
 */
@Injectable()
export class CooldownMirror implements OnModuleInit {
  constructor(
    @Inject(REDIS_CLIENT) private readonly redis: RedisClient,
    private readonly keys: RedisKeys,
    private readonly catalog: CatalogService,
    private readonly clock: Clock,
    private readonly repo: CooldownsRepository,
    private readonly rebuild: IdentityRebuild,
  ) {
    COOLDOWN_MIRROR_SCRIPT.define(redis);
  }

  /** An identity whose Redis state is rebuilt (its marker was missing) gets its mirrors back before the guard decides. */
  onModuleInit(): void {
    this.rebuild.register('cooldown mirrors', (ref) => this.mirrorIdentity(ref));
  }

  /** Mirrors one identity (waits for its lock). Throws when Redis or PostgreSQL cannot be reached. */
  async mirrorIdentity(ref: IdentityRef): Promise<void> {
    await this.repo.inIdentityLock(ref.identityId, async (tx) => {
      const now = this.clock.now();
      await this.write(ref, await tx.running(ref.identityId, now), now);
    });
  }

  /** Mirrors many identities in one transaction, skipping those whose lock is busy. Returns how many were written. */
  async mirrorMany(refs: IdentityRef[]): Promise<number> {
    if (!refs.length) return 0;
    const byId = new Map(refs.map((r) => [r.identityId, r]));
    return this.repo.inFreeIdentityLocks([...byId.keys()], async (tx: CooldownTx, locked) => {
      const now = this.clock.now();
      const rows = await tx.runningOf(locked, now);
      const grouped = new Map<string, CooldownRow[]>(locked.map((id) => [id, []]));
      for (const r of rows) grouped.get(r.identityId)?.push(r);
      // Sent together: ioredis writes each call at once, so the batch costs about one round trip.
      await Promise.all([...grouped].map(([id, own]) => this.write(byId.get(id)!, own, now)));
      return locked.length;
    });
  }

  private async write(ref: IdentityRef, running: CooldownRow[], now: Date): Promise<void> {
    const state = mirrorState(
      running,
      this.catalog.get().limits.map((l) => l.slug),
      now,
    );
    const mirrors = [{ key: this.keys.identityCooldown(ref.workspaceId, ref.identityId), ...encode(state.identity) }];
    for (const [slug, entry] of Object.entries(state.limits)) {
      mirrors.push({ key: this.keys.limitCooldown(ref.workspaceId, ref.identityId, slug), ...encode(entry) });
    }
    await COOLDOWN_MIRROR_SCRIPT.run(this.redis, { mirrors });
  }
}

function encode(entry: MirrorEntry): { value: string | null; pttlMs: number | null } {
  return entry ? { value: JSON.stringify(entry.value), pttlMs: entry.pttlMs } : { value: null, pttlMs: null };
}
