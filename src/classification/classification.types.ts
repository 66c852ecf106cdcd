/** What a worker reports about one action (the body of `POST /v1/identities/{id}/outcomes`). */
export interface Outcome {
  status_code: number;
  headers?: Record<string, string | string[] | number | undefined>;
  body?: string | object | null;
  error_label?: string | null;
  /** Part of the outcome's shape; the classification does not depend on it (the policy scopes by action). */
  action_slug: string;
}

export type ClassificationType =
  | 'success'
  | 'internal'
  | 'detected'
  | 'passive'
  | 'weekly_limit'
  | 'antibot'
  | 'challenge'
  | 'restricted'
  | 'auth_expired'
  | 'transient'
  | 'client_error'
  | 'unknown';

/**
 * Who produced the answer:
 * - `linkedin`: LinkedIn answered (a success, a 429, or one of its warning signs);
 * - `smart-limits`: a protection layer (this service's guard or Edges' Smart Limits) refused
 *   before LinkedIn was asked (`LIMIT_REACHED`, `COOLDOWN`);
 * - `api`: a workspace API limit of the automation API (Edges or this service — both send the
 *   seed's body, so they cannot be told apart) or that API refusing the request itself;
 * - `network`: no HTTP answer at all (status 0, socket errors, timeouts);
 * - `upstream`: an HTTP error that cannot be attributed to one of the above (5xx, other 4xx, odd shapes).
 */
export type ClassificationOrigin = 'linkedin' | 'smart-limits' | 'api' | 'network' | 'upstream';

/** Which cooldown rule of LIMITS.md the classification calls for (`none`: no cooldown). */
export type CooldownKind = 'none' | 'strike' | 'note_limit' | 'weekly_limit' | 'antibot' | 'challenge' | 'restricted' | 'auth_expired';

export interface Classification {
  type: ClassificationType;
  status_code: number;
  /** The canonical label of the type where LIMITS.md names one; for client_error/unknown the label the outcome carried. */
  error_label: string | null;
  origin: ClassificationOrigin;
  /** Can the same action succeed later without a person doing anything? */
  retryable: boolean;
  retry_after_seconds: number | null;
  /** Stable machine name of the evidence that decided (see `Signal`). */
  signal: Signal;
  cooldown: CooldownKind;
}

export type Signal =
  | 'http_2xx'
  | 'api_rate_limit'
  | 'ip_rate_limit'
  | 'limit_reached'
  | 'guard_cooldown'
  | 'linkedin_429'
  | 'invite_note_limit'
  | 'weekly_invitation_limit'
  | 'cannot_resend_yet'
  | 'http_999'
  | 'antibot_block'
  | 'checkpoint_challenge'
  | 'account_restricted'
  | 'http_401'
  | 'login_redirect'
  | 'session_expired'
  | 'timeout'
  | 'network_error'
  | 'http_5xx'
  | 'api_error'
  | 'http_4xx'
  | 'unrecognized';

/** The labels LIMITS.md gives each LinkedIn warning sign. */
export const SignLabel = {
  LIMIT_REACHED: 'LIMIT_REACHED',
  COOLDOWN: 'COOLDOWN',
  STATUS_429: 'STATUS_429',
  NOTE_LIMIT: 'NOTE_LIMIT',
  WEEKLY_LIMIT: 'WEEKLY_LIMIT',
  BLOCKED_ANTIBOT: 'BLOCKED_ANTIBOT',
  CHALLENGE: 'CHALLENGE',
  RESTRICTED: 'RESTRICTED',
  AUTH_EXPIRED: 'AUTH_EXPIRED',
} as const;
