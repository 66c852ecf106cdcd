import { type PlannedLimit } from './limit-plan.js';

const windowText = (seconds: number) =>
  seconds % 86_400 === 0 ? `${seconds / 86_400 === 1 ? '24 h' : `${seconds / 86_400} days`}` : `${seconds / 3600} h`;
const percent = (factor: number) => `${Math.round(factor * 100)} %`;

/** Warm-up is what limits: its threshold is below the one the identity will have once warmed up. */
function limitedByWarmup(l: PlannedLimit): boolean {
  return !l.override && l.warmupFactor < 1 && l.max < l.fullMax;
}

/**
 * The LIMIT_REACHED message: the limit and its threshold, and when warm-up is what holds it down,
 * how far (so a caller does not take a ramp day for a bug in its numbers).
 */
export function limitReachedMessage(l: PlannedLimit): string {
  const base = `${l.slug} is at its threshold for this identity (${l.max} per ${windowText(l.windowSeconds)})`;
  if (!limitedByWarmup(l)) return base;
  const day = l.warmupDay === null ? '' : `, day ${l.warmupDay}`;
  return `${base}: warm-up${day} allows ${percent(l.warmupFactor)} of its full ${l.fullMax} (GET /v1/identities/{id}/health shows the ramp)`;
}
