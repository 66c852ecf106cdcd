import { createHash } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { RedisKeys } from '../redis/redis-keys.js';
import { REDIS_CLIENT, type RedisClient } from '../redis/redis.tokens.js';
import { type AcceptanceView } from './invitation-rules.js';
import { INVITATION_STATE_SCRIPT } from './invitation-state.script.js';

/**
 * A target's field in the identity's invitation hash: a digest, so memory per target is bounded
 * whatever the caller's ids look like (96 bits: a collision needs ~2^48 targets on one identity).
 */
export function targetField(target: string): string {
  return 't:' + createHash('sha256').update(target).digest('base64url').slice(0, 16);
}

/** What a target means to the guard: `p` pending, `a` accepted, `w:<ms>` withdrawn at ms; absent = free. */
export type TargetMark = 'p' | 'a' | `w:${number}` | '';

export interface InvitationSnapshot {
  pending: number;
  acceptance: AcceptanceView;
  refusing: boolean;
  /** Per target field, its mark (pending, accepted, withdrawn in the last 21 days). */
  targets: Map<string, TargetMark>;
}

/** The acceptance fields the guard and the reads use, as hash fields. */
function acceptanceFields(a: AcceptanceView, refusing: boolean): [string, string][] {
  return [
    ['factor', String(a.factor)],
    ['refusing', refusing ? '1' : '0'],
    ['rate', a.rate === null ? '' : String(a.rate)],
    ['sample', String(a.sample)],
    ['accepted', String(a.accepted)],
    ['state', a.state],
  ];
}

export interface InvitationHashView {
  loaded: boolean;
  pending: number;
  factor: number;
  refusing: boolean;
  rate: number | null;
  sample: number;
  accepted: number;
  state: AcceptanceView['state'];
}

/** The fields `readView` asks for, in order (also usable inside a caller's pipeline). */
const VIEW_FIELDS = ['loaded', 'pending', 'factor', 'refusing', 'rate', 'sample', 'accepted', 'state'] as const;

export function parseView(v: (string | null)[]): InvitationHashView {
  const [loaded, pending, factor, refusing, rate, sample, accepted, state] = v;
  return {
    loaded: loaded === '1',
    pending: Number(pending ?? 0),
    factor: factor ? Number(factor) : 1,
    refusing: refusing === '1',
    rate: rate ? Number(rate) : null,
    sample: Number(sample ?? 0),
    accepted: Number(accepted ?? 0),
    state: state === 'low' || state === 'refuse' ? state : 'ok',
  };
}

/** The Redis side of invitation health: rebuilds, changes after a report, reads. */
@Injectable()
export class InvitationState {
  constructor(
    @Inject(REDIS_CLIENT) private readonly redis: RedisClient,
    private readonly keys: RedisKeys,
  ) {
    INVITATION_STATE_SCRIPT.define(redis);
  }

  key(workspaceId: string, identityId: string): string {
    return this.keys.invitations(workspaceId, identityId);
  }

  async gen(workspaceId: string, identityId: string): Promise<string> {
    return (await this.redis.hget(this.key(workspaceId, identityId), 'gen')) ?? '';
  }

  /** Rewrites the hash from a PostgreSQL snapshot read after `gen` was; false when something changed meanwhile. */
  async load(workspaceId: string, identityId: string, gen: string, s: InvitationSnapshot): Promise<boolean> {
    const pairs: string[] = ['pending', String(s.pending), ...acceptanceFields(s.acceptance, s.refusing).flat()];
    for (const [field, mark] of s.targets) if (mark) pairs.push(field, mark);
    return (
      (await INVITATION_STATE_SCRIPT.run(this.redis, {
        key: this.key(workspaceId, identityId),
        op: 'load',
        args: [gen, pairs.length / 2, ...pairs],
      })) === 1
    );
  }

  /** A committed change: pending moved by `delta`, targets marked (`''` forgets one), acceptance fields. */
  async apply(
    workspaceId: string,
    identityId: string,
    change: { pendingDelta?: number; targets?: [string, TargetMark][]; acceptance?: { view: AcceptanceView; refusing: boolean } },
  ): Promise<void> {
    const pairs: string[] = [];
    for (const [field, mark] of change.targets ?? []) pairs.push(field, mark);
    if (change.acceptance) pairs.push(...acceptanceFields(change.acceptance.view, change.acceptance.refusing).flat());
    await INVITATION_STATE_SCRIPT.run(this.redis, {
      key: this.key(workspaceId, identityId),
      op: 'apply',
      args: [change.pendingDelta ?? 0, pairs.length / 2, ...pairs],
    });
  }

  /** Corrects a drifted pending count, unless anything changed since `gen` or an invitation was recorded in the last `quietMs`. */
  async settle(workspaceId: string, identityId: string, gen: string, pending: number, nowMs: number, quietMs: number): Promise<boolean> {
    const input = { key: this.key(workspaceId, identityId), op: 'settle' as const, args: [gen, pending, nowMs, quietMs] };
    return (await INVITATION_STATE_SCRIPT.run(this.redis, input)) === 1;
  }

  /** Many identities of one workspace in one pipelined round trip (the overview's build). */
  async viewMany(workspaceId: string, identityIds: string[]): Promise<InvitationHashView[]> {
    if (!identityIds.length) return [];
    const pipe = this.redis.pipeline();
    for (const id of identityIds) pipe.hmget(this.key(workspaceId, id), ...VIEW_FIELDS);
    const results = (await pipe.exec()) ?? [];
    return results.map(([err, v]) => {
      if (err) throw err;
      return parseView(v as (string | null)[]);
    });
  }

  async view(workspaceId: string, identityId: string): Promise<InvitationHashView> {
    return parseView(await this.redis.hmget(this.key(workspaceId, identityId), ...VIEW_FIELDS));
  }
}
