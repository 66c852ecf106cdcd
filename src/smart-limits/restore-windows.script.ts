import { type Result } from 'ioredis';
import { NOW_INCLUDE, scriptNowArg } from '../redis/now.include.js';
import { actionMember } from './action-member.js';
import { composeLua, ReplyReader, RedisScript } from '../redis/redis-script.js';
import { WINDOW_INCLUDE } from './window.include.js';

declare module 'ioredis' {
  interface RedisCommander<Context> {
    slRestoreWindows(numKeys: number, ...keysAndArgs: (string | number)[]): Result<unknown, Context>;
  }
}

export interface RestoreWindow {
  key: string;
  windowMs: number;
  /** The actions this window holds: their time, member (an action id or its actionMember) and units (the cost, or 1 for a limit consumed once per action). */
  entries: { scoreMs: number; member: string; units: number }[];
}

export interface RestoreInput {
  markerKey: string;
  nowMs: number | null;
  windows: RestoreWindow[];
}

/** restore-windows.lua: an identity's windows from the journal, then its marker, in one atomic step. */
export const RESTORE_WINDOWS_SCRIPT = new RedisScript<RestoreInput, { nowMs: number; added: number }>({
  command: 'slRestoreWindows',
  lua: composeLua(new URL('./restore-windows.lua', import.meta.url), [NOW_INCLUDE, WINDOW_INCLUDE]),
  encode: (i) => {
    const keys = [i.markerKey, ...i.windows.map((w) => w.key)];
    const args: (string | number)[] = [
      scriptNowArg(i.nowMs),
      i.windows.length,
      ...i.windows.map((w) => w.windowMs),
      ...i.windows.map((w) => w.entries.length),
    ];
    for (const w of i.windows) for (const e of w.entries) args.push(e.scoreMs, actionMember(e.member), e.units);
    return { keys, args };
  },
  decode: (reply) => {
    const r = new ReplyReader('restore-windows.lua', reply).expectLength(2);
    const out = { nowMs: r.int('now', 0), added: r.int('added', 0) };
    r.end();
    return out;
  },
});
