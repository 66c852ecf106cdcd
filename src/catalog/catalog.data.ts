import { ACCOUNT_TYPES, type AccountType, type ActionDefinition, type Catalog, type LimitDefinition } from './catalog.types.js';

// The shipped defaults, transcribed from LIMITS.md (the contract). A deployer's CATALOG_FILE may
// extend or replace them; see catalog-file.ts.

const DAY = 86_400;
const WEEK = 7 * DAY;
const MONTH = 30 * DAY;

function max(free: number, premium: number, sales_navigator: number, recruiter: number): Record<AccountType, number> {
  return { free, premium, sales_navigator, recruiter };
}

function limit(slug: string, name: string, description: string, window_seconds: number, default_max: Record<AccountType, number>): LimitDefinition {
  return { slug, name, description, window_seconds, default_max };
}

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
  limit(INVITATION_LIMITS.daily, 'Invitations sent', 'connection invitations', DAY, max(15, 20, 25, 25)),
  limit(INVITATION_LIMITS.weekly, 'Invitations sent this week', 'connection invitations', WEEK, max(100, 100, 150, 150)),
  limit(INVITATION_LIMITS.notes, 'Invitation notes', 'invitations carrying a personal note', MONTH, max(5, 100, 100, 100)),
  limit('LK_MESSAGES_SENT', 'Messages sent', 'messages to connections', DAY, max(50, 80, 100, 100)),
  limit('LK_INMAILS_SENT', 'InMails sent', 'paid InMails', MONTH, max(0, 15, 50, 150)),
  limit('LK_OPEN_INMAILS', 'Open InMails sent', 'free InMails to open profiles', DAY, max(0, 20, 30, 30)),
  limit('LK_PROFILE_VISITS', 'Profile visits', 'profile visits', DAY, max(50, 80, 150, 150)),
  limit('LK_PROFILE_ENRICHMENTS', 'Profile enrichments', 'profile data reads', DAY, max(800, 800, 1400, 1400)),
  limit('LK_CONTACT_INFO', 'Contact info reads', 'contact-info reads', DAY, max(150, 150, 250, 250)),
  limit('LK_SEARCHES', 'Searches', 'search calls', DAY, max(300, 300, 600, 600)),
  limit('LK_SEARCH_RESULTS', 'Search results', 'profiles returned by searches (cost = count)', DAY, max(900, 900, 2500, 2500)),
  limit('LK_FOLLOWS', 'Follows', 'follows', DAY, max(30, 30, 30, 30)),
  limit('LK_REACTIONS', 'Reactions', 'post likes / reactions', DAY, max(30, 30, 30, 30)),
  limit('LK_COMMENTS', 'Comments', 'post comments', DAY, max(15, 15, 15, 15)),
  limit('LK_ENDORSEMENTS', 'Endorsements', 'skill endorsements', DAY, max(20, 20, 20, 20)),
  limit('LK_INVITATIONS_WITHDRAWN', 'Invitations withdrawn', 'invitation withdrawals', DAY, max(40, 40, 40, 40)),
];

const INVITATIONS = [INVITATION_LIMITS.daily, INVITATION_LIMITS.weekly];

const ACTIONS: ActionDefinition[] = [
  { slug: 'linkedin-connect-profile', limits: [...INVITATIONS], account_types: ALL },
  { slug: 'linkedin-connect-profile-with-note', limits: [...INVITATIONS, INVITATION_LIMITS.notes], account_types: ALL },
  { slug: 'linkedin-message-profile', limits: ['LK_MESSAGES_SENT', 'LK_PROFILE_ENRICHMENTS'], account_types: ALL },
  { slug: 'linkedin-send-inmail', limits: ['LK_INMAILS_SENT', 'LK_PROFILE_ENRICHMENTS'], account_types: PAID },
  { slug: 'linkedin-send-open-inmail', limits: ['LK_OPEN_INMAILS'], account_types: PAID },
  { slug: 'linkedin-visit-profile', limits: ['LK_PROFILE_VISITS'], account_types: ALL },
  { slug: 'linkedin-extract-profile', limits: ['LK_PROFILE_ENRICHMENTS'], account_types: ALL },
  { slug: 'linkedin-get-contact-info', limits: ['LK_CONTACT_INFO'], account_types: ALL },
  { slug: 'linkedin-search-people', limits: ['LK_SEARCHES'], account_types: ALL },
  {
    slug: 'linkedin-extract-search-results',
    limits: ['LK_SEARCH_RESULTS'],
    account_types: ALL,
    cost_note: 'cost = number of profiles returned',
  },
  { slug: 'salesnavigator-search-people', limits: ['LK_SEARCHES'], account_types: SALES_NAVIGATOR },
  { slug: 'linkedin-follow-profile', limits: ['LK_FOLLOWS'], account_types: ALL },
  { slug: 'linkedin-like-post', limits: ['LK_REACTIONS'], account_types: ALL },
  { slug: 'linkedin-comment-post', limits: ['LK_COMMENTS'], account_types: ALL },
  { slug: 'linkedin-endorse-skill', limits: ['LK_ENDORSEMENTS'], account_types: ALL },
  { slug: 'linkedin-withdraw-invitation', limits: ['LK_INVITATIONS_WITHDRAWN'], account_types: ALL },
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
});
