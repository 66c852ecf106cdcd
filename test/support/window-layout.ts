import { type Redis } from 'ioredis';
import { RESTORE_WINDOWS_SCRIPT } from '../../src/smart-limits/restore-windows.script.js';

/*
 * Reading and seeding windows in their layout (window.include.lua, issue 18), for tests that look at
 * what Redis holds: a window's state is field <last segment of the window key> of the hash named by
 * the window key without that segment; its entries sit in chunks `<window key>:<generation>:<id>`.
 */

/**
 * The units a window holds, all of them (what ZCARD of the first layout's sorted set said): its state
 * in the identity's window-state hash (window.include.lua: the key without its last segment, field =
 * that segment), header field T (uint32 at byte 16). 0 when the window holds nothing.
 */
export async function windowUnits(redis: Redis, windowKey: string): Promise<number> {
  const cut = windowKey.lastIndexOf(':');
  const state = await redis.hgetBuffer(windowKey.slice(0, cut), windowKey.slice(cut + 1));
  return state ? state.readUInt32LE(16) : 0;
}

/**
 * Puts entries in a window as a rebuild does (restore-windows.lua, which also sets `markerKey`), with
 * the script's clock at `nowMs` (entries at or before nowMs - windowMs are skipped, as it skips them).
 */
export async function seedWindow(
  redis: Redis,
  markerKey: string,
  windowKey: string,
  windowMs: number,
  nowMs: number,
  entries: { t: number; member: string; units?: number }[],
): Promise<void> {
  await RESTORE_WINDOWS_SCRIPT.run(redis, {
    markerKey,
    nowMs,
    windows: [{ key: windowKey, windowMs, entries: entries.map((e) => ({ scoreMs: e.t, member: e.member, units: e.units ?? 1 })) }],
  });
}

/**
 * Every entry a window holds, oldest first, read through its layout (window.include.lua): the state's
 * chunk records (header of 61 bytes, then per chunk: id, members, units as uint32, lo as a double),
 * then each chunk's sorted set `<window>:<generation>:<id>`. `member` is the action's digest.
 */
export async function windowEntries(redis: Redis, windowKey: string): Promise<{ member: string; t: number; units: number }[]> {
  const cut = windowKey.lastIndexOf(':');
  const state = await redis.hgetBuffer(windowKey.slice(0, cut), windowKey.slice(cut + 1));
  if (!state) return [];
  const chunks = state.readUInt32LE(36);
  const generation = state.subarray(48, 61).toString('latin1');
  const out: { member: string; t: number; units: number }[] = [];
  for (let j = 0; j < chunks; j++) {
    const id = state.readUInt32LE(61 + 20 * j);
    const raw = await redis.zrange(`${windowKey}:${generation}:${id}`, 0, -1, 'WITHSCORES');
    for (let e = 0; e < raw.length; e += 2) {
      const [member, cost] = raw[e].split(':');
      out.push({ member, t: Number(raw[e + 1]), units: cost ? Number(cost) : 1 });
    }
  }
  return out;
}
