import { Injectable } from '@nestjs/common';
import { CatalogService } from '../catalog/catalog.service.js';
import { canPerform } from '../catalog/thresholds.js';
import { ApiError } from '../common/errors/api-error.js';
import { IdentitiesService } from '../identities/identities.service.js';
import { type Identity } from '../identities/identity.js';
import { actionMember } from './action-member.js';
import { type AutoGuardDto, type GuardLimitState, type GuardResponse } from './guard.dto.js';
import { type GuardOutcome, GuardService } from './guard.service.js';
import { guardHeaders, refusalError } from './guard-http.js';
import { limitsOf } from './limit-plan.js';
import { SmartLimitsErrorLabel } from './smart-limits.errors.js';
import { WindowReader } from './window-reader.service.js';

const MAX_POOL = 1000;

/**
 * Auto mode. Headroom of the whole pool is read in one pipelined round trip (every identity of a
 * workspace shares its slot); then the best candidate is guarded atomically like any other call.
 * If another request took its last slot in between, the guard refuses and the next one is tried.
 */
@Injectable()
export class AutoGuardService {
  constructor(
    private readonly identities: IdentitiesService,
    private readonly catalog: CatalogService,
    private readonly guard: GuardService,
    private readonly reader: WindowReader,
  ) {}

  async pick(
    ws: string,
    actionSlug: string,
    dto: AutoGuardDto,
  ): Promise<{ response: GuardResponse; tightest: GuardLimitState | null; outcome?: GuardOutcome }> {
    const action = this.guard.resolveAction(actionSlug);
    const cost = dto.cost ?? 1;
    let pool: Identity[];
    if (dto.identity_ids?.length) {
      pool = [];
      for (const id of [...new Set(dto.identity_ids)]) pool.push(await this.identities.getCached(ws, id));
    } else {
      pool = await this.identities.activeIdentities(ws, MAX_POOL);
    }
    const can = (i: Pick<Identity, 'accountType'>) => canPerform(action, i.accountType, this.catalog.get());
    const capable = pool.filter(can);
    pool = capable.filter((i) => i.status === 'active');
    if (!pool.length) {
      // Some could do it but are paused: say that, not that no account type fits. (The default pool
      // holds active identities only, so the paused ones are looked up, on this error path alone.)
      const paused = dto.identity_ids?.length
        ? capable
        : (await this.identities.list(ws, { status: 'paused', limit: 200 })).data
            .map((i) => ({ id: i.id, accountType: i.account_type as Identity['accountType'] }))
            .filter(can);
      if (paused.length) {
        throw new ApiError(409, SmartLimitsErrorLabel.IDENTITY_PAUSED, `Every identity that can perform ${actionSlug} here is paused`, {
          action: actionSlug,
          paused_identity_ids: paused.map((i) => i.id),
        });
      }
    }
    if (!pool.length) {
      throw new ApiError(403, SmartLimitsErrorLabel.NO_VALID_ACCOUNT_CONFIGURED, `No active identity of this workspace can perform ${actionSlug}`, {
        action: actionSlug,
        account_types: action.account_types,
      });
    }
    const limits = limitsOf(this.catalog.get(), action);
    const member = actionMember(dto.action_id);
    const windows = await this.reader.readMany(pool.map((identity) => ({ identity, limits, member, cost })));

    // A retry of an action already recorded on one of them answers as a duplicate on that one.
    const holder = windows.findIndex((w) => w.holdsMember);
    const order: { identity: Identity; headroom: number; ratio: number }[] = [];
    let earliest: number | null = null;
    windows.forEach((w, i) => {
      const cooling = w.identityCooldown ?? w.limits.find((l) => l.cooldown)?.cooldown ?? null;
      if (cooling) {
        if (cooling.pttl > 0) earliest = Math.min(earliest ?? Infinity, w.nowMs + cooling.pttl);
        return;
      }
      const headroom = Math.min(...w.limits.map((l) => l.remaining));
      const ratio = Math.min(...w.limits.map((l) => (l.limit.max > 0 ? l.remaining / l.limit.max : 0)));
      if (headroom >= cost) order.push({ identity: pool[i], headroom, ratio });
      else {
        // This identity has room when its last full limit has room for the cost (read-windows.lua says when); never if one never will.
        let at: number | null = -Infinity;
        for (const l of w.limits) if (l.remaining < cost) at = at === null || l.availableAtMs === null ? null : Math.max(at, l.availableAtMs);
        if (at !== null && at !== -Infinity) earliest = Math.min(earliest ?? Infinity, at);
      }
    });
    order.sort((a, b) => b.headroom - a.headroom || b.ratio - a.ratio || a.identity.id.localeCompare(b.identity.id));
    if (holder >= 0) order.unshift({ identity: pool[holder], headroom: Infinity, ratio: 1 });

    let last: GuardOutcome | undefined;
    for (const c of order) {
      const outcome = await this.guard.guardIdentity(
        { workspaceId: ws, identityId: c.identity.id, actionSlug, actionId: dto.action_id, cost, dryRun: dto.dry_run ?? false },
        c.identity,
        action,
      );
      last = outcome;
      if (outcome.kind === 'allowed') return { response: outcome.response, tightest: outcome.tightest, outcome };
      if (outcome.kind === 'api_limited') throw refusalError(outcome, c.identity.id, actionSlug);
      if (outcome.kind === 'limit_reached' && outcome.availableAt) {
        earliest = Math.min(earliest ?? Infinity, outcome.availableAt.getTime());
      }
    }
    const nowMs = windows[0]?.nowMs ?? Date.now();
    // The /v1/actions API limit counted the tries: its fields describe the refusal (none tried: the
    // per-IP limit's, added for every answer that carries no other).
    const headers: Record<string, string> = last?.api ? guardHeaders(last, null) : {};
    if (earliest !== null) headers['Retry-After'] = String(Math.max(1, Math.ceil((earliest - nowMs) / 1000)));
    throw new ApiError(
      429,
      SmartLimitsErrorLabel.LIMIT_REACHED,
      `No identity of the pool has room for ${actionSlug} now`,
      {
        action: actionSlug,
        identity_ids: pool.map((p) => p.id),
        available_at: earliest === null ? null : new Date(earliest).toISOString(),
        ...(headers['Retry-After'] ? { 'Retry-After': headers['Retry-After'] } : {}),
      },
      headers,
    );
  }
}
