import { type Catalog } from '../catalog/catalog.types.js';
import { warmupFactor } from '../catalog/thresholds.js';
import { type CooldownRow } from '../cooldowns/cooldown.types.js';
import { type Identity } from '../identities/identity.js';
import { type InvitationSummary } from '../invitations/invitations.service.js';
import { type IdentityWindows } from '../smart-limits/window-reader.service.js';
import { decideHealth, type HealthVerdict, type InvitationFacts, usageOf } from './health-status.js';

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
const round4 = (x: number) => Math.round(x * 10_000) / 10_000;

export interface LimitHealth {
  slug: string;
  name: string;
  window_seconds: number;
  /** 0: the identity's account type cannot perform what this limit counts. */
  max_limit: number;
  consumed: number;
  remaining: number;
  usage: number;
  /** When one more unit fits (now when there is room); null when it never will. */
  available_at: string | null;
  /** When the window is empty again (the newest entry leaves it); null when it is empty. */
  reset_at: string | null;
  /** The cooldown that blocks this limit now (identity-wide or scoped to it). */
  cooldown: { id: string; reason: string; ends_at: string | null } | null;
}

export interface CooldownSummary {
  id: string;
  scope: 'identity' | 'limits';
  limits: string[];
  reason: string;
  level: number;
  source: string;
  started_at: string;
  ends_at: string | null;
  at_risk: boolean;
}

export interface WarmupView {
  warmup_mode: string;
  warmup_day: number | null;
  warmup_factor: number;
  warmup_complete: boolean;
  warmup_frozen_until: string | null;
}

export interface IdentitySummary {
  verdict: HealthVerdict;
  limits: LimitHealth[];
  /** The cooldown that matters most: identity-wide first, then the one ending last. */
  cooldown: CooldownSummary | null;
  cooldowns: CooldownSummary[];
  warmup: WarmupView;
}

function toCooldownSummary(c: CooldownRow): CooldownSummary {
  return {
    id: c.id,
    scope: c.scope,
    limits: c.limits,
    reason: c.reason,
    level: c.level,
    source: c.source,
    started_at: c.startedAt.toISOString(),
    ends_at: c.endsAt ? c.endsAt.toISOString() : null,
    at_risk: c.atRisk,
  };
}

/** Identity-wide before scoped; then the latest end (null = until cleared = latest). */
function mainCooldown(running: CooldownRow[]): CooldownRow | null {
  const end = (c: CooldownRow) => (c.endsAt ? c.endsAt.getTime() : Number.POSITIVE_INFINITY);
  return [...running].sort((a, b) => (a.scope === b.scope ? end(b) - end(a) : a.scope === 'identity' ? -1 : 1))[0] ?? null;
}

/** The warm-up of the identity's daily limits (the ramp LIMITS.md describes), at `now`. */
function warmupView(identity: Identity, catalog: Catalog, now: Date): WarmupView {
  const w = warmupFactor(
    {
      mode: identity.warmup,
      startedAt: identity.warmupStartedAt,
      now,
      windowSeconds: 86_400,
      frozenFrom: identity.warmupFrozenFrom,
      frozenUntil: identity.warmupFrozenUntil,
      restartFactor: identity.warmupRestartFactor,
    },
    catalog.warmup,
  );
  const frozen =
    identity.warmupFrozenFrom &&
    identity.warmupFrozenFrom.getTime() <= now.getTime() &&
    (!identity.warmupFrozenUntil || identity.warmupFrozenUntil.getTime() > now.getTime());
  return {
    warmup_mode: identity.warmup,
    warmup_day: w.day,
    warmup_factor: w.factor,
    warmup_complete: w.factor >= 1,
    warmup_frozen_until: frozen ? (identity.warmupFrozenUntil?.toISOString() ?? null) : null,
  };
}

/** The invitation facts health is decided from. */
export function invitationFacts(s: InvitationSummary): InvitationFacts {
  const a = s.acceptance_rate;
  return { pending: s.pending_invitations, rate: a.rate, sample: a.sample_size, lowAcceptance: a.low_acceptance, refusing: a.refusing };
}

/**
 * One identity's health from what was read: its windows (one Redis round trip) and its pushback
 * (one query). Shared by the health route and the overview snapshot, so both say the same.
 */
export function summarizeIdentity(
  identity: Identity,
  windows: IdentityWindows,
  risk: { running: CooldownRow[]; cooldowns7d: number; flagged7d: boolean },
  catalog: Catalog,
  invitations?: InvitationFacts,
): IdentitySummary {
  const now = new Date(windows.nowMs);
  const running = risk.running;
  const blocking = (slug: string) => mainCooldown(running.filter((c) => c.scope === 'identity' || c.limits.includes(slug)));
  const limits: LimitHealth[] = windows.limits.map((s) => {
    const cd = blocking(s.limit.slug);
    return {
      slug: s.limit.slug,
      name: s.limit.name,
      window_seconds: s.limit.windowSeconds,
      max_limit: s.limit.max,
      consumed: s.consumed,
      remaining: s.remaining,
      usage: round4(usageOf({ slug: s.limit.slug, consumed: s.consumed, max: s.limit.max })),
      available_at: iso(s.availableAtMs),
      reset_at: s.newestMs === null ? null : iso(s.newestMs + s.limit.windowMs),
      cooldown: cd ? { id: cd.id, reason: cd.reason, ends_at: cd.endsAt ? cd.endsAt.toISOString() : null } : null,
    };
  });
  const warmup = warmupView(identity, catalog, now);
  const verdict = decideHealth({
    limits: windows.limits.map((s) => ({ slug: s.limit.slug, consumed: s.consumed, max: s.limit.max })),
    running: running.map((c) => ({ reason: c.reason, scope: c.scope, limits: c.limits, atRisk: c.atRisk, endsAt: c.endsAt })),
    cooldowns7d: risk.cooldowns7d,
    flagged7d: risk.flagged7d,
    warmingUp: !warmup.warmup_complete,
    invitations,
  });
  const main = mainCooldown(running);
  return {
    verdict: { ...verdict, usage: round4(verdict.usage) },
    limits,
    cooldown: main ? toCooldownSummary(main) : null,
    cooldowns: running.map(toCooldownSummary),
    warmup,
  };
}
