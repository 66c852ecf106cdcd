import {
  type BlockedRule,
  CooldownError,
  InFlightError,
  LimitReachedError,
  OutsideWorkingHoursError,
  RateLimitedError,
  SmartLimitsError,
  StoreUnavailableError,
  TooSoonError,
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
}

export interface ScheduleOptions {
  /** Default: a generated id (keep it to retry: the same id answers the same time). */
  actionId?: string;
  cost?: number;
  /** Plan no earlier than this (default now). */
  notBefore?: Date;
  /** Plan no later than this (default: 7 days ahead); LimitReachedError (or another refusal) when no time fits. */
  notAfter?: Date;
}

/** An action planned by schedule mode: perform it at `scheduledAt` (runScheduled does the waiting). */
export interface ScheduledAction {
  identityId: string;
  action: string;
  actionId: string;
  scheduledAt: Date;
  guard: GuardResult;
}

export interface LimitState {
  slug: string;
  window_seconds: number;
  max_limit: number;
  consumed: number;
  remaining: number;
  /** Units planned ahead of now (schedule mode). */
  scheduled?: number;
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
  /** Schedule mode: when the action is planned. */
  scheduled_at?: string;
  limits: LimitState[];
}

/** GET …/next: when the action may run, and every rule that refuses now. */
export interface NextAllowed {
  identity_id: string;
  action: string;
  now: string;
  available_at: string | null;
  allowed_now: boolean;
  blocked_by: BlockedRule[];
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
      // Only the service's own back-pressure is retried: never a guard refusal (LIMIT_REACHED, TOO_SOON,
      // IN_FLIGHT, OUTSIDE_WORKING_HOURS, COOLDOWN) blindly.
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
    });
  }

  /**
   * Schedule mode: records the action at the earliest time that passes every rule of the identity
   * (windows, bursts, gaps, working hours, cooldowns) and answers that time. Planning a campaign is a
   * loop of these calls; concurrent planners never get the same slot.
   */
  async schedule(identityId: string, action: string, o: ScheduleOptions = {}): Promise<ScheduledAction> {
    const actionId = o.actionId ?? this.newActionId('plan');
    const guard = await this.request<GuardResult>(
      'POST',
      `/v1/identities/${encodeURIComponent(identityId)}/actions/${encodeURIComponent(action)}/guard`,
      {
        action_id: actionId,
        when: 'earliest',
        ...(o.cost !== undefined ? { cost: o.cost } : {}),
        ...(o.notBefore ? { not_before: o.notBefore.toISOString() } : {}),
        ...(o.notAfter ? { not_after: o.notAfter.toISOString() } : {}),
      },
    );
    if (!guard.scheduled_at) throw new SmartLimitsError('The service answered a plan without scheduled_at', 200, null, undefined, null);
    return { identityId, action, actionId, scheduledAt: new Date(guard.scheduled_at), guard };
  }

  /**
   * Waits until a planned action's time, then runs it like `run()`: the action, then its outcome
   * (or, when it throws before LinkedIn was reached, the release of its slot). The slot is already
   * recorded, so there is no guard call and no in-flight lease.
   */
  async runScheduled<T extends ActionResult>(planned: ScheduledAction, fn: () => Promise<T>): Promise<{ result: T; outcome: OutcomeResult | null }> {
    const wait = planned.scheduledAt.getTime() - Date.now();
    if (wait > 0) await this.sleep(wait);
    const { result, outcome } = await this.perform(planned.identityId, planned.action, planned.actionId, true, fn);
    return { result, outcome };
  }

  /** When the action may run on this identity (every pacing rule, window and cooldown), without a guard call. */
  next(identityId: string, action: string): Promise<NextAllowed> {
    return this.request<NextAllowed>('GET', `/v1/identities/${encodeURIComponent(identityId)}/actions/${encodeURIComponent(action)}/next`);
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
    const actionId = o.actionId ?? this.newActionId('run');
    const guard = await this.guard(identityId, action, { ...o, actionId });
    const { result, outcome } = await this.perform(identityId, action, actionId, guard.recorded, fn);
    return { guard, result, outcome };
  }

  private newActionId(prefix: string): string {
    return `${prefix}-${Date.now().toString(36)}-${Math.floor(this.random() * 1e9).toString(36)}`;
  }

  /** Runs an admitted action and reports what LinkedIn answered (or releases a slot it never used). */
  private async perform<T extends ActionResult>(
    identityId: string,
    action: string,
    actionId: string,
    recorded: boolean,
    fn: () => Promise<T>,
  ): Promise<{ result: T; outcome: OutcomeResult }> {
    let result: T;
    try {
      result = await fn();
    } catch (e) {
      const status = (e as { statusCode?: unknown }).statusCode;
      if (typeof status === 'number') {
        await this.reportOutcome(identityId, action, { actionId, statusCode: status, body: (e as { body?: string | object }).body });
      } else if (recorded) {
        await this.release(identityId, action, actionId);
      }
      throw e;
    }
    const outcome: Outcome = typeof result === 'number' ? { statusCode: result } : result;
    return { result, outcome: await this.reportOutcome(identityId, action, { ...outcome, actionId }) };
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
  if (status === 429 && label === 'TOO_SOON') return new TooSoonError(msg, status, label, details, retryAfter);
  if (status === 429 && label === 'IN_FLIGHT') return new InFlightError(msg, status, label, details, retryAfter);
  if (status === 429 && label === 'OUTSIDE_WORKING_HOURS') return new OutsideWorkingHoursError(msg, status, label, details, retryAfter);
  if (status === 429) return new RateLimitedError(msg, status, label, details, retryAfter);
  if (status === 503) return new StoreUnavailableError(msg, status, label, details, retryAfter);
  return new SmartLimitsError(msg, status, label, details, retryAfter);
}
