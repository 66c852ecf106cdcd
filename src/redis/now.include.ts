import { luaInclude } from './redis-script.js';

/**
 * `script_now(ARGV[i])`: the scripts' one clock. Redis TIME in ms, unless the caller passes `now`
 * (the injectable test clock, `Clock.scriptNowMs()`); "" means Redis TIME.
 */
export const NOW_INCLUDE = luaInclude(new URL('./now.include.lua', import.meta.url));

/** The ARGV value for `script_now`: the injected clock's ms, or "" for Redis TIME. */
export function scriptNowArg(nowMs: number | null): number | '' {
  return nowMs ?? '';
}
