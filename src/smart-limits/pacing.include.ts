import { luaInclude } from '../redis/redis-script.js';
import { WINDOW_INCLUDE } from './window.include.js';

/**
 * `window_free_at`, `member_jitter`, `gap_free_at`, `open_at_or_after` (pacing.include.lua): when
 * each rule of SPEC 4 and 4b passes, read from the windows alone. Owned by smart-limits; the guard
 * and every read that reports `available_at` include it, so there is one answer to "when".
 */
export const PACING_INCLUDE = luaInclude(new URL('./pacing.include.lua', import.meta.url), [WINDOW_INCLUDE]);
