import { Inject, Injectable, Logger } from '@nestjs/common';
import { CatalogService } from '../catalog/catalog.service.js';
import { Clock } from '../common/clock.js';
import { ApiError } from '../common/errors/api-error.js';
import { storeOfError } from '../common/errors/store-errors.js';
import { AppConfig } from '../config/app-config.js';
import { MetricsService } from '../health/metrics.service.js';
import { JournalService } from '../journal/journal.service.js';
import { RedisLock } from '../redis/redis-lock.js';
import { RedisKeys } from '../redis/redis-keys.js';
import { REDIS_CLIENT, type RedisClient } from '../redis/redis.tokens.js';
import { actionMember } from './action-member.js';
import { RESTORE_WINDOWS_SCRIPT, type RestoreWindow } from './restore-windows.script.js';

/** Restores one kind of per-identity state the guard reads (the cooldown mirrors, …) from PostgreSQL. */
export type RebuildPart = (ref: { workspaceId: string; identityId: string }) => Promise<void>;

/** Longer than any rebuild (a few thousand entries take milliseconds); a crashed holder's lock lapses. */
const LOCK_MS = 15_000;
/** How long a guard waits for another instance's rebuild before answering 503. */
const WAIT_MS = 10_000;
const POLL_MS = 20;
/** Beyond the batch delay: what another instance recorded just before the loss reaches the journal before it is read. */
const SETTLE_MARGIN_MS = 50;
/** Host clocks may trail Redis TIME a little; the script filters by its own clock anyway. */
const CLOCK_MARGIN_MS = 60_000;

export interface RebuildReport {
  entries: number;
  actions: number;
  ms: number;
}

/**
 * Rebuilds an identity's Redis state after its marker went missing (SPEC §9b): its windows from the
 * journal (the longest window back, releases out, the guard's own member strings), the other parts
 * registered here (cooldown mirrors from PostgreSQL), then the marker, so the guard can decide.
 * One rebuild per identity at a time across instances (a Redis lock with a token and a TTL);
 * concurrent guards wait for it instead of rebuilding again.
 */
@Injectable()
export class IdentityRebuild {
  private readonly logger = new Logger('IdentityRebuild');
  private readonly parts = new Map<string, RebuildPart>();
  private readonly inProgress = new Map<string, Promise<void>>();

  constructor(
    @Inject(REDIS_CLIENT) private readonly redis: RedisClient,
    private readonly keys: RedisKeys,
    private readonly catalog: CatalogService,
    private readonly journal: JournalService,
    private readonly clock: Clock,
    private readonly config: AppConfig,
    private readonly metrics: MetricsService,
  ) {}

  /** Another feature's per-identity guard state, restored before the marker is set. */
  register(name: string, part: RebuildPart): void {
    this.parts.set(name, part);
  }

  /**
   * Returns once the identity's state is back in Redis: rebuilt here, or by another instance that
   * held the lock. 503 when PostgreSQL cannot be read (the guard then cannot decide safely).
   */
  ensure(workspaceId: string, identityId: string): Promise<void> {
    const k = `${workspaceId}/${identityId}`;
    let p = this.inProgress.get(k);
    if (!p) {
      p = this.ensureOnce(workspaceId, identityId).finally(() => this.inProgress.delete(k));
      this.inProgress.set(k, p);
    }
    return p;
  }

  private async ensureOnce(workspaceId: string, identityId: string): Promise<void> {
    const marker = this.keys.marker(workspaceId, identityId);
    const lock = new RedisLock(this.redis, this.keys.rebuildLock(workspaceId, identityId), LOCK_MS);
    const deadline = Date.now() + WAIT_MS;
    for (;;) {
      const token = await lock.acquire();
      if (token) {
        try {
          // Another instance may have finished between our guard call and this lock.
          if (!(await this.redis.exists(marker))) await this.rebuildHeld(workspaceId, identityId);
        } finally {
          await lock.release(token).catch((e: Error) => this.logger.warn(`rebuild lock of ${identityId} not released (it lapses): ${e.message}`));
        }
        return;
      }
      await new Promise((r) => setTimeout(r, POLL_MS));
      if (await this.redis.exists(marker)) return;
      if (Date.now() > deadline) throw ApiError.storeUnavailable('redis');
    }
  }

  /** The rebuild itself; the caller holds the identity's lock. Exposed for the benchmark. */
  async rebuildHeld(workspaceId: string, identityId: string): Promise<RebuildReport> {
    const started = process.hrtime.bigint();
    try {
      // A limit consumed once per action (per_action, e.g. LK_WRITE_ACTIONS) holds one unit whatever the cost, as the guard records it.
      const limits = this.catalog.get().limits.map((l) => ({
        slug: l.slug,
        windowMs: l.window_seconds * 1000,
        perAction: (l as { per_action?: boolean }).per_action === true,
      }));
      let actions = 0;
      const windows: RestoreWindow[] = limits.map((l) => ({
        key: this.keys.window(workspaceId, identityId, l.slug),
        windowMs: l.windowMs,
        entries: [],
      }));
      if (this.journal.enabled) {
        await new Promise((r) => setTimeout(r, this.config.journal.flushMs + SETTLE_MARGIN_MS));
        await this.journal.flush();
        const longest = Math.max(...limits.map((l) => l.windowMs));
        const nowMs = this.clock.scriptNowMs() ?? Date.now();
        const standing = await this.journal.standingSince(identityId, nowMs - longest - CLOCK_MARGIN_MS);
        actions = standing.length;
        const index = new Map(limits.map((l, i) => [l.slug, i]));
        // Planned actions still ahead go back into the identity's schedule (GET …/schedule) too.
        const planned = standing.filter((a) => a.kind === 'scheduled' && a.atMs > nowMs);
        if (planned.length) {
          const key = this.keys.schedule(workspaceId, identityId);
          await this.redis.zadd(key, ...planned.flatMap((a) => [a.atMs, `${a.actionSlug} ${a.actionId}`]));
          await this.redis.pexpire(key, Math.max(...planned.map((a) => a.atMs)) - nowMs + longest);
        }
        for (const a of standing) {
          const member = actionMember(a.actionId);
          for (const slug of a.limits) {
            const i = index.get(slug);
            if (i === undefined) continue; // a limit the catalog no longer has
            windows[i].entries.push({ scoreMs: a.atMs, member, units: limits[i].perAction ? 1 : a.cost });
          }
        }
        // Oldest first: the windows take them as appends (window.include.lua).
        for (const w of windows) w.entries.sort((x, y) => x.scoreMs - y.scoreMs);
      }
      for (const part of this.parts.values()) await part({ workspaceId, identityId });
      const { added } = await RESTORE_WINDOWS_SCRIPT.run(this.redis, {
        markerKey: this.keys.marker(workspaceId, identityId),
        nowMs: this.clock.scriptNowMs(),
        windows,
      });
      // The first layout's marker (no TTL) goes with the migration; its windows expire on their own.
      await this.redis.del(`${this.keys.identity(workspaceId, identityId)}:m`);
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      this.metrics.identityRebuilds.observe(ms / 1000);
      this.logger.log({ workspaceId, identityId, actions, entries: added, ms: Math.round(ms) }, `identity ${identityId} rebuilt from PostgreSQL`);
      return { entries: added, actions, ms };
    } catch (e) {
      if (storeOfError(e) === 'postgres' || /journal: PostgreSQL did not take/.test((e as Error)?.message ?? '')) {
        this.logger.warn(`identity ${identityId} cannot be rebuilt: PostgreSQL unreachable (${(e as Error).message})`);
        throw ApiError.storeUnavailable('postgres');
      }
      throw e;
    }
  }
}
