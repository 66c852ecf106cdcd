import { errorFromResponse, ServiceUnreachableError, SmartLimitsError } from './errors.js';

export interface TransportOptions {
  baseUrl: string;
  apiKey: string;
  maxAttempts: number;
  maxRetryWaitMs: number;
  timeoutMs: number;
  fetch: typeof fetch;
  sleep: (ms: number) => Promise<void>;
  random: () => number;
}

export interface RequestOptions {
  body?: unknown;
  query?: Record<string, string | number | boolean | undefined>;
  /**
   * Safe to send twice: a guard or release (idempotent per action id), a read, a PATCH. When the
   * service may have processed a request whose answer was lost (timeout, reset connection), only
   * these are sent again; others throw `ServiceUnreachableError` with `requestSent: 'unknown'`.
   */
  idempotent: boolean;
  /** false: answer the first error as it is (health probes). */
  retry?: boolean;
}

/** Errors of a connection that was never made: the request did not leave, so repeating it is safe. */
const NOT_SENT_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'EADDRNOTAVAIL', 'UND_ERR_CONNECT_TIMEOUT']);

function codeOf(e: unknown): string | null {
  for (let c: unknown = e, depth = 0; c && depth < 4; depth++) {
    const code = (c as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    c = (c as { cause?: unknown }).cause;
  }
  return null;
}

/** What `fetch` threw (a TypeError for network failures, a DOMException on timeout) as a typed error. */
function unreachable(e: unknown, url: string, timeoutMs: number): ServiceUnreachableError {
  const name = (e as { name?: unknown }).name;
  if (name === 'TimeoutError' || name === 'AbortError') {
    return new ServiceUnreachableError({
      message: `Smart Limits did not answer ${url} within ${timeoutMs} ms`,
      status: 0,
      errorLabel: null,
      cause: e,
      requestSent: 'unknown',
    });
  }
  const code = codeOf(e);
  const notSent = code !== null && NOT_SENT_CODES.has(code);
  const why = code ?? (e instanceof Error ? e.message : String(e));
  return new ServiceUnreachableError({
    message: `Smart Limits cannot be reached at ${url} (${why})`,
    status: 0,
    errorLabel: null,
    cause: e,
    requestSent: notSent ? false : 'unknown',
  });
}

/**
 * One HTTP exchange with the service, with the bounded retries of its own back-pressure: an API
 * limit 429, a 503, or the service being unreachable, each waiting `Retry-After` (else 2^attempt s)
 * plus up to 20 % jitter, capped at `maxRetryWaitMs`, at most `maxAttempts` attempts in all.
 * A refusal about the action itself (LIMIT_REACHED, COOLDOWN, …) is never retried.
 */
export class Transport {
  constructor(private readonly o: TransportOptions) {}

  async request<T>(method: string, path: string, r: RequestOptions): Promise<T> {
    const url = this.url(path, r.query);
    for (let attempt = 1; ; attempt++) {
      let err: SmartLimitsError;
      try {
        return await this.once<T>(method, url, r.body);
      } catch (e) {
        if (!(e instanceof SmartLimitsError)) throw e;
        err = e;
      }
      const mayRepeat = !(err instanceof ServiceUnreachableError) || err.requestSent === false || r.idempotent;
      if (r.retry === false || !err.retryable || !mayRepeat || attempt >= this.o.maxAttempts) throw err;
      const base = (err.retryAfterSeconds ?? 2 ** attempt) * 1000;
      await this.o.sleep(Math.min(this.o.maxRetryWaitMs, base + base * 0.2 * this.o.random()));
    }
  }

  private url(path: string, query: RequestOptions['query']): string {
    const q = new URLSearchParams();
    for (const [k, v] of Object.entries(query ?? {})) if (v !== undefined) q.set(k, String(v));
    const qs = q.toString();
    return this.o.baseUrl + path + (qs ? `?${qs}` : '');
  }

  private async once<T>(method: string, url: string, body: unknown): Promise<T> {
    let res: Response;
    let text: string;
    try {
      res = await this.o.fetch(url, {
        method,
        headers: {
          authorization: `Bearer ${this.o.apiKey}`,
          accept: 'application/json',
          ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        },
        body: body !== undefined ? JSON.stringify(body) : undefined,
        signal: AbortSignal.timeout(this.o.timeoutMs),
      });
      text = await res.text();
    } catch (e) {
      throw unreachable(e, url, this.o.timeoutMs);
    }
    let json: unknown;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      json = undefined;
    }
    if (res.ok) {
      if (res.status !== 204 && json === undefined) {
        throw errorFromResponse(
          res.status,
          { error: { message: `Expected JSON from ${method} ${url}, got ${JSON.stringify(text.slice(0, 80))}` } },
          res.headers,
        );
      }
      return json as T;
    }
    throw errorFromResponse(res.status, json, res.headers);
  }
}
