import { ACCOUNT_TYPES, type AccountType, type ActionDefinition, type BurstDefinition, type Catalog, type LimitDefinition } from './catalog.types.js';

// The shipped defaults, transcribed from LIMITS.md (the contract). A deployer's CATALOG_FILE may
// extend or replace them; see catalog-file.ts.

const DAY = 86_400;
const WEEK = 7 * DAY;
const MONTH = 30 * DAY;

function max(free: number, premium: number, sales_navigator: number, recruiter: number): Record<AccountType, number> {
  return { free, premium, sales_navigator, recruiter };
}

interface Pacing {
  gap?: number;
  jitter?: number;
  bursts?: BurstDefinition[];
  per_action?: boolean;
}

function limit(
  slug: string,
  name: string,
  description: string,
  window_seconds: number,
  default_max: Record<AccountType, number>,
  pacing: Pacing = {},
): LimitDefinition {
  return {
    slug,
    name,
    description,
    window_seconds,
    default_max,
    min_gap_seconds: pacing.gap ?? 0,
    jitter_seconds: pacing.jitter ?? 0,
    bursts: pacing.bursts ?? [],
    per_action: pacing.per_action ?? false,
  };
}

const MIN15 = 900;
const H1 = 3_600;
const H4 = 4 * H1;
/** `n` per 15 minutes, absolute (LIMITS.md "Pacing defaults"). */
const per15min = (max: number): BurstDefinition => ({ window_seconds: MIN15, max });
/** 40 % of the threshold without warm-up per 4 hours. */
const share4h: BurstDefinition = { window_seconds: H4, max_share: 0.4 };

const ALL: AccountType[] = [...ACCOUNT_TYPES];
const PAID: AccountType[] = ['premium', 'sales_navigator', 'recruiter'];
const SALES_NAVIGATOR: AccountType[] = ['sales_navigator', 'recruiter'];

/**
 * The invitation limits, named once: the cooldown policy (WEEKLY_LIMIT blocks all three, NOTE_LIMIT
 * the notes) and the services around invitations refer to them through this, never by string.
 */
export const INVITATION_LIMITS = { daily: 'LK_INVITATIONS_SENT', weekly: 'LK_INVITATIONS_WEEKLY', notes: 'LK_INVITE_NOTES' } as const;
/** Every invitation limit (what a WEEKLY_LIMIT cools down). */
export const INVITATION_LIMIT_SLUGS: readonly string[] = [INVITATION_LIMITS.daily, INVITATION_LIMITS.weekly, INVITATION_LIMITS.notes];

const LIMITS: LimitDefinition[] = [
  limit(INVITATION_LIMITS.daily, 'Invitations sent', 'connection invitations', DAY, max(15, 20, 25, 25), {
    gap: 60,
    jitter: 15,
    bursts: [per15min(3), share4h],
  }),
  limit(INVITATION_LIMITS.weekly, 'Invitations sent this week', 'connection invitations', WEEK, max(100, 100, 150, 150)),
  limit(INVITATION_LIMITS.notes, 'Invitation notes', 'invitations carrying a personal note', MONTH, max(5, 100, 100, 100)),
  limit('LK_MESSAGES_SENT', 'Messages sent', 'messages to connections', DAY, max(50, 80, 100, 100), {
    gap: 60,
    jitter: 15,
    bursts: [per15min(5), share4h],
  }),
  limit('LK_INMAILS_SENT', 'InMails sent', 'paid InMails', MONTH, max(0, 15, 50, 150), { gap: 30, jitter: 15, bursts: [per15min(5)] }),
  limit('LK_OPEN_INMAILS', 'Open InMails sent', 'free InMails to open profiles', DAY, max(0, 20, 30, 30), {
    gap: 30,
    jitter: 15,
    bursts: [per15min(5)],
  }),
  limit('LK_PROFILE_VISITS', 'Profile visits', 'profile visits', DAY, max(50, 80, 150, 150), { gap: 30, jitter: 15, bursts: [per15min(5), share4h] }),
  limit('LK_PROFILE_ENRICHMENTS', 'Profile enrichments', 'profile data reads', DAY, max(800, 800, 1400, 1400), { bursts: [share4h] }),
  limit('LK_CONTACT_INFO', 'Contact info reads', 'contact-info reads', DAY, max(150, 150, 250, 250), { gap: 10, jitter: 10, bursts: [share4h] }),
  limit('LK_SEARCHES', 'Searches', 'search calls', DAY, max(300, 300, 600, 600), { gap: 10, jitter: 10, bursts: [share4h] }),
  limit('LK_SEARCH_RESULTS', 'Search results', 'profiles returned by searches (cost = count)', DAY, max(900, 900, 2500, 2500), { bursts: [share4h] }),
  limit('LK_FOLLOWS', 'Follows', 'follows', DAY, max(30, 30, 30, 30), { gap: 10, jitter: 15, bursts: [per15min(10)] }),
  limit('LK_REACTIONS', 'Reactions', 'post likes / reactions', DAY, max(30, 30, 30, 30), { gap: 10, jitter: 15, bursts: [per15min(10)] }),
  limit('LK_COMMENTS', 'Comments', 'post comments', DAY, max(15, 15, 15, 15), { gap: 15, jitter: 15, bursts: [per15min(5)] }),
  limit('LK_ENDORSEMENTS', 'Endorsements', 'skill endorsements', DAY, max(20, 20, 20, 20), { gap: 10, jitter: 15, bursts: [per15min(10)] }),
  limit('LK_INVITATIONS_WITHDRAWN', 'Invitations withdrawn', 'invitation withdrawals', DAY, max(40, 40, 40, 40), {
    gap: 10,
    jitter: 10,
    bursts: [per15min(20)],
  }),
  // One budget every outreach action of an identity shares, whatever its kind (below the sum of the
  // single limits on purpose), consumed once per action.
  limit('LK_WRITE_ACTIONS', 'Outreach actions', 'every outreach action, once', DAY, max(100, 150, 200, 200), {
    bursts: [{ window_seconds: H1, max: 25 }],
    per_action: true,
  }),
];

const INVITATIONS = [INVITATION_LIMITS.daily, INVITATION_LIMITS.weekly];
const WRITE = 'LK_WRITE_ACTIONS';

/** Outreach: consumes LK_WRITE_ACTIONS once and is single-flight (one in flight per identity). */
function outreach(slug: string, limits: string[], account_types: AccountType[]): ActionDefinition {
  return { slug, limits: [...limits, WRITE], account_types, single_flight: true };
}

function read(slug: string, limits: string[], account_types: AccountType[], cost_note?: string): ActionDefinition {
  return { slug, limits, account_types, single_flight: false, ...(cost_note ? { cost_note } : {}) };
}

const ACTIONS: ActionDefinition[] = [
  outreach('linkedin-connect-profile', [...INVITATIONS], ALL),
  outreach('linkedin-connect-profile-with-note', [...INVITATIONS, INVITATION_LIMITS.notes], ALL),
  outreach('linkedin-message-profile', ['LK_MESSAGES_SENT', 'LK_PROFILE_ENRICHMENTS'], ALL),
  outreach('linkedin-send-inmail', ['LK_INMAILS_SENT', 'LK_PROFILE_ENRICHMENTS'], PAID),
  outreach('linkedin-send-open-inmail', ['LK_OPEN_INMAILS'], PAID),
  read('linkedin-visit-profile', ['LK_PROFILE_VISITS'], ALL),
  read('linkedin-extract-profile', ['LK_PROFILE_ENRICHMENTS'], ALL),
  read('linkedin-get-contact-info', ['LK_CONTACT_INFO'], ALL),
  read('linkedin-search-people', ['LK_SEARCHES'], ALL),
  read('linkedin-extract-search-results', ['LK_SEARCH_RESULTS'], ALL, 'cost = number of profiles returned'),
  read('salesnavigator-search-people', ['LK_SEARCHES'], SALES_NAVIGATOR),
  outreach('linkedin-follow-profile', ['LK_FOLLOWS'], ALL),
  outreach('linkedin-like-post', ['LK_REACTIONS'], ALL),
  outreach('linkedin-comment-post', ['LK_COMMENTS'], ALL),
  outreach('linkedin-endorse-skill', ['LK_ENDORSEMENTS'], ALL),
  outreach('linkedin-withdraw-invitation', ['LK_INVITATIONS_WITHDRAWN'], ALL),
];

/** Frozen all the way down: everything that reads the catalog shares this object. */
export function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}

export const DEFAULT_CATALOG: Catalog = deepFreeze({
  actions: ACTIONS.map((a) => ({ ...a, account_types: [...a.account_types] })),
  limits: LIMITS,
  levels: { conservative: 0.6, standard: 1, aggressive: 1.3 },
  warmup: {
    standard: { days: 5, max_window_seconds: DAY },
    cold: { step_days: 7, steps: [0.25, 0.5, 0.75, 1] },
    freeze_days_after_pushback: 7,
    restart_factor_after_restricted: 0.5,
  },
  pacing: { in_flight_seconds: 120, start_jitter_minutes: 30 },
});
