import { Injectable } from '@nestjs/common';
import { CatalogService } from '../catalog/catalog.service.js';
import { canPerform } from '../catalog/thresholds.js';
import { ApiError } from '../common/errors/api-error.js';
import { IdentitiesService } from '../identities/identities.service.js';
import { type Identity } from '../identities/identity.js';
import { actionMember } from './action-member.js';
import { type AutoGuardDto, type GuardLimitState, type GuardResponse } from './guard.dto.js';
import { type GuardOutcome, GuardService, type Refusal } from './guard.service.js';
import { guardHeaders, refusalError } from './guard-http.js';
import { scheduleFields } from './schedule-fields.js';
import { SmartLimitsErrorLabel } from './smart-limits.errors.js';

const MAX_POOL = 1000;

/**
 * Auto mode. The whole pool's decisions are read in one pipelined round trip (every identity of a
 * workspace shares its slot): identities too soon, in flight, closed, cooling down or full are
 * skipped; then the one with most headroom is guarded atomically like any other call. If another
 * request took its room in between, the guard refuses and the next one is tried.
 */
@Injectable()
export class AutoGuardService {
  constructor(
    private readonly identities: IdentitiesService,
    private readonly catalog: CatalogService,
    private readonly guard: GuardService,
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
    const when = scheduleFields(dto);
    const schedule = this.guard.scheduleOf({ ...when, actionId: dto.action_id }, actionSlug);
    // Every candidate's whole decision (windows, bursts, gaps, lease, hours, cooldowns), read in one
    // pipelined round trip without recording: the same rules as the guard, so the pool's earliest
    // available_at is by the same rule. In schedule mode each one's earliest time, planned the same way.
    const peeks = await this.guard.peekMany(
      pool.map((identity) => ({ identity, action, member: actionMember(dto.action_id), actionId: dto.action_id, cost, schedule })),
    );

    // A retry of an action already recorded on one of them answers as a duplicate on that one.
    const holder = peeks.findIndex((p) => p.reply.status === 'duplicate');
    const order: { identity: Identity; headroom: number; ratio: number; at: number }[] = [];
    let earliest: { at: number; refusal: Refusal; identityId: string } | null = null;
    const consider = (refusal: Refusal, identityId: string) => {
      if (refusal.availableAt && (!earliest || refusal.availableAt.getTime() < earliest.at)) {
        earliest = { at: refusal.availableAt.getTime(), refusal, identityId };
      }
    };
    peeks.forEach((p, i) => {
      if (p.outcome.kind === 'refused') return consider(p.outcome, pool[i].id);
      const remaining = p.plan.map((l, k) => l.max - p.reply.windows[k].consumedAfter);
      const headroom = Math.min(...remaining);
      const ratio = Math.min(...p.plan.map((l, k) => (l.max > 0 ? remaining[k] / l.max : 0)));
      order.push({ identity: pool[i], headroom, ratio, at: p.reply.atMs ?? p.reply.nowMs });
    });
    // Schedule mode: the identity that can act soonest first (then most headroom).
    order.sort((a, b) => (schedule ? a.at - b.at : 0) || b.headroom - a.headroom || b.ratio - a.ratio || a.identity.id.localeCompare(b.identity.id));
    if (holder >= 0) order.unshift({ identity: pool[holder], headroom: Infinity, ratio: 1, at: 0 });

    let last: GuardOutcome | undefined;
    for (const c of order) {
      const outcome = await this.guard.guardIdentity(
        { workspaceId: ws, identityId: c.identity.id, actionSlug, actionId: dto.action_id, cost, dryRun: dto.dry_run ?? false, ...when },
        c.identity,
        action,
      );
      last = outcome;
      if (outcome.kind === 'allowed') return { response: outcome.response, tightest: outcome.tightest, outcome };
      if (outcome.kind === 'api_limited') throw refusalError(outcome, c.identity.id, actionSlug);
      // Auto mode names no target, so no person can be invited already; skip it all the same.
      if (outcome.kind === 'already_invited') continue;
      consider(outcome, c.identity.id);
    }
    const nowMs = peeks[0]?.reply.nowMs ?? Date.now();
    // The /v1/actions API limit counted the tries: its fields describe the refusal (none tried: the
    // per-IP limit's, added for every answer that carries no other).
    const headers: Record<string, string> = last?.api ? guardHeaders(last, null) : {};
    const soonest = earliest as { at: number; refusal: Refusal; identityId: string } | null;
    if (soonest) headers['Retry-After'] = String(Math.max(1, Math.ceil((soonest.at - nowMs) / 1000)));
    // The label is the soonest identity's (what the pool is really waiting for); LIMIT_REACHED when
    // no identity will ever do.
    const label = soonest ? soonest.refusal.label : SmartLimitsErrorLabel.LIMIT_REACHED;
    throw new ApiError(
      429,
      label,
      `No identity of the pool can perform ${actionSlug} now`,
      {
        action: actionSlug,
        identity_ids: pool.map((p) => p.id),
        available_at: soonest ? new Date(soonest.at).toISOString() : null,
        ...(soonest ? { identity_id: soonest.identityId, blocked_by: soonest.refusal.blockedBy } : {}),
        ...(headers['Retry-After'] ? { 'Retry-After': headers['Retry-After'] } : {}),
      },
      headers,
    );
  }
}
