import {
  AlreadyInvitedError,
  CooldownError,
  LimitReachedError,
  RateLimitedError,
  ReinviteTooSoonError,
  SmartLimitsError,
  StoreUnavailableError,
} from './errors.js';

export interface ClientOptions {
  baseUrl: string;
  apiKey: string;
  /** Attempts for internal 429s and 503s, honouring Retry-After with jitter (default 3). */
  maxAttempts?: number;
  /** Upper bound of one wait between attempts, ms (default 30 s). */
  maxRetryWaitMs?: number;
  /** Spread guard calls at a steady rate instead of bursting (the seed's advice), e.g. 600 a minute. */
  pacePerMinute?: number;
  timeoutMs?: number;
  fetch?: typeof fetch;
  /** For tests: how the client sleeps and draws jitter. */
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
}

export interface GuardOptions {
  actionId: string;
  cost?: number;
  dryRun?: boolean;
  occurredAt?: Date;
  /** For invitations: the person invited (profile URL, URN or id; ≤ 256 chars). The same person twice is refused. */
  target?: string;
}

export interface LimitState {
  slug: string;
  window_seconds: number;
  max_limit: number;
  consumed: number;
  remaining: number;
  available_at: string | null;
  reset_at: string | null;
}

export interface GuardResult {
  allowed: true;
  identity_id: string;
  action: string;
  action_id: string;
  recorded: boolean;
  duplicate: boolean;
  dry_run?: boolean;
  fail_open?: boolean;
  limits: LimitState[];
}

export interface Outcome {
  statusCode: number;
  headers?: Record<string, string>;
  body?: string | object;
  errorLabel?: string;
}

export interface OutcomeResult {
  classification: Record<string, unknown>;
  cooldown: null | Record<string, unknown>;
  /** started, extended, absorbed (a running cooldown already covers it) or none. */
  effect?: 'none' | 'started' | 'extended' | 'absorbed';
}

/** What became of an invitation on LinkedIn. */
export type InvitationStatus = 'accepted' | 'declined' | 'withdrawn' | 'expired';

export interface InvitationSummary {
  pending_invitations: number;
  pending_warning_at: number;
  pending_refused_at: number;
  acceptance_rate: {
    rate: number | null;
    sample_size: number;
    accepted: number;
    min_sample: number;
    low_acceptance: boolean;
    threshold_factor: number;
    refusing: boolean;
  };
}

export interface InvitationView {
  target: string | null;
  action_id: string | null;
  sent_at: string | null;
  known_since: string;
  status: 'pending' | InvitationStatus;
  resolved_at: string | null;
}

export interface InvitationReport {
  invitation: InvitationView;
  /** false: it already had this status (a retry). */
  changed: boolean;
  summary: InvitationSummary;
}

export interface PendingSync {
  pending: number;
  added: number;
  reopened: number;
  withdrawn: number;
  as_of: string;
  summary: InvitationSummary;
}

/** The most targets one `syncPendingInvitations` takes. */
const MAX_PENDING_SYNC = 1000;

/** What `run` gives the action to report: the status LinkedIn answered, and optionally more. */
export type ActionResult = Outcome | number;

const sleepReal = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** The service reads at most 16 KiB of a reported body (more is refused); LinkedIn's signs sit at the top of a page. */
const MAX_OUTCOME_BODY_BYTES = 16 * 1024;

function fitBody(body: Outcome['body']): Outcome['body'] {
  if (body === undefined || body === null) return body;
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  const bytes = new TextEncoder().encode(text);
  if (bytes.length <= MAX_OUTCOME_BODY_BYTES) return body;
  // Cut a little short: a character split at the cut decodes to one U+FFFD, which is then dropped.
  return new TextDecoder().decode(bytes.slice(0, MAX_OUTCOME_BODY_BYTES - 3)).replace(/\uFFFD$/, '');
}

/**
 * A small typed client for automation workers: guard before each LinkedIn action, report what
 * LinkedIn answered, release slots of actions that did not happen. Uses the platform fetch.
 */
export class SmartLimitsClient {
  private readonly base: string;
  private readonly maxAttempts: number;
  private readonly maxWait: number;
  private readonly doFetch: typeof fetch;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly random: () => number;
  private nextSlot = 0;

  constructor(private readonly opts: ClientOptions) {
    this.base = opts.baseUrl.replace(/\/+$/, '');
    this.maxAttempts = Math.max(1, opts.maxAttempts ?? 3);
    this.maxWait = opts.maxRetryWaitMs ?? 30_000;
    this.doFetch = opts.fetch ?? fetch;
    this.sleep = opts.sleep ?? sleepReal;
    this.random = opts.random ?? Math.random;
  }

  /** Waits for this call's slot when pacing is on: a steady rate, no bursts then stalls. */
  private async pace(): Promise<void> {
    if (!this.opts.pacePerMinute) return;
    const interval = 60_000 / this.opts.pacePerMinute;
    const now = Date.now();
    const slot = Math.max(now, this.nextSlot);
    this.nextSlot = slot + interval;
    if (slot > now) await this.sleep(slot - now);
  }

  private async request<T>(method: string, path: string, body?: unknown): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      const res = await this.doFetch(this.base + path, {
        method,
        headers: { authorization: `Bearer ${this.opts.apiKey}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
        body: body !== undefined ? JSON.stringify(body) : undefined,
        signal: AbortSignal.timeout(this.opts.timeoutMs ?? 10_000),
      });
      const text = await res.text();
      const json = text ? (JSON.parse(text) as unknown) : undefined;
      if (res.ok) return json as T;
      const err = toError(res.status, json, res.headers.get('retry-after'));
      // Only the service's own back-pressure is retried: never LIMIT_REACHED or COOLDOWN blindly.
      const retryable = err instanceof RateLimitedError || err instanceof StoreUnavailableError;
      if (!retryable || attempt >= this.maxAttempts) throw err;
      const base = (err.retryAfterSeconds ?? 2 ** attempt) * 1000;
      await this.sleep(Math.min(this.maxWait, base + base * 0.2 * this.random()));
    }
  }

  async guard(identityId: string, action: string, o: GuardOptions): Promise<GuardResult> {
    await this.pace();
    return this.request<GuardResult>('POST', `/v1/identities/${encodeURIComponent(identityId)}/actions/${encodeURIComponent(action)}/guard`, {
      action_id: o.actionId,
      ...(o.cost !== undefined ? { cost: o.cost } : {}),
      ...(o.dryRun !== undefined ? { dry_run: o.dryRun } : {}),
      ...(o.occurredAt ? { occurred_at: o.occurredAt.toISOString() } : {}),
      ...(o.target !== undefined ? { target: o.target } : {}),
    });
  }

  /** Tell the service what became of an invitation (accepted, declined, withdrawn, expired). */
  reportInvitation(identityId: string, target: string, status: InvitationStatus, o: { at?: Date } = {}): Promise<InvitationReport> {
    return this.request<InvitationReport>('POST', `/v1/identities/${encodeURIComponent(identityId)}/invitations/${encodeURIComponent(target)}`, {
      status,
      ...(o.at ? { at: o.at.toISOString() } : {}),
    });
  }

  /**
   * Reconcile with LinkedIn's sent-invitations page: `targets` are every person it lists as pending
   * (at most 1,000). Pending invitations it does not list become withdrawn; report acceptances first.
   */
  syncPendingInvitations(identityId: string, targets: string[], o: { asOf?: Date } = {}): Promise<PendingSync> {
    if (targets.length > MAX_PENDING_SYNC) {
      return Promise.reject(new RangeError(`syncPendingInvitations takes at most ${MAX_PENDING_SYNC} targets (got ${targets.length})`));
    }
    return this.request<PendingSync>('PUT', `/v1/identities/${encodeURIComponent(identityId)}/invitations/pending`, {
      targets,
      ...(o.asOf ? { as_of: o.asOf.toISOString() } : {}),
    });
  }

  async release(identityId: string, action: string, actionId: string): Promise<boolean> {
    const r = await this.request<{ released: boolean }>(
      'POST',
      `/v1/identities/${encodeURIComponent(identityId)}/actions/${encodeURIComponent(action)}/release`,
      {
        action_id: actionId,
      },
    );
    return r.released;
  }

  reportOutcome(identityId: string, action: string, outcome: Outcome & { actionId?: string }): Promise<OutcomeResult> {
    return this.request<OutcomeResult>('POST', `/v1/identities/${encodeURIComponent(identityId)}/outcomes`, {
      action_slug: action,
      ...(outcome.actionId ? { action_id: outcome.actionId } : {}),
      status_code: outcome.statusCode,
      ...(outcome.headers ? { headers: outcome.headers } : {}),
      ...(outcome.body !== undefined ? { body: fitBody(outcome.body) } : {}),
      ...(outcome.errorLabel ? { error_label: outcome.errorLabel } : {}),
    });
  }

  /**
   * Guard, run the action, report what LinkedIn answered. When the action throws before LinkedIn
   * was reached (the error has no `statusCode`), the slot is released so it does not count.
   */
  async run<T extends ActionResult>(
    identityId: string,
    action: string,
    fn: () => Promise<T>,
    o: Partial<GuardOptions> = {},
  ): Promise<{ guard: GuardResult; result: T; outcome: OutcomeResult | null }> {
    const actionId = o.actionId ?? `run-${Date.now().toString(36)}-${Math.floor(this.random() * 1e9).toString(36)}`;
    const guard = await this.guard(identityId, action, { ...o, actionId });
    let result: T;
    try {
      result = await fn();
    } catch (e) {
      const status = (e as { statusCode?: unknown }).statusCode;
      if (typeof status === 'number') {
        await this.reportOutcome(identityId, action, { actionId, statusCode: status, body: (e as { body?: string | object }).body });
      } else if (guard.recorded) {
        await this.release(identityId, action, actionId);
      }
      throw e;
    }
    const outcome: Outcome = typeof result === 'number' ? { statusCode: result } : result;
    const reported = await this.reportOutcome(identityId, action, { ...outcome, actionId });
    return { guard, result, outcome: reported };
  }
}

/** The service's error envelope (SPEC section 8), as far as the client reads it. */
interface ErrorBody {
  error?: { message?: string; error_label?: string; details?: Record<string, unknown> };
}

function toError(status: number, json: unknown, retryAfterHeader: string | null): SmartLimitsError {
  const e = (json as ErrorBody | undefined)?.error ?? {};
  const label: string | null = e.error_label ?? null;
  const details = e.details;
  const ra = retryAfterHeader ?? (details?.['Retry-After'] as string | undefined) ?? null;
  const retryAfter = ra !== null && /^\d+$/.test(String(ra)) ? Number(ra) : null;
  const msg = e.message ?? `HTTP ${status}`;
  if (status === 429 && label === 'LIMIT_REACHED') return new LimitReachedError(msg, status, label, details, retryAfter);
  if (status === 429 && label === 'COOLDOWN') return new CooldownError(msg, status, label, details, retryAfter);
  if (status === 409 && label === 'ALREADY_INVITED') return new AlreadyInvitedError(msg, status, label, details, retryAfter);
  if (status === 429 && label === 'REINVITE_TOO_SOON') return new ReinviteTooSoonError(msg, status, label, details, retryAfter);
  if (status === 429) return new RateLimitedError(msg, status, label, details, retryAfter);
  if (status === 503) return new StoreUnavailableError(msg, status, label, details, retryAfter);
  return new SmartLimitsError(msg, status, label, details, retryAfter);
}
