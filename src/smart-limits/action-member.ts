import { createHash } from 'node:crypto';

const DIGEST = /^(0|[1-9]\d{0,15})$/;

/**
 * An action's member in its windows (window.include.lua): a 53-bit number in canonical decimal, so
 * Redis keeps it as one integer in a chunk's listpack and in the dedup intsets, and Lua reads it
 * exactly (a double holds 53 bits). An action id that already is such a number is its own member;
 * any other id becomes the first 53 bits of its sha256. The function is idempotent (the member of a
 * member is itself), so a script wrapper may apply it to what its caller passed. Two distinct ids of
 * one identity collide with odds of about (actions in the window) / 2^53 per guard: far below one
 * in a billion guards at the catalog's largest windows.
 */
export function actionMember(actionId: string): string {
  if (DIGEST.test(actionId) && Number(actionId) <= Number.MAX_SAFE_INTEGER) return actionId;
  return (createHash('sha256').update(actionId, 'utf8').digest().readBigUInt64BE(0) >> 11n).toString();
}
