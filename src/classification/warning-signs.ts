/**
 * LinkedIn's warning signs as they appear in a redirect target or in an error body. Bodies are
 * matched lower-cased. Phrases are LinkedIn's own wordings (and the labels/error types of the
 * APIs in front of it, e.g. Unipile's `cannot_resend_yet`), kept specific where a false match
 * would freeze an identity for days.
 */
export type TextSign = 'challenge' | 'restricted' | 'auth_expired' | 'note_limit' | 'weekly_limit' | 'cannot_resend';

const CHALLENGE = [/\/checkpoint\//, /challenge/, /captcha/, /security verification/, /quick security check/];
const RESTRICTED = [/\brestricted\b/, /\baccount restriction\b/];
// `/login` alone is too common in page chrome to read from a body; only redirects use it.
const AUTH_IN_BODY = [/authwall/, /\/uas\/login/, /\bsession (?:has )?expired\b/];
const NOTE_LIMIT = [
  /custom[\s_-]*invite[\s_-]*limit/,
  /(?:out of|used all (?:of )?your|(?:monthly )?limit (?:for|on|of)) (?:custom|personali[sz]ed) (?:invitations|invites|notes)/,
];
const WEEKLY_LIMIT = [/weekly[\s_-]+(?:invitation[\s_-]+|invite[\s_-]+)?limit/];
const CANNOT_RESEND = [/cannot[\s_-]+resend(?:[\s_-]+yet)?/, /can(?:'|’|no)?t[\s_-]+resend/];

/**
 * The most severe sign a body shows. Severity first: when a page mentions several, the one that
 * stops the whole identity longest wins (a missed challenge costs the account, a false one costs a
 * person's click).
 */
export function signInBody(text: string): TextSign | null {
  if (text === '') return null;
  if (matchesAny(text, CHALLENGE)) return 'challenge';
  if (matchesAny(text, RESTRICTED)) return 'restricted';
  if (matchesAny(text, AUTH_IN_BODY)) return 'auth_expired';
  if (matchesAny(text, NOTE_LIMIT)) return 'note_limit';
  if (matchesAny(text, WEEKLY_LIMIT)) return 'weekly_limit';
  if (matchesAny(text, CANNOT_RESEND)) return 'cannot_resend';
  return null;
}

/**
 * Where a redirect sends the worker. Only the path is read: a checkpoint URL often carries the
 * login page in its query (`session_redirect=…`) and the reverse.
 */
export function signInLocation(location: string | null): 'challenge' | 'auth_expired' | null {
  if (!location) return null;
  const path = locationPath(location).toLowerCase();
  if (path.includes('challenge')) return 'challenge';
  if (/(?:^|\/)(?:uas\/)?login\b|authwall|\/checkpoint\/lg\/login/.test(path)) return 'auth_expired';
  if (path.includes('/checkpoint/')) return 'challenge';
  return null;
}

function locationPath(location: string): string {
  try {
    return new URL(location, 'https://www.linkedin.com').pathname;
  } catch {
    return location.split(/[?#]/, 1)[0] ?? '';
  }
}

function matchesAny(text: string, patterns: RegExp[]): boolean {
  return patterns.some((p) => p.test(text));
}
