import { createHash } from 'node:crypto';
import { Transport } from './http.js';
import {
  type Catalog,
  type ClearedCooldowns,
  type CooldownPage,
  type CreatedWebhook,
  type CreateIdentity,
  type CreateWebhook,
  type Cooldown,
  type DeliveryPage,
  type GuardResult,
  type Identity,
  type IdentityHealth,
  type IdentityLimits,
  type NextAllowed,
  type PlannedActions,
  type IdentityListQuery,
  type IdentityPage,
  type InvitationReport,
  type InvitationStatus,
  type PendingSync,
  type ManualCooldown,
  type OutcomeResult,
  type Readiness,
  type ReleaseResult,
  type RequestOf,
  type UpdateIdentity,
  type Webhook,
  type WebhookList,
  type WebhookTestResult,
} from './types.js';

export interface ClientOptions {
  /** Where the service answers, e.g. `http://127.0.0.1:3000`. */
  baseUrl: string;
  /** A workspace API key (`sl_live_…`). */
  apiKey: string;
  /** Attempts in all for the service's back-pressure: API-limit 429s, 503s, unreachable (default 3). */
  maxAttempts?: number;
  /** Upper bound of one wait between attempts, ms (default 30 s). */
  maxRetryWaitMs?: number;
  /** Spread guard calls at a steady rate instead of bursting, e.g. 600 a minute. */
  pacePerMinute?: number;
  /** How long one attempt may take, ms (default 10 s). */
  timeoutMs?: number;
  /** For tests and custom agents: the `fetch` to use (default the platform's). */
  fetch?: typeof fetch;
  /** For tests: how the client sleeps between attempts and draws jitter. */
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
}

export interface GuardOptions {
  /**
   * Your id of this action (1–128 chars), the same on every retry of it: the guard counts an id
   * once, so a worker that crashes and retries does not count the action twice.
   */
  actionId: string;
  /** Units consumed (e.g. profiles returned by a search); default 1. */
  cost?: number;
  /** Decide without recording. */
  dryRun?: boolean;
  /** Backfill of an action already done. */
  occurredAt?: Date;
  /** For invitations: the person invited (profile URL, URN or id; ≤ 256 chars). The same person twice is refused (`AlreadyInvitedError`). */
  target?: string;
}

type OutcomeBody = RequestOf<'reportOutcome'>['body'];

/** What LinkedIn (or the automation API in front of it) answered. */
export interface Outcome {
  /** The HTTP status; 0 when there was no answer (timeout, network error). */
  statusCode: number;
  headers?: Record<string, string>;
  /** The start of the answer (the service reads at most 16 KiB; the client cuts longer bodies). */
  body?: OutcomeBody;
  /** A label the automation API gave, e.g. `STATUS_429`. */
  errorLabel?: string;
}

/**
 * What a `run` action resolves to: the status LinkedIn answered (or an `Outcome` with more), or
 * `null` when the action did not happen after all (nothing was sent to LinkedIn): its slot is
 * released and nothing is reported.
 */
export type ActionResult = Outcome | number | null;

/**
 * Which action this is: your `actionId`, or an `idempotencyKey` it is derived from (see
 * `actionIdFor`). Either must be the same on every retry of the same action.
 */
export type ActionIdentity = { actionId: string; idempotencyKey?: never } | { idempotencyKey: string; actionId?: never };

export type RunOptions = ActionIdentity & { cost?: number; target?: string };

/** Schedule mode's options: which action, and the span the plan must fall in. */
export type ScheduleOptions = ActionIdentity & {
  cost?: number;
  /** For invitations: the person invited. */
  target?: string;
  /** Plan no earlier than this (default now). */
  notBefore?: Date;
  /** Plan no later than this (default: 7 days after the asked time); a refusal error when no time fits. */
  notAfter?: Date;
};

/** An action planned by schedule mode: perform it at `scheduledAt` (`runScheduled` does the waiting). */
export interface ScheduledAction {
  identityId: string;
  action: string;
  actionId: string;
  scheduledAt: Date;
  guard: GuardResult;
}

export interface RunResult<T extends ActionResult> {
  guard: GuardResult;
  /** What the action resolved to. */
  result: T;
  /** The service's reading of the outcome; null when the action resolved to null. */
  outcome: OutcomeResult | null;
}

/** The most targets one `syncPendingInvitations` takes. */
const MAX_PENDING_SYNC = 1000;

const sleepReal = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** The service reads at most 16 KiB of a reported body (more is refused); LinkedIn's signs sit at the top of a page. */
const MAX_OUTCOME_BODY_BYTES = 16 * 1024;

function fitBody(body: OutcomeBody): OutcomeBody {
  if (body === undefined || body === null) return body;
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  const bytes = new TextEncoder().encode(text);
  if (bytes.length <= MAX_OUTCOME_BODY_BYTES) return body;
  // Cut a little short: a character split at the cut decodes to one U+FFFD, which is then dropped.
  return new TextDecoder().decode(bytes.slice(0, MAX_OUTCOME_BODY_BYTES - 3)).replace(/\uFFFD$/, '');
}

/**
 * The action id `run` derives from an idempotency key: the same identity, action and key give the
 * same id in every process (`ik_` and 43 characters of a SHA-256), so a retry is recognised.
 */
export function actionIdFor(identityId: string, action: string, idempotencyKey: string): string {
  if (!idempotencyKey) throw new TypeError('idempotencyKey must not be empty');
  return 'ik_' + createHash('sha256').update(`${identityId}\n${action}\n${idempotencyKey}`, 'utf8').digest('base64url');
}

/** The caller's action id, or the one derived from its idempotency key. */
function actionIdOf(method: string, identityId: string, action: string, o: ActionIdentity): string {
  const actionId = o.actionId ?? (o.idempotencyKey ? actionIdFor(identityId, action, o.idempotencyKey) : null);
  if (!actionId)
    throw new TypeError(`${method}() needs your actionId (or an idempotencyKey to derive it from), the same on every retry of the action`);
  return actionId;
}

/** The HTTP status carried by what an action threw (`statusCode`, else `status`), if any. */
function thrownStatus(e: unknown): number | null {
  if (typeof e !== 'object' || e === null) return null;
  const { statusCode, status } = e as { statusCode?: unknown; status?: unknown };
  const s = typeof statusCode === 'number' ? statusCode : typeof status === 'number' ? status : null;
  return s !== null && Number.isInteger(s) && s >= 0 && s <= 999 ? s : null;
}

const path = (...parts: string[]) => parts.map((p, i) => (i % 2 === 1 ? encodeURIComponent(p) : p)).join('');

/**
 * A typed client for automation workers and the scripts around them: guard before each LinkedIn
 * action, report what LinkedIn answered, release slots of actions that did not happen, and manage
 * identities, cooldowns and webhooks. Zero dependencies (the platform `fetch`).
 */
export class SmartLimitsClient {
  private readonly http: Transport;
  private readonly pacePerMinute: number | undefined;
  private readonly sleep: (ms: number) => Promise<void>;
  private nextSlot = 0;

  constructor(opts: ClientOptions) {
    let base: URL;
    try {
      base = new URL(opts.baseUrl);
    } catch {
      throw new TypeError(`baseUrl must be an absolute http(s) URL, got ${JSON.stringify(opts.baseUrl)}`);
    }
    if (base.protocol !== 'http:' && base.protocol !== 'https:') throw new TypeError(`baseUrl must be http(s), got ${base.protocol}`);
    if (!opts.apiKey) throw new TypeError('apiKey is required');
    this.pacePerMinute = opts.pacePerMinute;
    this.sleep = opts.sleep ?? sleepReal;
    this.http = new Transport({
      baseUrl: opts.baseUrl.replace(/\/+$/, ''),
      apiKey: opts.apiKey,
      maxAttempts: Math.max(1, opts.maxAttempts ?? 3),
      maxRetryWaitMs: opts.maxRetryWaitMs ?? 30_000,
      timeoutMs: opts.timeoutMs ?? 10_000,
      fetch: opts.fetch ?? fetch,
      sleep: this.sleep,
      random: opts.random ?? Math.random,
    });
  }

  /** Waits for this call's slot when pacing is on: a steady rate, no bursts then stalls. */
  private async pace(): Promise<void> {
    if (!this.pacePerMinute) return;
    const interval = 60_000 / this.pacePerMinute;
    const now = Date.now();
    const slot = Math.max(now, this.nextSlot);
    this.nextSlot = slot + interval;
    if (slot > now) await this.sleep(slot - now);
  }

  /**
   * Asks whether the identity may perform `action` now, and records it when it may. Throws
   * `LimitReachedError`, `CooldownError`, `IdentityPausedError`, … when it may not.
   */
  async guard(identityId: string, action: string, o: GuardOptions): Promise<GuardResult> {
    await this.pace();
    return this.http.request<GuardResult>('POST', path('/v1/identities/', identityId, '/actions/', action, '/guard'), {
      idempotent: true,
      body: {
        action_id: o.actionId,
        ...(o.cost !== undefined ? { cost: o.cost } : {}),
        ...(o.dryRun !== undefined ? { dry_run: o.dryRun } : {}),
        ...(o.occurredAt ? { occurred_at: o.occurredAt.toISOString() } : {}),
        ...(o.target !== undefined ? { target: o.target } : {}),
      },
    });
  }

  /** Gives back the slot of a guarded action that did not happen. False: nothing was recorded under that id. */
  async release(identityId: string, action: string, actionId: string): Promise<boolean> {
    const r = await this.http.request<ReleaseResult>('POST', path('/v1/identities/', identityId, '/actions/', action, '/release'), {
      idempotent: true,
      body: { action_id: actionId },
    });
    return r.released;
  }

  /**
   * Reports what LinkedIn answered; the service classifies it and starts (or extends) a cooldown
   * when LinkedIn pushed back. Not sent twice when its answer is lost (a repeated report of
   * pushback could count as a second strike).
   */
  reportOutcome(identityId: string, action: string, outcome: Outcome & { actionId?: string }): Promise<OutcomeResult> {
    return this.http.request<OutcomeResult>('POST', path('/v1/identities/', identityId, '/outcomes'), {
      idempotent: false,
      body: {
        action_slug: action,
        ...(outcome.actionId ? { action_id: outcome.actionId } : {}),
        status_code: outcome.statusCode,
        ...(outcome.headers ? { headers: outcome.headers } : {}),
        ...(outcome.body !== undefined ? { body: fitBody(outcome.body) } : {}),
        ...(outcome.errorLabel ? { error_label: outcome.errorLabel } : {}),
      },
    });
  }

  /**
   * Guard, run the action, report what LinkedIn answered, under your action id (required: an id
   * invented here would make a crash-and-retry count the action twice).
   *
   * - Refused by the guard: throws its error (`LimitReachedError`, `CooldownError`, …); `fn` does not run.
   * - `fn` resolves to a status or an `Outcome`: it is reported; `outcome` is the service's reading.
   * - `fn` resolves to `null`: the action did not happen; its slot is released, nothing is reported.
   * - `fn` throws an error with a numeric `statusCode` (else `status`): LinkedIn was reached and
   *   answered that; it is reported (with the error's `headers` and `body` when it has them), then
   *   the action's error is rethrown.
   * - `fn` throws anything else: LinkedIn was never reached; the slot is released, the error rethrown.
   * A retry after a crash (same id) is answered `duplicate` by the guard and runs `fn` without
   * counting it again.
   */
  async run<T extends ActionResult>(identityId: string, action: string, o: RunOptions, fn: () => Promise<T>): Promise<RunResult<T>> {
    const actionId = actionIdOf('run', identityId, action, o);
    const guard = await this.guard(identityId, action, {
      actionId,
      ...(o.cost !== undefined ? { cost: o.cost } : {}),
      ...(o.target !== undefined ? { target: o.target } : {}),
    });
    const { result, outcome } = await this.perform(identityId, action, actionId, guard.recorded, fn);
    return { guard, result, outcome };
  }

  /**
   * Schedule mode: records the action at the earliest time that passes every rule of the identity
   * (windows, bursts, gaps, working hours, cooldowns, invitation health) and answers that time.
   * Planning a campaign is a loop of these calls; concurrent planners never get the same slot, and
   * the same action id again answers the same time. Throws the refusal (`LimitReachedError`, …)
   * only when no time fits before `notAfter` or a rule never frees by time.
   */
  async schedule(identityId: string, action: string, o: ScheduleOptions): Promise<ScheduledAction> {
    const actionId = actionIdOf('schedule', identityId, action, o);
    await this.pace();
    const guard = await this.http.request<GuardResult>('POST', path('/v1/identities/', identityId, '/actions/', action, '/guard'), {
      idempotent: true,
      body: {
        action_id: actionId,
        when: 'earliest',
        ...(o.cost !== undefined ? { cost: o.cost } : {}),
        ...(o.target !== undefined ? { target: o.target } : {}),
        ...(o.notBefore ? { not_before: o.notBefore.toISOString() } : {}),
        ...(o.notAfter ? { not_after: o.notAfter.toISOString() } : {}),
      },
    });
    if (!guard.scheduled_at) throw new TypeError('the service answered a plan without scheduled_at');
    return { identityId, action, actionId, scheduledAt: new Date(guard.scheduled_at), guard };
  }

  /**
   * Waits until a planned action's time, then runs it like `run()`: `fn`, then its outcome reported
   * (or, when `fn` resolves to null or throws before LinkedIn was reached, its slot released). The
   * slot is already recorded, so there is no second guard call.
   */
  async runScheduled<T extends ActionResult>(planned: ScheduledAction, fn: () => Promise<T>): Promise<RunResult<T>> {
    const wait = planned.scheduledAt.getTime() - Date.now();
    if (wait > 0) await this.sleep(wait);
    const { result, outcome } = await this.perform(planned.identityId, planned.action, planned.actionId, true, fn);
    return { guard: planned.guard, result, outcome };
  }

  /** An identity's planned actions, earliest first, from `from` (default now) up to `to`. */
  plannedActions(identityId: string, query: { from?: Date; to?: Date } = {}): Promise<PlannedActions> {
    return this.http.request<PlannedActions>('GET', path('/v1/identities/', identityId, '/schedule'), {
      idempotent: true,
      query: { ...(query.from ? { from: query.from.toISOString() } : {}), ...(query.to ? { to: query.to.toISOString() } : {}) },
    });
  }

  /** Runs an admitted action, then reports what LinkedIn answered (or releases a slot it never used). */
  private async perform<T extends ActionResult>(
    identityId: string,
    action: string,
    actionId: string,
    recorded: boolean,
    fn: () => Promise<T>,
  ): Promise<{ result: T; outcome: OutcomeResult | null }> {
    let result: T;
    try {
      result = await fn();
    } catch (e) {
      const status = thrownStatus(e);
      if (status !== null) {
        const { headers, body } = e as { headers?: unknown; body?: unknown };
        await this.reportOutcome(identityId, action, {
          actionId,
          statusCode: status,
          ...(isStringRecord(headers) ? { headers } : {}),
          ...(typeof body === 'string' || isRecord(body) ? { body } : {}),
        });
      } else if (recorded) {
        await this.release(identityId, action, actionId);
      }
      throw e;
    }
    if (result === null) {
      if (recorded) await this.release(identityId, action, actionId);
      return { result, outcome: null };
    }
    const outcome: Outcome = typeof result === 'number' ? { statusCode: result } : result;
    return { result, outcome: await this.reportOutcome(identityId, action, { ...outcome, actionId }) };
  }

  /** Tells the service what became of an invitation (accepted, declined, withdrawn, expired); a retry answers `changed: false`. */
  reportInvitation(identityId: string, target: string, status: InvitationStatus, o: { at?: Date } = {}): Promise<InvitationReport> {
    return this.http.request<InvitationReport>('POST', path('/v1/identities/', identityId, '/invitations/', target), {
      idempotent: true,
      body: { status, ...(o.at ? { at: o.at.toISOString() } : {}) },
    });
  }

  /**
   * Reconciles with LinkedIn's sent-invitations page: `targets` are every person it lists as pending
   * (at most 1,000). Pending invitations it does not list become withdrawn; report acceptances first.
   */
  syncPendingInvitations(identityId: string, targets: string[], o: { asOf?: Date } = {}): Promise<PendingSync> {
    if (targets.length > MAX_PENDING_SYNC) {
      return Promise.reject(new RangeError(`syncPendingInvitations takes at most ${MAX_PENDING_SYNC} targets (got ${targets.length})`));
    }
    return this.http.request<PendingSync>('PUT', path('/v1/identities/', identityId, '/invitations/pending'), {
      idempotent: true,
      body: { targets, ...(o.asOf ? { as_of: o.asOf.toISOString() } : {}) },
    });
  }

  /** The identity's limits now: consumed, remaining, when each frees. */
  /** When the action may run on this identity (every pacing rule, window and cooldown), without a guard call. */
  next(identityId: string, action: string): Promise<NextAllowed> {
    return this.http.request<NextAllowed>('GET', path('/v1/identities/', identityId, '/actions/', action, '/next'), { idempotent: true });
  }

  limits(identityId: string): Promise<IdentityLimits> {
    return this.http.request<IdentityLimits>('GET', path('/v1/identities/', identityId, '/limits'), { idempotent: true });
  }

  /** The actions, their limits and default thresholds, levels and warm-up ramps. */
  catalog(): Promise<Catalog> {
    return this.http.request<Catalog>('GET', '/v1/catalog', { idempotent: true });
  }

  /**
   * Readiness of the service (Redis and PostgreSQL answer). Not retried: a store that is down
   * throws `StoreUnavailableError` at once, its `details.checks` saying which.
   */
  health(): Promise<Readiness> {
    return this.http.request<Readiness>('GET', '/health/ready', { idempotent: true, retry: false });
  }

  /** The workspace's identities (the LinkedIn accounts workers act through). */
  readonly identities = {
    create: (values: CreateIdentity): Promise<Identity> => this.http.request<Identity>('POST', '/v1/identities', { idempotent: false, body: values }),
    /** One page, oldest first; pass `next_cursor` as `cursor` for the next. */
    list: (query: IdentityListQuery = {}): Promise<IdentityPage> =>
      this.http.request<IdentityPage>('GET', '/v1/identities', { idempotent: true, query: { ...query } }),
    /** Every identity matching `query`, page after page. */
    all: (query: Omit<IdentityListQuery, 'cursor'> = {}): AsyncGenerator<Identity> => this.allIdentities(query),
    get: (id: string): Promise<Identity> => this.http.request<Identity>('GET', path('/v1/identities/', id), { idempotent: true }),
    update: (id: string, values: UpdateIdentity): Promise<Identity> =>
      this.http.request<Identity>('PATCH', path('/v1/identities/', id), { idempotent: true, body: values }),
    /** Stops every action through this identity (the guard answers `IdentityPausedError`) until `resume`. */
    pause: (id: string): Promise<Identity> => this.identities.update(id, { status: 'paused' }),
    resume: (id: string): Promise<Identity> => this.identities.update(id, { status: 'active' }),
    /** Its status (healthy, warning, cooldown, at_risk, restricted, …), the reasons, and every limit. */
    health: (id: string): Promise<IdentityHealth> =>
      this.http.request<IdentityHealth>('GET', path('/v1/identities/', id, '/health'), { idempotent: true }),
  };

  private async *allIdentities(query: Omit<IdentityListQuery, 'cursor'>): AsyncGenerator<Identity> {
    let cursor: string | undefined;
    do {
      const page = await this.identities.list({ ...query, ...(cursor ? { cursor } : {}) });
      yield* page.data;
      cursor = page.next_cursor ?? undefined;
    } while (cursor);
  }

  /** Cooldowns of an identity: their history, a manual one, and clearing them after a person fixed the account. */
  readonly cooldowns = {
    list: (identityId: string, query: { limit?: number; cursor?: string } = {}): Promise<CooldownPage> =>
      this.http.request<CooldownPage>('GET', path('/v1/identities/', identityId, '/cooldowns'), { idempotent: true, query }),
    start: (identityId: string, values: ManualCooldown): Promise<Cooldown> =>
      this.http.request<Cooldown>('POST', path('/v1/identities/', identityId, '/cooldowns'), { idempotent: false, body: values }),
    clear: (identityId: string): Promise<ClearedCooldowns> =>
      this.http.request<ClearedCooldowns>('POST', path('/v1/identities/', identityId, '/cooldowns/clear'), { idempotent: true }),
  };

  /** Webhooks of the workspace. Verify what they deliver with `verifySignature`. */
  readonly webhooks = {
    /** The answer's `secret` is shown only here: store it. */
    create: (values: CreateWebhook): Promise<CreatedWebhook> =>
      this.http.request<CreatedWebhook>('POST', '/v1/webhooks', { idempotent: false, body: values }),
    list: async (): Promise<Webhook[]> => (await this.http.request<WebhookList>('GET', '/v1/webhooks', { idempotent: true })).data,
    get: (id: string): Promise<Webhook> => this.http.request<Webhook>('GET', path('/v1/webhooks/', id), { idempotent: true }),
    delete: async (id: string): Promise<void> => {
      await this.http.request<undefined>('DELETE', path('/v1/webhooks/', id), { idempotent: true });
    },
    /** Sends a `webhook.test` event to this webhook only. */
    test: (id: string): Promise<WebhookTestResult> =>
      this.http.request<WebhookTestResult>('POST', path('/v1/webhooks/', id, '/test'), { idempotent: false }),
    deliveries: (id: string, query: { limit?: number; cursor?: string } = {}): Promise<DeliveryPage> =>
      this.http.request<DeliveryPage>('GET', path('/v1/webhooks/', id, '/deliveries'), { idempotent: true, query }),
  };
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isStringRecord(v: unknown): v is Record<string, string> {
  return isRecord(v) && Object.values(v).every((x) => typeof x === 'string');
}
