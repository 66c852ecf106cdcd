import { outlasts } from './cooldown-plan.js';
import { type CooldownRow, isActive } from './cooldown.types.js';

/** The JSON the guard script reads from a cooldown mirror key. */
export interface MirrorValue {
  id: string;
  reason: string;
  level: number;
  scope: 'identity' | 'limits';
  limits: string[];
  started_at: string;
  ends_at: string | null;
  /** ends_at in epoch ms (null: until a person clears it): the guard script reads the end from it. */
  ends_ms: number | null;
}

/** One key's content: a value with its TTL in ms (null: no TTL), or null to delete the key. */
export type MirrorEntry = { value: MirrorValue; pttlMs: number | null } | null;

export interface MirrorState {
  identity: MirrorEntry;
  limits: Record<string, MirrorEntry>;
}

/**
 * What the Redis mirrors of one identity must hold, from its cooldown rows: the identity key gets
 * the identity-wide cooldown that ends last, each limit key the limit-scoped cooldown covering it
 * that ends last; every other key is deleted. `limitSlugs` lists every limit key to write (the
 * catalog's), so a mirror of a cooldown that ended is removed.
 */
export function mirrorState(rows: CooldownRow[], limitSlugs: string[], now: Date): MirrorState {
  const active = rows.filter((c) => isActive(c, now));
  const entry = (candidates: CooldownRow[]): MirrorEntry => {
    const c = candidates.reduce<CooldownRow | null>((best, x) => (best === null || !outlasts(best, x) ? x : best), null);
    if (!c) return null;
    const pttlMs = c.endsAt === null ? null : Math.max(1, c.endsAt.getTime() - now.getTime());
    return {
      value: {
        id: c.id,
        reason: c.reason,
        level: c.level,
        scope: c.scope,
        limits: c.limits,
        started_at: c.startedAt.toISOString(),
        ends_at: c.endsAt ? c.endsAt.toISOString() : null,
        ends_ms: c.endsAt ? c.endsAt.getTime() : null,
      },
      pttlMs,
    };
  };
  const slugs = [...new Set([...limitSlugs, ...active.flatMap((c) => c.limits)])];
  return {
    identity: entry(active.filter((c) => c.scope === 'identity')),
    limits: Object.fromEntries(slugs.map((s) => [s, entry(active.filter((c) => c.scope === 'limits' && c.limits.includes(s)))])),
  };
}
