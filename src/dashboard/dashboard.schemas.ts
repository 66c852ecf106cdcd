import { type SchemaObject } from '@nestjs/swagger';
import { ACTIVITY_BUCKETS, ACTIVITY_WINDOWS } from './activity-options.js';
import { HEALTH_STATUSES } from './health-status.js';

/**
 * OpenAPI schemas of the dashboard's answers (the shapes of dashboard.dto.ts). Every field is
 * always present (null where it says so), so every property is required; a test walks real answers
 * against these, both ways.
 */
const obj = (properties: Record<string, SchemaObject>, extra: SchemaObject = {}): SchemaObject => ({
  type: 'object',
  properties,
  required: Object.keys(properties),
  ...extra,
});
const str: SchemaObject = { type: 'string' };
const int: SchemaObject = { type: 'integer' };
const num: SchemaObject = { type: 'number' };
const bool: SchemaObject = { type: 'boolean' };
const uuid: SchemaObject = { type: 'string', format: 'uuid' };
const time: SchemaObject = { type: 'string', format: 'date-time' };
const arrayOf = (items: SchemaObject): SchemaObject => ({ type: 'array', items });
const nullable = (s: SchemaObject, description?: string): SchemaObject => ({ ...s, nullable: true, ...(description ? { description } : {}) });
const status: SchemaObject = { type: 'string', enum: [...HEALTH_STATUSES] };

const LIMIT_HEALTH = obj({
  slug: str,
  name: str,
  window_seconds: int,
  max_limit: { ...int, description: '0: the account type cannot do what this limit counts' },
  consumed: int,
  remaining: int,
  usage: { ...num, description: 'consumed / max_limit' },
  available_at: nullable(time, 'when one more unit fits (now when there is room); null: never'),
  reset_at: nullable(time, 'when the window is empty again; null: it is empty'),
  cooldown: nullable(obj({ id: uuid, reason: str, ends_at: nullable(time, 'null: until cleared') }), 'the cooldown blocking this limit now'),
});

const COOLDOWN = obj({
  id: uuid,
  scope: { type: 'string', enum: ['identity', 'limits'] },
  limits: arrayOf(str),
  reason: { ...str, example: 'STATUS_429_STRIKE_1' },
  level: int,
  source: str,
  started_at: time,
  ends_at: nullable(time, 'null: until a person clears it'),
  at_risk: bool,
});

const CLASSIFIED_ERROR = obj({
  id: { type: 'string', pattern: '^[0-9]+$', description: 'The log entry id (a decimal number, as a string)', example: '1042' },
  action_slug: str,
  action_id: nullable(str),
  type: { ...str, example: 'passive' },
  status_code: int,
  error_label: nullable(str),
  origin: str,
  signal: str,
  retry_after_seconds: nullable(int),
  strike: { ...bool, description: 'counted as a LinkedIn 429 strike' },
  cooldown_id: nullable(uuid, 'the cooldown it started or extended'),
  occurred_at: time,
});

const INVITATION = obj({
  target: nullable(str, 'null: the guard call named no target'),
  action_id: nullable(str, 'null: found by a reconcile or a report'),
  sent_at: nullable(time, 'null: sent before the service knew of it'),
  known_since: { ...time, description: 'sent_at, or when a reconcile or report first saw it' },
  status: { type: 'string', enum: ['pending', 'accepted', 'declined', 'withdrawn', 'expired'] },
  resolved_at: nullable(time),
});

const INVITATIONS = obj({
  pending_invitations: int,
  pending_warning_at: { ...int, description: 'from this many pending the identity is warning (invitations.pending_high)' },
  pending_refused_at: { ...int, description: 'from this many pending invitations are refused (rule pending_invitations)' },
  acceptance_rate: obj({
    rate: nullable(num, 'accepted / sample_size; null below min_sample'),
    sample_size: { ...int, description: 'invitations sent 7–37 days ago' },
    accepted: int,
    min_sample: int,
    low_acceptance: { ...bool, description: 'below 30 %: invitation thresholds halved' },
    threshold_factor: { ...num, description: '1, or 0.5 while low' },
    refusing: { ...bool, description: 'below 15 % and not cleared: invitations refused' },
  }),
  to_withdraw: obj(
    {
      older_than_days: int,
      total: { ...int, description: 'pending invitations older than older_than_days' },
      today: { ...int, description: 'how many to withdraw today: at most 100 a day, less those withdrawn in the last 24 h' },
      invitations: { ...arrayOf(INVITATION), description: 'the first `today` of them, oldest first' },
    },
    { description: 'the invitations to withdraw first' },
  ),
});

export const HEALTH_SCHEMA = obj({
  identity_id: uuid,
  external_id: str,
  label: nullable(str),
  mode: str,
  account_type: str,
  level: str,
  identity_status: { ...str, description: "the identity's own switch (active/paused), not its health" },
  status,
  reasons: { ...arrayOf(str), description: 'why, most serious first' },
  checked_at: time,
  usage: { ...num, description: 'the highest consumed / max_limit over the limits' },
  warmup_mode: str,
  warmup_day: nullable(int),
  warmup_factor: num,
  warmup_complete: bool,
  warmup_frozen_until: nullable(time),
  limits: arrayOf(LIMIT_HEALTH),
  cooldown: nullable(COOLDOWN, 'the running cooldown that matters most: identity-wide first, then the one ending last'),
  cooldowns: { ...arrayOf(COOLDOWN), description: 'every running cooldown' },
  risk: obj({ at_risk: bool, cooldowns_7d: int, flagged: bool }),
  recent_errors: { ...arrayOf(CLASSIFIED_ERROR), description: 'the last 20 classified outcomes, newest first' },
  invitations: INVITATIONS,
});

export const ACTIVITY_SCHEMA = obj({
  identity_id: uuid,
  window: { type: 'string', enum: Object.keys(ACTIVITY_WINDOWS) },
  bucket: { type: 'string', enum: Object.keys(ACTIVITY_BUCKETS) },
  source: {
    type: 'string',
    enum: ['windows', 'journal'],
    description:
      'windows: counted live in the Redis windows (24h, 7d); journal: counted in the PostgreSQL journal (30d, 90d; up to JOURNAL_FLUSH_MS behind)',
  },
  bucket_seconds: int,
  from: time,
  to: time,
  buckets: { ...arrayOf(time), description: 'start of each bucket; bucket j covers (from + j·bucket, from + (j+1)·bucket]' },
  limits: arrayOf(
    obj({
      slug: str,
      name: str,
      window_seconds: int,
      total: int,
      counts: {
        ...arrayOf(nullable(int)),
        description: "units per bucket; null where the bucket starts before what its source keeps (the limit's window, or the journal's retention)",
      },
    }),
  ),
});

const OVERVIEW_LIMIT = obj({ slug: str, name: str, consumed: int, max_limit: int, usage: num, available_at: nullable(time) });

export const DASHBOARD_SCHEMA = obj({
  workspace: obj({ id: uuid, name: str }),
  tier: obj({
    plan_tier: str,
    monthly_credits: int,
    engagement_tier: nullable(str),
    engagement_identities: int,
    daily_api_limit: int,
    daily_used: int,
    daily_remaining: int,
    daily_usage: num,
  }),
  counts: obj(Object.fromEntries<SchemaObject>([...HEALTH_STATUSES.map((s): [string, SchemaObject] => [s, int]), ['total', int]])),
  generated_at: { ...time, description: 'when the snapshot served was taken' },
  refresh_seconds: { ...int, description: 'DASHBOARD_REFRESH_SECONDS: how old a snapshot may be before a request rebuilds it' },
  identities: arrayOf(
    obj({
      id: uuid,
      external_id: str,
      label: nullable(str),
      mode: str,
      account_type: str,
      level: str,
      identity_status: str,
      status,
      usage: num,
      top_limit: nullable(OVERVIEW_LIMIT, 'the busiest limit; null when nothing is used'),
      limits: { ...arrayOf(OVERVIEW_LIMIT), description: 'limits in use, busiest first' },
      cooldown: nullable(
        obj({
          reason: str,
          scope: { type: 'string', enum: ['identity', 'limits'] },
          limits: arrayOf(str),
          level: int,
          ends_at: nullable(time),
          at_risk: bool,
        }),
      ),
      warmup_day: nullable(int),
      warmup_factor: num,
      pending_invitations: int,
      acceptance_rate: nullable(num, 'accepted share of the invitations sent 7–37 days ago; null below 20 of them'),
      low_acceptance: { ...bool, description: 'below 30 %: invitation thresholds halved' },
    }),
  ),
  next_cursor: nullable(str, 'pass as cursor for the next page; null on the last'),
});
