import { type Result } from 'ioredis';
import { API_LIMIT_INCLUDE, API_TAKE_LENGTH, type ApiLimitArgs, apiLimitArgv, type ApiTake, readApiTake } from '../api-limits/api-limit.include.js';
import { INVITATION_GUARD_INCLUDE } from '../invitations/invitation-guard.include.js';
import { NOW_INCLUDE, scriptNowArg } from '../redis/now.include.js';
import { composeLua, ReplyReader, RedisScript } from '../redis/redis-script.js';
import { readAvailableAt, WINDOW_INCLUDE } from './window.include.js';

declare module 'ioredis' {
  interface RedisCommander<Context> {
    slGuard(numKeys: number, ...keysAndArgs: (string | number)[]): Result<unknown, Context>;
  }
}

export type GuardMode = 'check' | 'dry' | 'backfill';

export interface GuardScriptLimit {
  windowKey: string;
  cooldownKey: string;
  max: number;
  windowMs: number;
  /** The threshold while the identity's acceptance rate is low (its invitation hash's factor < 1); default max. */
  lowAcceptanceMax?: number;
}

/** Invitation health (SPEC §5b), read and updated in the same call. */
export interface GuardInvitationInput {
  /** The identity's invitation hash. */
  key: string;
  /** An invitation action: the hash is checked and, when recorded, updated. */
  enabled: boolean;
  /** The target's field in the hash, or null without a target. */
  targetField: string | null;
  reinviteMs: number;
  pendingRefuse: number;
}

export interface GuardInput {
  identityCooldownKey: string;
  /** The injected clock, or null for Redis TIME. */
  nowMs: number | null;
  member: string;
  cost: number;
  mode: GuardMode;
  /** A backfill's occurred_at, else null. */
  occurredAtMs: number | null;
  limits: GuardScriptLimit[];
  /** The workspace's /v1/actions API limit, checked first in the same call. */
  api: { bucketKey: string; dailyKey: string; limits: ApiLimitArgs };
  /** The identity's marker (RedisKeys.marker): missing → `rebuild_needed`, nothing decided. */
  markerKey: string;
  /** Absent: not an invitation action. */
  invitation?: GuardInvitationInput;
}

/** guard.lua's status codes, by position. */
const GUARD_STATUSES = [
  'recorded',
  'duplicate',
  'limit_reached',
  'cooldown',
  'dry_run_allowed',
  'api_limited',
  'rebuild_needed',
  'already_invited',
  'reinvite_too_soon',
  'invitation_state_missing',
] as const;

export interface GuardWindow {
  consumedBefore: number;
  consumedAfter: number;
  oldestMs: number | null;
  newestMs: number | null;
  /** When one more unit fits after this call: nowMs when there is room, a later ms; null never (window.include.lua). */
  availableAtMs: number | null;
}

/** What the call saw of the identity's invitation hash (invitation actions only). */
export interface GuardInvitationState {
  /** Pending invitations before this call; null when not an invitation action. */
  pending: number | null;
  /** The factor in force on the invitation limits (1, or 0.5 while the acceptance rate is low). */
  factor: number;
}

interface GuardReplyBase {
  nowMs: number;
  api: ApiTake;
  windows: GuardWindow[];
  invitation: GuardInvitationState;
}

/** The marker was missing: Redis does not hold the identity's state; nothing was decided or changed. */
export interface GuardRebuildNeeded {
  status: 'rebuild_needed';
  nowMs: number;
}

export type GuardReply = GuardDecision | GuardRebuildNeeded;

export type GuardDecision = GuardReplyBase &
  (
    | {
        status: 'limit_reached';
        /** The refused limit's index in `input.limits` (the one whose room frees last). */
        limitIndex: number;
        /** When the refused limit has room for the whole cost (ms, after nowMs); null never (window.include.lua). */
        availableAtMs: number | null;
        /** What refused: a window, or an invitation rule (then availableAtMs is null). */
        rule: 'window' | 'pending_invitations' | 'acceptance_rate';
      }
    | {
        status: 'already_invited';
        /** The target's invitation is pending or was accepted. */
        invitationStatus: 'pending' | 'accepted';
      }
    | {
        status: 'reinvite_too_soon';
        /** When the person may be invited again and every window has room (ms); null never. */
        availableAtMs: number | null;
      }
    | {
        status: 'cooldown';
        /** The cooling-down limit's index in `input.limits`; null when the whole identity cools down. */
        limitIndex: number | null;
        cooldown: { value: string; pttlMs: number };
      }
    | { status: 'recorded' | 'duplicate' | 'dry_run_allowed' | 'api_limited' | 'invitation_state_missing' }
  );

/** The pre-action guard (guard.lua): the whole decision in one EVALSHA on one Cluster slot. */
export const GUARD_SCRIPT = new RedisScript<GuardInput, GuardReply>({
  command: 'slGuard',
  lua: composeLua(new URL('./guard.lua', import.meta.url), [NOW_INCLUDE, API_LIMIT_INCLUDE, WINDOW_INCLUDE, INVITATION_GUARD_INCLUDE]),
  encode: (i) => {
    const keys = [i.identityCooldownKey];
    const args: (string | number)[] = [scriptNowArg(i.nowMs), i.member, i.cost, i.mode, i.occurredAtMs ?? '', i.limits.length];
    for (const l of i.limits) {
      keys.push(l.windowKey, l.cooldownKey);
      args.push(l.max, l.windowMs);
    }
    // Without invitation input the hash key is a stand-in of the same slot that the script never reads.
    const inv = i.invitation ?? { key: i.identityCooldownKey, enabled: false, targetField: null, reinviteMs: 0, pendingRefuse: 0 };
    keys.push(i.api.bucketKey, i.api.dailyKey, i.markerKey, inv.key);
    args.push(...apiLimitArgv(i.api.limits));
    args.push(inv.enabled ? '1' : '', inv.targetField ?? '', inv.reinviteMs, inv.pendingRefuse);
    for (const l of i.limits) args.push(l.lowAcceptanceMax ?? l.max);
    return { keys, args };
  },
  decode: (reply, input) => {
    const n = input.limits.length;
    if (Array.isArray(reply) && reply[0] === GUARD_STATUSES.indexOf('rebuild_needed')) {
      const short = new ReplyReader('guard.lua', reply).expectLength(2);
      short.int('status');
      const rebuild: GuardRebuildNeeded = { status: 'rebuild_needed', nowMs: short.int('now', 0) };
      short.end();
      return rebuild;
    }
    const r: ReplyReader = new ReplyReader('guard.lua', reply).expectLength(6 + API_TAKE_LENGTH + 5 * n + 4);
    const status = GUARD_STATUSES[r.int('status', 0, GUARD_STATUSES.length - 1)];
    const nowMs = r.int('now', 0);
    const index = r.int('refused_index', 0, n);
    const availableAt = r.peekNull() ? r.nil('available_at') : readAvailableAt(r, 'available_at');
    const cdValue = r.strOrNull('cooldown_value');
    const cdPttl = r.int('cooldown_pttl', -1);
    const api = readApiTake(r);
    const windows = input.limits.map(() => ({
      consumedBefore: r.int('consumed_before', 0),
      consumedAfter: r.int('consumed_after', 0),
      oldestMs: r.msOrNone('oldest'),
      newestMs: r.msOrNone('newest'),
      availableAtMs: readAvailableAt(r, 'window available_at'),
    }));
    const invRule = r.oneOf('invitation_rule', ['', 'pending_invitations', 'acceptance_rate'] as const);
    const invMark = r.oneOf('invitation_mark', ['', 'p', 'a', 'w'] as const);
    const invPending = r.int('invitation_pending', -1);
    const invFactor = r.int('invitation_factor_pct', 1, 100);
    r.end();
    const invitation = { pending: invPending >= 0 ? invPending : null, factor: invFactor / 100 };
    const base = { nowMs, api, windows, invitation };
    if (status === 'api_limited' && api.ok) r.fail('status api_limited with an API take that passed');
    if (status === 'limit_reached') {
      if (index === 0) r.fail('status limit_reached without the refused limit');
      if (availableAt === undefined) r.fail('status limit_reached without available_at');
      if (availableAt !== null && availableAt <= nowMs) r.fail(`status limit_reached with room at ${availableAt}, not after now ${nowMs}`);
      if (invRule && availableAt !== null) r.fail(`status limit_reached by ${invRule} with a time`);
      return { ...base, status, limitIndex: index - 1, availableAtMs: availableAt, rule: invRule || 'window' };
    }
    if (status === 'reinvite_too_soon') {
      if (availableAt === undefined) r.fail('status reinvite_too_soon without available_at');
      return { ...base, status, availableAtMs: availableAt };
    }
    if (availableAt !== undefined) r.fail(`available_at ${availableAt} with status ${status}`);
    if (status === 'cooldown') {
      if (cdValue === null) r.fail('status cooldown without a cooldown value');
      return { ...base, status, limitIndex: index === 0 ? null : index - 1, cooldown: { value: cdValue, pttlMs: cdPttl } };
    }
    if (status === 'rebuild_needed') r.fail('status rebuild_needed with a full reply');
    if (status === 'already_invited') {
      if (invMark !== 'p' && invMark !== 'a') r.fail(`status already_invited with mark ${JSON.stringify(invMark)}`);
      return { ...base, status, invitationStatus: invMark === 'p' ? 'pending' : 'accepted' };
    }
    return { ...base, status };
  },
});
