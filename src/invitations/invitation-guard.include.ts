import { luaInclude } from '../redis/redis-script.js';

/**
 * `inv_read`, `inv_target_block`, `inv_record` (see invitation-guard.include.lua): invitation health
 * inside the guard's one call. Owned by invitations; the guard's script includes it.
 */
export const INVITATION_GUARD_INCLUDE = luaInclude(new URL('./invitation-guard.include.lua', import.meta.url));
