import { type Result } from 'ioredis';
import { API_LIMIT_INCLUDE, API_TAKE_LENGTH, type ApiLimitArgs, apiLimitArgv, type ApiTake, readApiTake } from '../api-limits/api-limit.include.js';
import { NOW_INCLUDE, scriptNowArg } from '../redis/now.include.js';
import { actionMember } from './action-member.js';
import { composeLua, ReplyReader, RedisScript } from '../redis/redis-script.js';
import { INVITATION_GUARD_INCLUDE } from '../invitations/invitation-guard.include.js';
import { PACING_INCLUDE } from './pacing.include.js';
import { readAvailableAt, WINDOW_INCLUDE } from './window.include.js';

declare module 'ioredis' {
  interface RedisCommander<Context> {
    slGuard(numKeys: number, ...keysAndArgs: (string | number | Buffer)[]): Result<unknown, Context>;
  }
}

export type GuardMode = 'check' | 'dry' | 'backfill';

export interface GuardScriptBurst {
  windowMs: number;
  max: number;
}

export interface GuardScriptLimit {
  windowKey: string;
  cooldownKey: string;
  slug: string;
  max: number;
  windowMs: number;
  /** Units this action puts in the window: the cost, or 1 for a limit consumed once per action. */
  units: number;
  /** 0: no gap (no pacing, or none for this limit). */
  gapMs: number;
  jitterMs: number;
  bursts: GuardScriptBurst[];
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
  leaseKey: string;
  /** The injected clock, or null for Redis TIME. */
  nowMs: number | null;
  /** "" for a read that names no action (GET …/next): no idempotency check. */
  member: string;
  /** The caller's action_id, as the in-flight lease holds it ("" for a read). */
  actionId: string;
  cost: number;
  mode: GuardMode;
  /** A backfill's occurred_at, else null. */
  occurredAtMs: number | null;
  /** > 0: a single-flight action of a paced identity (checks the lease, takes it when recorded). */
  leaseMs: number;
  /** The working hours' open intervals [start, end) ascending; null: any time. */
  openIntervals: [number, number][] | null;
  limits: GuardScriptLimit[];
  /** The workspace's /v1/actions API limit, checked first in the same call (all 0: none). */
  api: { bucketKey: string; dailyKey: string; limits: ApiLimitArgs };
  /** Schedule mode ("when": "earliest"): record at the earliest time in [max(now, notBefore), notAfter] that passes every rule. */
  schedule: GuardSchedule | null;
  /** The identity's schedule (sorted set of planned actions). */
  scheduleKey: string;
  /** How long a planned action stays listed after its time. */
  scheduleKeepMs: number;
  /** The identity's marker (RedisKeys.marker): missing → `rebuild_needed`, nothing decided. */
  markerKey: string;
  /** Absent: not an invitation action. */
  invitation?: GuardInvitationInput;
}

export interface GuardSchedule {
  notBeforeMs: number;
  notAfterMs: number;
  /** The schedule's member: "<action slug> <action_id>". */
  entry: string;
}

/** guard.lua's status codes, by position. */
const GUARD_STATUSES = [
  'recorded',
  'duplicate',
  'refused',
  'dry_run_allowed',
  'api_limited',
  'rebuild_needed',
  'already_invited',
  'invitation_state_missing',
] as const;
type GuardStatus = Exclude<(typeof GUARD_STATUSES)[number], 'rebuild_needed' | 'invitation_state_missing'>;

export const GUARD_RULES = [
  'cooldown',
  'window',
  'burst',
  'gap',
  'in_flight',
  'working_hours',
  'pending_invitations',
  'acceptance_rate',
  'reinvite',
] as const;
export type GuardRule = (typeof GUARD_RULES)[number];

/** A rule that refuses at `now`. Times in ms; `untilMs` null: never (a person or a config must act). */
export interface GuardBlock {
  rule: GuardRule;
  /** Index in `input.limits`, or null for identity-wide rules. */
  limitIndex: number | null;
  /** The window (main or burst) that is full, else null. */
  windowMs: number | null;
  /** When this rule alone passes; -3 (past the calendar's horizon) only for working_hours. */
  untilMs: number | null;
  /** For a gap: the recorded action it waits after. */
  lastActionAtMs: number | null;
}

export interface GuardWindow {
  consumedBefore: number;
  consumedAfter: number;
  oldestMs: number | null;
  newestMs: number | null;
  /** When one more unit fits at every instant it would count: nowMs when there is room, a later ms; null never (window.include.lua). */
  availableAtMs: number | null;
  /** Units recorded ahead of now (scheduled actions). */
  scheduled: number;
}

/** The marker was missing: Redis does not hold the identity's state; nothing was decided or changed. */
export interface GuardRebuildNeeded {
  status: 'rebuild_needed';
  nowMs: number;
}

/** An invitation action whose identity's invitation hash was never built: build it, then call again. */
export interface GuardInvitationStateMissing {
  status: 'invitation_state_missing';
  nowMs: number;
}

/** What the call saw of the identity's invitation hash (invitation actions only). */
export interface GuardInvitationState {
  /** Pending invitations before this call; null when not an invitation action. */
  pending: number | null;
  /** The factor in force on the invitation limits (1, or 0.5 while the acceptance rate is low). */
  factor: number;
  /** already_invited: the target's invitation is pending or was accepted. */
  targetStatus: 'pending' | 'accepted' | null;
}

export type GuardReply = GuardDecision | GuardRebuildNeeded | GuardInvitationStateMissing;

export interface GuardDecision {
  status: GuardStatus;
  nowMs: number;
  /**
   * The earliest time every rule passes at once: null never; -3 when it lies past the calendar the
   * script got (the caller moves `freeAtMs` to the next opening with a longer calendar).
   */
  availableAtMs: number | null;
  /** The latest freeing of every blocking rule, before the working hours; null never. */
  freeAtMs: number | null;
  /** When the action is recorded (recorded, duplicate: the time it holds; a dry run in schedule mode: the time it would take); null otherwise. */
  atMs: number | null;
  /** The cooldown that ends last, when one blocks. */
  cooldown: { value: string; pttlMs: number; limitIndex: number | null } | null;
  /** The action in flight that blocks this one. */
  lease: { actionId: string; endsAtMs: number | null } | null;
  blocked: GuardBlock[];
  api: ApiTake;
  windows: GuardWindow[];
  invitation: GuardInvitationState;
}

const never = (v: number) => (v === -2 ? null : v);

/** The pre-action guard (guard.lua): the whole decision in one EVALSHA on one Cluster slot. */
export const GUARD_SCRIPT = new RedisScript<GuardInput, GuardReply>({
  command: 'slGuard',
  lua: composeLua(new URL('./guard.lua', import.meta.url), [
    NOW_INCLUDE,
    API_LIMIT_INCLUDE,
    WINDOW_INCLUDE,
    PACING_INCLUDE,
    INVITATION_GUARD_INCLUDE,
  ]),
  encode: (i) => {
    const keys = [i.identityCooldownKey, i.leaseKey];
    // Every number goes in one argument of little-endian doubles (guard.lua reads them with one
    // struct.unpack instead of a tonumber per argument: issue 18's leaner script).
    const v: number[] = [
      i.cost,
      i.occurredAtMs ?? -1,
      i.leaseMs,
      i.limits.length,
      i.schedule ? 1 : 0,
      i.schedule?.notBeforeMs ?? -1,
      i.schedule?.notAfterMs ?? Infinity,
      i.scheduleKeepMs,
      i.openIntervals ? i.openIntervals.length : -1,
    ];
    for (const [s, e] of i.openIntervals ?? []) v.push(s, e);
    for (const l of i.limits) {
      keys.push(l.windowKey, l.cooldownKey);
      v.push(l.max, l.windowMs, l.units, l.gapMs, l.jitterMs, l.lowAcceptanceMax ?? l.max, l.bursts.length);
      for (const b of l.bursts) v.push(b.windowMs, b.max);
    }
    // Without invitation input the hash key is a stand-in of the same slot that the script never reads.
    const inv = i.invitation ?? { key: i.identityCooldownKey, enabled: false, targetField: null, reinviteMs: 0, pendingRefuse: 0 };
    keys.push(i.api.bucketKey, i.api.dailyKey, i.markerKey, i.scheduleKey, inv.key);
    v.push(...apiLimitArgv(i.api.limits));
    v.push(inv.enabled ? 1 : 0, inv.reinviteMs, inv.pendingRefuse);
    const packed = Buffer.allocUnsafe(8 * v.length);
    v.forEach((x, k) => packed.writeDoubleLE(x, 8 * k));
    const args: (string | number | Buffer)[] = [
      scriptNowArg(i.nowMs),
      i.member === '' ? '' : actionMember(i.member),
      i.actionId,
      i.mode,
      i.schedule?.entry ?? '',
      inv.targetField ?? '',
      packed,
      ...i.limits.map((l) => l.slug),
    ];
    return { keys, args };
  },
  decode: (reply, input): GuardReply => {
    const n = input.limits.length;
    if (Array.isArray(reply) && reply[0] === GUARD_STATUSES.indexOf('rebuild_needed')) {
      const short = new ReplyReader('guard.lua', reply).expectLength(2);
      short.int('status');
      const rebuild: GuardRebuildNeeded = { status: 'rebuild_needed', nowMs: short.int('now', 0) };
      short.end();
      return rebuild;
    }
    if (Array.isArray(reply) && reply[0] === GUARD_STATUSES.indexOf('invitation_state_missing')) {
      const short = new ReplyReader('guard.lua', reply).expectLength(2);
      short.int('status');
      const missing: GuardInvitationStateMissing = { status: 'invitation_state_missing', nowMs: short.int('now', 0) };
      short.end();
      return missing;
    }
    const r: ReplyReader = new ReplyReader('guard.lua', reply);
    const read = GUARD_STATUSES[r.int('status', 0, GUARD_STATUSES.length - 1)];
    if (read === 'rebuild_needed' || read === 'invitation_state_missing') r.fail(`status ${read} with a full reply`);
    const status: GuardStatus = read;
    const nowMs = r.int('now', 0);
    const available = r.int('available_at', -3);
    const free = r.int('free_at', -2);
    const cdValue = r.strOrNull('cooldown_value');
    const cdPttl = r.int('cooldown_pttl', -2);
    const cdIndex = r.int('cooldown_index', -1, n);
    const holder = r.strOrNull('lease_holder');
    const leaseEnds = r.int('lease_ends_at', -2);
    const at = r.msOrNone('at');
    const api = readApiTake(r);
    // At most: three invitation rules, identity + n limit cooldowns, n windows, 8 bursts per limit, n gaps, the lease, the hours.
    const k = r.int('blocked', 0, 6 + 11 * n);
    const blocked: GuardBlock[] = [];
    for (let j = 0; j < k; j++) {
      const rule = r.oneOf('rule', GUARD_RULES);
      const index = r.int('rule_limit', 0, n);
      const win = r.int('rule_window', 0);
      const until = r.int('rule_until', -3);
      const last = r.msOrNone('rule_last_action_at');
      if (until === -3 && rule !== 'working_hours') r.fail(`${rule} until past the horizon`);
      blocked.push({
        rule,
        limitIndex: index === 0 ? null : index - 1,
        windowMs: win === 0 ? null : win,
        untilMs: never(until),
        lastActionAtMs: last,
      });
    }
    const windows = input.limits.map(() => ({
      consumedBefore: r.int('consumed_before', 0),
      consumedAfter: r.int('consumed_after', 0),
      oldestMs: r.msOrNone('oldest'),
      newestMs: r.msOrNone('newest'),
      availableAtMs: readAvailableAt(r, 'window available_at'),
      scheduled: r.int('scheduled', 0),
    }));
    const invMark = r.oneOf('invitation_mark', ['', 'p', 'a', 'w'] as const);
    const invPending = r.int('invitation_pending', -1);
    const invFactor = r.int('invitation_factor_pct', 1, 100);
    const expected = 10 + API_TAKE_LENGTH + 1 + 5 * k + 6 * n + 3;
    if (r.length !== expected) r.fail(`expected ${expected} values, got ${r.length}`);
    r.end();
    if (status === 'already_invited' && invMark !== 'p' && invMark !== 'a') r.fail(`status already_invited with mark ${JSON.stringify(invMark)}`);
    const invitation: GuardInvitationState = {
      pending: invPending >= 0 ? invPending : null,
      factor: invFactor / 100,
      targetStatus: status === 'already_invited' ? (invMark === 'p' ? 'pending' : 'accepted') : null,
    };
    if (status === 'api_limited' && api.ok) r.fail('status api_limited with an API take that passed');
    if ((status === 'recorded' || status === 'duplicate') && at === null) r.fail(`status ${status} without its time`);
    if (status === 'refused' && !blocked.length) r.fail('status refused without a blocking rule');
    if (status !== 'refused' && blocked.length) r.fail(`status ${status} with blocking rules`);
    if ((cdValue === null) !== (cdIndex === -1)) r.fail('cooldown value and index disagree');
    return {
      status,
      nowMs,
      availableAtMs: never(available),
      freeAtMs: never(free),
      atMs: at,
      cooldown: cdValue === null ? null : { value: cdValue, pttlMs: cdPttl, limitIndex: cdIndex === 0 ? null : cdIndex - 1 },
      lease: holder === null ? null : { actionId: holder, endsAtMs: never(leaseEnds) },
      blocked,
      api,
      windows,
      invitation,
    };
  },
});
