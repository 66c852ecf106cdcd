import { type Result } from 'ioredis';
import { NOW_INCLUDE, scriptNowArg } from '../redis/now.include.js';
import { composeLua, ReplyReader, RedisScript } from '../redis/redis-script.js';
import { readAvailableAt, WINDOW_INCLUDE } from '../smart-limits/window.include.js';

declare module 'ioredis' {
  interface RedisCommander<Context> {
    slUsage(numKeys: number, ...keysAndArgs: (string | number)[]): Result<unknown, Context>;
  }
}

export interface UsageInput {
  nowMs: number | null;
  /** The window of each limit, in the order every identity's limits follow. */
  windowsMs: number[];
  /** Per identity, per limit (same order as `windowsMs`): its window key and max. */
  identities: { windowKey: string; max: number }[][];
}

export interface UsageWindow {
  consumed: number;
  /** When one more unit fits: `nowMs` when there is room, a later ms; null never (window.include.lua). */
  availableAtMs: number | null;
}

export interface UsageReply {
  nowMs: number;
  /** Per identity, per limit. */
  identities: UsageWindow[][];
}

/** How full the windows of a batch of identities are, for the overview snapshot (usage.lua). Read-only. */
export const USAGE_SCRIPT = new RedisScript<UsageInput, UsageReply>({
  command: 'slUsage',
  lua: composeLua(new URL('./usage.lua', import.meta.url), [NOW_INCLUDE, WINDOW_INCLUDE]),
  encode: (i) => {
    const m = i.windowsMs.length;
    for (const limits of i.identities) {
      if (limits.length !== m) throw new Error(`usage.lua: an identity with ${limits.length} limits in a batch of ${m}`);
    }
    const windows = i.identities.flat();
    return {
      keys: windows.map((w) => w.windowKey),
      args: [scriptNowArg(i.nowMs), m, ...i.windowsMs, ...windows.map((w) => w.max)],
    };
  },
  decode: (reply, input) => {
    const r: ReplyReader = new ReplyReader('usage.lua', reply).expectLength(1 + 2 * input.windowsMs.length * input.identities.length);
    const nowMs = r.int('now', 0);
    const identities = input.identities.map((limits) =>
      limits.map(() => ({ consumed: r.int('consumed', 0), availableAtMs: readAvailableAt(r, 'available_at') })),
    );
    r.end();
    return { nowMs, identities };
  },
});
