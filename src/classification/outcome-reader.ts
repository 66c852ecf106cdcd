/** Bodies can be whole HTML pages; warning signs sit near the top and scanning more only costs time. */
export const MAX_SCANNED_BODY_CHARS = 16 * 1024;

type HeaderValue = string | string[] | number | undefined;

/** Header lookup by case-insensitive name; a repeated header counts by its first value. */
export function headerValue(headers: Record<string, HeaderValue> | undefined, name: string): string | null {
  if (!headers || typeof headers !== 'object') return null;
  const wanted = name.toLowerCase();
  for (const [key, raw] of Object.entries(headers)) {
    if (key.toLowerCase() !== wanted) continue;
    const value = Array.isArray(raw) ? raw[0] : raw;
    if (value === undefined || value === null) return null;
    return String(value);
  }
  return null;
}

export interface ReadBody {
  /** Lower-cased text of the body (at most MAX_SCANNED_BODY_CHARS) for phrase matching. */
  text: string;
  /** The parsed JSON object, when the body is one (or was given as an object). */
  json: Record<string, unknown> | null;
}

export function readBody(body: unknown): ReadBody {
  if (body === undefined || body === null) return { text: '', json: null };
  if (typeof body === 'string') {
    const capped = body.slice(0, MAX_SCANNED_BODY_CHARS);
    return { text: capped.toLowerCase(), json: parseJsonObject(capped) };
  }
  if (typeof body === 'object') {
    let text = '';
    try {
      text = JSON.stringify(body) ?? '';
    } catch {
      // A circular object cannot come over HTTP; treat it as an empty body rather than throw.
    }
    return {
      text: text.slice(0, MAX_SCANNED_BODY_CHARS).toLowerCase(),
      json: Array.isArray(body) ? null : (body as Record<string, unknown>),
    };
  }
  const scalar = body as number | boolean | bigint | symbol;
  return { text: String(scalar).slice(0, MAX_SCANNED_BODY_CHARS).toLowerCase(), json: null };
}

function parseJsonObject(text: string): Record<string, unknown> | null {
  const trimmed = text.trimStart();
  if (!trimmed.startsWith('{')) return null;
  try {
    const parsed: unknown = JSON.parse(trimmed);
    return parsed && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : null;
  } catch {
    // Truncated at the cap, or not JSON after all: the text scan still sees it.
    return null;
  }
}

/** The error envelope of SPEC §8 / the seed's rate-limit body, when the body is one. */
export interface Envelope {
  errorLabel: string | null;
  message: string | null;
  rateLimitType: string | null;
  retryAfter: string | null;
}

export function readEnvelope(json: Record<string, unknown> | null): Envelope | null {
  if (!json) return null;
  const error = json.error;
  if (error && typeof error === 'object' && !Array.isArray(error)) {
    const e = error as Record<string, unknown>;
    const details = e.details && typeof e.details === 'object' && !Array.isArray(e.details) ? (e.details as Record<string, unknown>) : undefined;
    return {
      errorLabel: asString(e.error_label) ?? asString(json.error_label),
      message: asString(e.message),
      rateLimitType: details ? headerValue(details as Record<string, HeaderValue>, 'x-ratelimit-type') : null,
      retryAfter: details ? headerValue(details as Record<string, HeaderValue>, 'retry-after') : null,
    };
  }
  // Some APIs put the label at the top level (`{"error_label": "LIMIT_REACHED", ...}`).
  const label = asString(json.error_label);
  return label ? { errorLabel: label, message: asString(json.message), rateLimitType: null, retryAfter: null } : null;
}

function asString(value: unknown): string | null {
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return String(value);
  return null;
}
