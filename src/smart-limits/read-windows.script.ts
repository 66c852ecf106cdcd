import { type Result } from 'ioredis';
import { type InvitationHashView, parseView } from '../invitations/invitation-state.js';
import { NOW_INCLUDE, scriptNowArg } from '../redis/now.include.js';
import { actionMember } from './action-member.js';
import { composeLua, ReplyReader, RedisScript } from '../redis/redis-script.js';
import { readAvailableAt, WINDOW_INCLUDE } from './window.include.js';

declare module 'ioredis' {
  interface RedisCommander<Context> {
    slReadWindows(numKeys: number, ...keysAndArgs: (string | number)[]): Result<unknown, Context>;
  }
}

export interface ReadWindowsInput {
  identityCooldownKey: string;
  nowMs: number | null;
  /** max: the threshold; lowAcceptanceMax: in force while the acceptance rate is low (default max). */
  limits: { windowKey: string; cooldownKey: string; windowMs: number; max: number; lowAcceptanceMax?: number }[];
  /** The identity's invitation hash (SPEC §5b): its factor picks the thresholds, its summary is returned (absent: none read). */
  invitationKey?: string;
  /** An action member to look for (auto mode's idempotency), or null. */
  member: string | null;
  /** The units `availableAtMs` makes room for (default 1). */
  cost?: number;
}

export interface MirroredCooldown {
  value: string;
  pttl: number;
}

export interface ReadWindow {
  consumed: number;
  oldestMs: number | null;
  newestMs: number | null;
  /** When `cost` more units fit: `nowMs` when there is room, a later ms; null never (window.include.lua). */
  availableAtMs: number | null;
  cooldown: MirroredCooldown | null;
  /** Units planned ahead of now (schedule mode). */
  scheduled: number;
}

export interface ReadWindowsReply {
  nowMs: number;
  identityCooldown: MirroredCooldown | null;
  limits: ReadWindow[];
  holdsMember: boolean;
  /** The factor in force on the invitation limits (1, or 0.5 while the acceptance rate is low). */
  acceptanceFactor: number;
  invitations: InvitationHashView;
}

function cooldownOf(value: string | null, pttl: number): MirroredCooldown | null {
  return value === null ? null : { value, pttl };
}

/** Read-only view of an identity's windows and mirrors (read-windows.lua); nothing is trimmed. */
export const READ_WINDOWS_SCRIPT = new RedisScript<ReadWindowsInput, ReadWindowsReply>({
  command: 'slReadWindows',
  lua: composeLua(new URL('./read-windows.lua', import.meta.url), [NOW_INCLUDE, WINDOW_INCLUDE]),
  encode: (i) => {
    const keys = [i.identityCooldownKey];
    const args: (string | number)[] = [scriptNowArg(i.nowMs), i.limits.length];
    for (const l of i.limits) {
      keys.push(l.windowKey, l.cooldownKey);
      args.push(l.windowMs, l.max);
    }
    if (i.invitationKey) keys.push(i.invitationKey);
    args.push(i.member ? actionMember(i.member) : '', i.cost ?? 1);
    for (const l of i.limits) args.push(l.lowAcceptanceMax ?? l.max);
    return { keys, args };
  },
  decode: (reply, input) => {
    const r: ReplyReader = new ReplyReader('read-windows.lua', reply).expectLength(3 + 7 * input.limits.length + 1 + 1 + 8);
    const nowMs = r.int('now', 0);
    const identityCooldown = cooldownOf(r.strOrNull('identity_cooldown'), r.int('identity_cooldown_pttl', -1));
    const limits = input.limits.map(() => ({
      consumed: r.int('consumed', 0),
      oldestMs: r.msOrNone('oldest'),
      newestMs: r.msOrNone('newest'),
      availableAtMs: readAvailableAt(r, 'available_at'),
      cooldown: cooldownOf(r.strOrNull('limit_cooldown'), r.int('limit_cooldown_pttl', -1)),
      scheduled: r.int('scheduled', 0),
    }));
    const holdsMember = r.int('holds_member', 0, 1) === 1;
    const acceptanceFactor = r.int('acceptance_factor_pct', 1, 100) / 100;
    const invitations = parseView(['loaded', 'pending', 'factor', 'refusing', 'rate', 'sample', 'accepted', 'state'].map((f) => r.strOrNull(f)));
    r.end();
    return { nowMs, identityCooldown, limits, holdsMember, acceptanceFactor, invitations };
  },
});
