import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { CatalogService } from '../catalog/catalog.service.js';
import { Clock } from '../common/clock.js';
import { ApiError } from '../common/errors/api-error.js';
import { storeOfError, storeUnavailableOr } from '../common/errors/store-errors.js';
import { AppConfig } from '../config/app-config.js';
import { CooldownsService } from '../cooldowns/cooldowns.service.js';
import { IdentitiesService } from '../identities/identities.service.js';
import { type InvitationHashView } from '../invitations/invitation-state.js';
import { InvitationsService, type InvitationSummary, summaryOf } from '../invitations/invitations.service.js';
import { type Identity } from '../identities/identity.js';
import { RedisKeys } from '../redis/redis-keys.js';
import { REDIS_CLIENT, type RedisClient } from '../redis/redis.tokens.js';
import { type IdentityWindows, WindowReader } from '../smart-limits/window-reader.service.js';
import { WorkspacesService } from '../workspaces/workspaces.service.js';
import { type OverviewLimit, type OverviewRow, type StatusCounts } from './dashboard.dto.js';
import { AT_RISK_WINDOW_MS, HEALTH_STATUSES, type HealthStatus, riskSortKey, statusRank, statusSortKey } from './health-status.js';
import { type IdentitySummary, invitationFacts, summarizeIdentity } from './health-view.js';
import { SNAPSHOT_COMMIT_SCRIPT, type SnapshotCommitInput } from './snapshot-commit.script.js';
import { SNAPSHOT_PAGE_SCRIPT } from './snapshot-page.script.js';
import { USAGE_SCRIPT } from './usage.script.js';
import { decodeCursor, encodeCursor } from '../common/http/cursor.js';

/** Identities read per script call while building (one round trip each; ~1 ms of Redis time). */
const BUILD_BATCH = 250;
/** A builder that takes longer than this loses its lock (another may start). */
const LOCK_MS = 30_000;
/** Unwatched snapshots go away by themselves. */
const SNAPSHOT_TTL_MS = 10 * 60_000;
const SORT_KEY = /^[0-5]\d{5}\|[0-9a-f-]{36}$/;

export interface SnapshotMeta {
  built_at: number;
  counts: StatusCounts;
  /** The workspace as it was at the build (its name changes rarely; no query per page). */
  workspace: { id: string; name: string; monthly_credits: number };
}

export interface OverviewPage {
  meta: SnapshotMeta;
  rows: OverviewRow[];
  nextCursor: string | null;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * The workspace overview is served from a snapshot kept in Redis, so a page costs one script call
 * whatever the size of the workspace: the snapshot holds each identity's row (hash), its place in
 * the risk order and in the status order (sorted sets of sort keys, paged BYLEX), and the status
 * counts. A request that finds it older than DASHBOARD_REFRESH_SECONDS rebuilds it — one builder per
 * workspace across all instances (a Redis lock with a token); the others keep serving the previous
 * snapshot meanwhile. A build reads the windows of BUILD_BATCH identities per script call
 * (`usage.lua`) and the workspace's cooldowns in one
 * query, then publishes the new snapshot in one atomic step.
 */
@Injectable()
export class OverviewSnapshotService {
  private readonly logger = new Logger('DashboardSnapshot');

  constructor(
    @Inject(REDIS_CLIENT) private readonly redis: RedisClient,
    private readonly keys: RedisKeys,
    private readonly identities: IdentitiesService,
    private readonly reader: WindowReader,
    private readonly cooldowns: CooldownsService,
    private readonly catalog: CatalogService,
    private readonly clock: Clock,
    private readonly config: AppConfig,
    private readonly workspaces: WorkspacesService,
    private readonly invitations: InvitationsService,
  ) {
    for (const script of [USAGE_SCRIPT, SNAPSHOT_PAGE_SCRIPT, SNAPSHOT_COMMIT_SCRIPT]) script.define(redis);
  }

  get refreshSeconds(): number {
    return this.config.dashboardRefreshSeconds;
  }

  async page(workspaceId: string, q: { limit: number; cursor?: string; status?: HealthStatus }): Promise<OverviewPage> {
    const after = q.cursor ? decodeCursor(q.cursor, CURSOR_KIND, sortKeyOf) : null;
    let page = await this.read(workspaceId, after, q.status, q.limit);
    if (!page.meta || this.clock.now().getTime() - page.meta.built_at >= this.refreshSeconds * 1000) {
      try {
        if (await this.refresh(workspaceId, page.meta !== null)) page = await this.read(workspaceId, after, q.status, q.limit);
      } catch (e) {
        // A store away while rebuilding: the previous snapshot (generated_at says how old) beats a 503.
        // Anything else is a bug, and a logged 500.
        if (!page.meta || !storeOfError(e)) throw e;
        this.logger.warn(`dashboard snapshot of ${workspaceId} not rebuilt, serving the previous one: ${(e as Error).message}`);
      }
    }
    if (!page.meta) throw ApiError.storeUnavailable('redis');
    return page as OverviewPage;
  }

  /** Builds and publishes a snapshot now (the caller holds no lock; one is taken). */
  async rebuild(workspaceId: string): Promise<void> {
    await this.refresh(workspaceId, false);
  }

  /** true when a new snapshot is there to read; false when another builder is at work and a stale one is served. */
  private async refresh(workspaceId: string, haveStale: boolean): Promise<boolean> {
    const lock = this.keys.dashboard(workspaceId, 'lock');
    const deadline = Date.now() + LOCK_MS + 5_000;
    for (;;) {
      const token = randomUUID();
      const got = await this.redisCall(() => this.redis.set(lock, token, 'PX', LOCK_MS, 'NX'));
      if (got === 'OK') {
        await this.build(workspaceId, token);
        return true;
      }
      if (haveStale) return false;
      // Nothing to serve yet: wait for the other builder's snapshot (or its lock to lapse).
      await sleep(50);
      if (await this.redisCall(() => this.redis.exists(this.keys.dashboard(workspaceId, 'meta')))) return true;
      if (Date.now() > deadline) throw ApiError.storeUnavailable('redis');
    }
  }

  private async build(workspaceId: string, token: string): Promise<void> {
    const k = (part: string) => this.keys.dashboard(workspaceId, part);
    const built = { order: k(`build:${token}:order`), byStatus: k(`build:${token}:by-status`), rows: k(`build:${token}:rows`) };
    const commit = (mode: SnapshotCommitInput['mode'], metaJson: string, ttlMs: number) =>
      SNAPSHOT_COMMIT_SCRIPT.run(this.redis, {
        built,
        live: { order: k('order'), byStatus: k('by-status'), rows: k('rows') },
        metaKey: k('meta'),
        lockKey: k('lock'),
        mode,
        token,
        metaJson,
        ttlMs,
      });
    try {
      const builtAt = this.clock.now().getTime();
      const catalog = this.catalog.get();
      const [workspace, identities, risks] = await Promise.all([
        this.workspaces.get(workspaceId),
        this.identities.allIdentities(workspaceId),
        this.cooldowns.workspaceRiskFacts(workspaceId, AT_RISK_WINDOW_MS / 86_400_000),
      ]);
      const riskOf = new Map(risks.map((r) => [r.identityId, r]));
      const counts = Object.fromEntries([...HEALTH_STATUSES.map((s) => [s, 0]), ['total', identities.length]]) as StatusCounts;
      for (let i = 0; i < identities.length; i += BUILD_BATCH) {
        const batch = identities.slice(i, i + BUILD_BATCH);
        // Invitation state first: a low acceptance rate halves the invitation thresholds.
        const states = await this.redisCall(() =>
          this.invitations.states(
            workspaceId,
            batch.map((b) => b.id),
          ),
        );
        const windows = await this.readUsage(workspaceId, batch, states);
        const invitations = states.map(summaryOf);
        const order: (string | number)[] = [];
        const byStatus: (string | number)[] = [];
        const rows: string[] = [];
        batch.forEach((identity, j) => {
          const risk = riskOf.get(identity.id) ?? { running: [], cooldowns7d: 0, flagged7d: false };
          const s = summarizeIdentity(identity, windows[j], risk, catalog, invitationFacts(invitations[j]));
          const row = toOverviewRow(identity, s, invitations[j]);
          counts[row.status]++;
          order.push(0, riskSortKey(row.status, row.usage, identity.id));
          byStatus.push(0, statusSortKey(row.status, row.usage, identity.id));
          rows.push(identity.id, JSON.stringify(row));
        });
        await this.redisCall(() =>
          this.redis
            .pipeline()
            .zadd(built.order, ...order)
            .zadd(built.byStatus, ...byStatus)
            .hset(built.rows, ...rows)
            .pexpire(built.order, LOCK_MS)
            .pexpire(built.byStatus, LOCK_MS)
            .pexpire(built.rows, LOCK_MS)
            .exec(),
        );
      }
      const meta: SnapshotMeta = {
        built_at: builtAt,
        counts,
        workspace: { id: workspace.id, name: workspace.name, monthly_credits: workspace.monthlyCredits },
      };
      const published = await this.redisCall(() => commit('commit', JSON.stringify(meta), SNAPSHOT_TTL_MS));
      // A newer builder took the lapsed lock over; its snapshot stands.
      if (!published) this.logger.warn(`dashboard snapshot of ${workspaceId} took longer than its ${LOCK_MS} ms lock; discarded`);
    } catch (e) {
      await commit('abort', '', 0).catch((err: Error) => {
        this.logger.warn(`dashboard build lock of ${workspaceId} not released (it lapses in ${LOCK_MS} ms): ${err.message}`);
      });
      throw e;
    }
  }

  /** How full every window of each identity is: one light script call for the whole batch. */
  private async readUsage(workspaceId: string, batch: Identity[], states: InvitationHashView[]): Promise<IdentityWindows[]> {
    const plans = batch.map((identity, i) => {
      const plan = this.reader.planFor(identity);
      return states[i].factor < 1 ? plan.map((l) => ({ ...l, max: l.lowAcceptanceMax })) : plan;
    });
    const limits = plans[0]?.map((l) => ({ slug: l.slug, windowMs: l.windowMs })) ?? [];
    plans.forEach((plan) => {
      plan.forEach((l, j) => {
        if (l.slug !== limits[j].slug) throw new Error('dashboard: plans of one catalog differ in order');
      });
    });
    if (!limits.length) {
      return batch.map((_, i) => ({
        nowMs: this.clock.now().getTime(),
        identityCooldown: null,
        holdsMember: false,
        acceptanceFactor: states[i].factor,
        invitations: states[i],
        limits: [],
      }));
    }
    const r = await this.redisCall(() =>
      USAGE_SCRIPT.run(this.redis, {
        nowMs: this.clock.scriptNowMs(),
        windowsMs: limits.map((l) => l.windowMs),
        identities: batch.map((identity, i) => plans[i].map((l) => ({ windowKey: this.keys.window(workspaceId, identity.id, l.slug), max: l.max }))),
      }),
    );
    return plans.map((plan, i) => ({
      nowMs: r.nowMs,
      identityCooldown: null,
      holdsMember: false,
      acceptanceFactor: states[i].factor,
      invitations: states[i],
      limits: plan.map((limit, j) => {
        const { consumed, availableAtMs: available } = r.identities[i][j];
        return {
          limit,
          consumed,
          remaining: Math.max(0, limit.max - consumed),
          oldestMs: null,
          newestMs: null,
          availableAtMs: available,
          cooldown: null,
        };
      }),
    }));
  }

  private async read(
    workspaceId: string,
    after: string | null,
    status: HealthStatus | undefined,
    limit: number,
  ): Promise<{ meta: SnapshotMeta | null; rows: OverviewRow[]; nextCursor: string | null }> {
    const { min, max } = lexRange(after, status);
    const k = (part: string) => this.keys.dashboard(workspaceId, part);
    const reply = await this.redisCall(() =>
      SNAPSHOT_PAGE_SCRIPT.run(this.redis, {
        metaKey: k('meta'),
        orderKey: k(status ? 'by-status' : 'order'),
        rowsKey: k('rows'),
        lexMin: min,
        lexMax: max,
        count: limit + 1,
      }),
    );
    if (reply.meta === null) return { meta: null, rows: [], nextCursor: null };
    const meta = JSON.parse(reply.meta) as SnapshotMeta;
    const entries = reply.entries.map((e) => ({ key: e.key, row: e.row ? (JSON.parse(e.row) as OverviewRow) : null }));
    const shown = entries.slice(0, limit);
    return {
      meta,
      rows: shown.flatMap((e) => (e.row ? [e.row] : [])),
      nextCursor: entries.length > limit ? encodeCursor(CURSOR_KIND, shown[shown.length - 1].key) : null,
    };
  }

  /** A Redis failure becomes 503 STORE_UNAVAILABLE; anything else (a script error, a bad reply) stays a 500. */
  private async redisCall<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (e) {
      throw storeUnavailableOr(e);
    }
  }
}

function toOverviewRow(identity: Identity, s: IdentitySummary, inv: InvitationSummary): OverviewRow {
  const limits: OverviewLimit[] = s.limits
    .filter((l) => l.consumed > 0)
    .sort((a, b) => b.usage - a.usage || b.consumed - a.consumed)
    .map((l) => ({ slug: l.slug, name: l.name, consumed: l.consumed, max_limit: l.max_limit, usage: l.usage, available_at: l.available_at }));
  const c = s.cooldown;
  return {
    id: identity.id,
    external_id: identity.externalId,
    label: identity.label,
    mode: identity.mode,
    account_type: identity.accountType,
    level: identity.level,
    identity_status: identity.status,
    status: s.verdict.status,
    usage: s.verdict.usage,
    top_limit: limits[0] ?? null,
    limits,
    cooldown: c ? { reason: c.reason, scope: c.scope, limits: c.limits, level: c.level, ends_at: c.ends_at, at_risk: c.at_risk } : null,
    warmup_day: s.warmup.warmup_day,
    warmup_factor: s.warmup.warmup_factor,
    pending_invitations: inv.pending_invitations,
    acceptance_rate: inv.acceptance_rate.rate,
    low_acceptance: inv.acceptance_rate.low_acceptance,
  };
}

/**
 * The BYLEX range of a page: after the cursor's key, inside the status' block of the status order
 * when filtered. A cursor belongs to the query that returned it; one from another query gives a
 * page of the right status, never an error.
 */
export function lexRange(after: string | null, status: HealthStatus | undefined): { min: string; max: string } {
  const rank = status === undefined ? null : statusRank(status);
  let min = rank === null ? '-' : `[${rank}`;
  if (after !== null && (rank === null || after >= String(rank))) min = `(${after}`;
  return { min, max: rank === null ? '+' : `(${rank + 1}` };
}

/** The overview is paged by sort key: the cursor is the last row's key. */
const CURSOR_KIND = 'd';
const sortKeyOf = (payload: string): string | null => (SORT_KEY.test(payload) ? payload : null);
