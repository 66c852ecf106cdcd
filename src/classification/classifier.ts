import { type Classification, type ClassificationOrigin, type Outcome, type Signal, SignLabel } from './classification.types.js';
import { headerValue, readBody, readEnvelope } from './outcome-reader.js';
import { parseRetryAfter } from './retry-after.js';
import { signInBody, signInLocation, type TextSign } from './warning-signs.js';

export type { Classification, Outcome } from './classification.types.js';

type Verdict = Omit<Classification, 'status_code' | 'retry_after_seconds'>;

const V = {
  success: { type: 'success', error_label: null, origin: 'linkedin', retryable: false, signal: 'http_2xx', cooldown: 'none' },
  apiRateLimit: { type: 'internal', error_label: null, origin: 'api', retryable: true, signal: 'api_rate_limit', cooldown: 'none' },
  ipRateLimit: { type: 'internal', error_label: null, origin: 'api', retryable: true, signal: 'ip_rate_limit', cooldown: 'none' },
  limitReached: {
    type: 'detected',
    error_label: SignLabel.LIMIT_REACHED,
    origin: 'smart-limits',
    retryable: true,
    signal: 'limit_reached',
    cooldown: 'none',
  },
  guardCooldown: {
    type: 'detected',
    error_label: SignLabel.COOLDOWN,
    origin: 'smart-limits',
    retryable: true,
    signal: 'guard_cooldown',
    cooldown: 'none',
  },
  passive: { type: 'passive', error_label: SignLabel.STATUS_429, origin: 'linkedin', retryable: true, signal: 'linkedin_429', cooldown: 'strike' },
  noteLimit: {
    type: 'weekly_limit',
    error_label: SignLabel.NOTE_LIMIT,
    origin: 'linkedin',
    retryable: true,
    signal: 'invite_note_limit',
    cooldown: 'note_limit',
  },
  weeklyLimit: {
    type: 'weekly_limit',
    error_label: SignLabel.WEEKLY_LIMIT,
    origin: 'linkedin',
    retryable: true,
    signal: 'weekly_invitation_limit',
    cooldown: 'weekly_limit',
  },
  cannotResend: {
    type: 'weekly_limit',
    error_label: SignLabel.WEEKLY_LIMIT,
    origin: 'linkedin',
    retryable: true,
    signal: 'cannot_resend_yet',
    cooldown: 'weekly_limit',
  },
  antibot: { type: 'antibot', error_label: SignLabel.BLOCKED_ANTIBOT, origin: 'linkedin', retryable: true, signal: 'http_999', cooldown: 'antibot' },
  antibotLabel: {
    type: 'antibot',
    error_label: SignLabel.BLOCKED_ANTIBOT,
    origin: 'linkedin',
    retryable: true,
    signal: 'antibot_block',
    cooldown: 'antibot',
  },
  challenge: {
    type: 'challenge',
    error_label: SignLabel.CHALLENGE,
    origin: 'linkedin',
    retryable: false,
    signal: 'checkpoint_challenge',
    cooldown: 'challenge',
  },
  // Not retryable: LinkedIn lifts a restriction after the owner acts (ID check, accepting the
  // warning); the policy's 48 h is a floor, not a promise that the account works again.
  restricted: {
    type: 'restricted',
    error_label: SignLabel.RESTRICTED,
    origin: 'linkedin',
    retryable: false,
    signal: 'account_restricted',
    cooldown: 'restricted',
  },
  http401: {
    type: 'auth_expired',
    error_label: SignLabel.AUTH_EXPIRED,
    origin: 'linkedin',
    retryable: false,
    signal: 'http_401',
    cooldown: 'auth_expired',
  },
  loginRedirect: {
    type: 'auth_expired',
    error_label: SignLabel.AUTH_EXPIRED,
    origin: 'linkedin',
    retryable: false,
    signal: 'login_redirect',
    cooldown: 'auth_expired',
  },
  authLabel: {
    type: 'auth_expired',
    error_label: SignLabel.AUTH_EXPIRED,
    origin: 'linkedin',
    retryable: false,
    signal: 'session_expired',
    cooldown: 'auth_expired',
  },
  timeout: { type: 'transient', error_label: null, origin: 'network', retryable: true, signal: 'timeout', cooldown: 'none' },
  networkError: { type: 'transient', error_label: null, origin: 'network', retryable: true, signal: 'network_error', cooldown: 'none' },
  serverError: { type: 'transient', error_label: null, origin: 'upstream', retryable: true, signal: 'http_5xx', cooldown: 'none' },
} satisfies Record<string, Verdict>;

/** Labels that name a LinkedIn sign (or our guard's refusal) outright, whatever the status. */
const LABELS: Record<string, Verdict> = {
  LIMIT_REACHED: V.limitReached,
  COOLDOWN: V.guardCooldown,
  STATUS_429: V.passive,
  CUSTOM_INVITE_LIMIT_REACHED: V.noteLimit,
  NOTE_LIMIT: V.noteLimit,
  WEEKLY_LIMIT: V.weeklyLimit,
  BLOCKED_ANTIBOT: V.antibotLabel,
  CHALLENGE: V.challenge,
  RESTRICTED: V.restricted,
  AUTH_EXPIRED: V.authLabel,
  IP_RATE_LIMITED: V.ipRateLimit,
  RATE_LIMITED: V.apiRateLimit,
  TIMEOUT: V.timeout,
  ETIMEDOUT: V.timeout,
  ESOCKETTIMEDOUT: V.timeout,
  ECONNRESET: V.networkError,
  ECONNREFUSED: V.networkError,
  ECONNABORTED: V.networkError,
  EPIPE: V.networkError,
  EAI_AGAIN: V.networkError,
  ENOTFOUND: V.networkError,
  ENETUNREACH: V.networkError,
  EHOSTUNREACH: V.networkError,
};

/**
 * Labels with which the automation API (this service, Edges) refuses a request itself. Its
 * message is the API's own prose, not a LinkedIn page, so it is not read for warning words (a
 * 403 NO_VALID_ACCOUNT_CONFIGURED saying "restricted to premium" must not restrict the identity),
 * and its 401 is a bad API key, not an expired LinkedIn session.
 */
const API_OWN_LABELS = new Set([
  'VALIDATION_FAILED',
  'UNAUTHORIZED',
  'FORBIDDEN',
  'NOT_FOUND',
  'CONFLICT',
  'PAYLOAD_TOO_LARGE',
  'UNSUPPORTED_MEDIA_TYPE',
  'METHOD_NOT_ALLOWED',
  'STORE_UNAVAILABLE',
  'INTERNAL_ERROR',
  'NO_VALID_ACCOUNT_CONFIGURED',
]);

const FROM_TEXT: Record<TextSign, Verdict> = {
  challenge: V.challenge,
  restricted: V.restricted,
  auth_expired: V.loginRedirect,
  note_limit: V.noteLimit,
  weekly_limit: V.weeklyLimit,
  cannot_resend: V.cannotResend,
};

/**
 * Classifies what a worker got back. First match wins:
 * 1. HTTP 999 (LinkedIn's anti-bot answer; nothing else uses it);
 * 2. a known label — the `error_label` field, else the body's `error.error_label` — decides
 *    whatever the status, because whoever set it saw more than the status shows;
 * 3. 2xx → success (bodies of successes are data — a profile may say "challenge" — and are not read);
 * 4. a label of the API's own refusals → client_error / transient by status, body not read;
 * 5. a `Location` pointing at a checkpoint or login page (any non-2xx status);
 * 6. a 429 whose body or headers carry the workspace-API-limit shape (`X-RateLimit-Type` of an
 *    endpoint group or `daily`) → internal; `X-RateLimit-Type: smart-limits/…` → detected;
 * 7. warning words in the body of a 3xx/4xx (5xx pages are boilerplate about LinkedIn's own failure);
 * 8. by status: 401 → auth_expired; 429 → passive; 0/408/504 → timeout; 5xx → transient;
 *    other 4xx → client_error;
 * 9. anything else (1xx, a 3xx to an ordinary page, impossible codes) → `unknown`, no cooldown,
 *    not retryable. Why: nothing in it is evidence of LinkedIn pushback, and a cooldown on every
 *    odd shape would let one buggy worker freeze identities; the one odd shape that *is* pushback,
 *    a 429 nobody recognises, already lands on `passive` (a strike) in step 8.
 */
export function classify(outcome: Outcome, now: Date = new Date()): Classification {
  const status = outcome.status_code;
  const body = readBody(outcome.body);
  const envelope = readEnvelope(body.json);
  const retryAfter = parseRetryAfter(headerValue(outcome.headers, 'retry-after') ?? envelope?.retryAfter ?? null, now);
  const label = normalizeLabel(outcome.error_label) ?? normalizeLabel(envelope?.errorLabel);
  const result = (v: Verdict): Classification => ({
    ...v,
    status_code: status,
    retry_after_seconds: retryAfter,
  });
  const passLabel = (v: Verdict): Classification => result({ ...v, error_label: label });

  if (status === 999) return result(V.antibot);
  const labelled = label ? LABELS[label.toUpperCase()] : undefined;
  if (labelled) return result(labelled);
  if (status >= 200 && status <= 299) return result(V.success);

  if (label && API_OWN_LABELS.has(label.toUpperCase())) {
    return status >= 500 && status <= 599 ? passLabel({ ...V.serverError, origin: 'api' }) : passLabel(clientError('api', 'api_error'));
  }

  const fromLocation = signInLocation(headerValue(outcome.headers, 'location'));
  if (fromLocation === 'challenge') return result(V.challenge);
  if (fromLocation === 'auth_expired') return result(V.loginRedirect);

  if (status === 429) {
    const limitType = (headerValue(outcome.headers, 'x-ratelimit-type') ?? envelope?.rateLimitType ?? '').trim().toLowerCase();
    if (limitType.startsWith('smart-limits/')) return result(V.limitReached);
    if (limitType.startsWith('/') || limitType === 'daily') return result(V.apiRateLimit);
    if (envelope?.message && /^rate limit exceeded\b/i.test(envelope.message)) return result(V.apiRateLimit);
  }

  if (status >= 300 && status <= 499) {
    const sign = signInBody(body.text);
    if (sign) return result(FROM_TEXT[sign]);
  }

  if (status === 401) return result(V.http401);
  if (status === 429) return result(V.passive);
  if (status === 0 || status === 408 || status === 504) return result(status === 0 ? V.networkError : V.timeout);
  if (status >= 500 && status <= 599) return result(V.serverError);
  if (status >= 400 && status <= 499) return passLabel(clientError('upstream', 'http_4xx'));
  return passLabel({
    type: 'unknown',
    error_label: null,
    origin: 'upstream',
    retryable: false,
    signal: 'unrecognized',
    cooldown: 'none',
  });
}

function clientError(origin: ClassificationOrigin, signal: Signal): Verdict {
  return { type: 'client_error', error_label: null, origin, retryable: false, signal, cooldown: 'none' };
}

function normalizeLabel(label: string | null | undefined): string | null {
  if (typeof label !== 'string') return null;
  const trimmed = label.trim();
  return trimmed === '' ? null : trimmed;
}
