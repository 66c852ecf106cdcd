import { luaInclude, type ReplyReader } from '../redis/redis-script.js';

/**
 * `window_available_at(...)`: when a sliding window has room for a cost (see window.include.lua).
 * Answers `now` when there is room, a later ms when entries must leave first, -2 when it never will.
 */
export const WINDOW_INCLUDE = luaInclude(new URL('./window.include.lua', import.meta.url));

/** Reads one window_available_at answer: a time in ms, or null for never (-2). Anything else (-1 included) is a bad reply. */
export function readAvailableAt(r: ReplyReader, what: string): number | null {
  const v = r.int(what, -2);
  if (v === -1) r.fail(`${what}: -1 is not an answer of window_available_at (a time in ms, or -2 never)`);
  return v === -2 ? null : v;
}
