import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * Webhook subscriptions, one delivery per (outbox event, subscription), and every attempt. The
 * dispatcher fans undispatched outbox events out into deliveries and stamps `dispatched_at`
 * (outbox_events comes from CreateCooldownsAndOutbox).
 */
export class CreateWebhooks1795320000000 implements MigrationInterface {
  name = 'CreateWebhooks1795320000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      create table webhook_subscriptions (
        id uuid primary key default gen_random_uuid(),
        workspace_id uuid not null references workspaces(id) on delete cascade,
        url text not null,
        events text[] not null check (cardinality(events) > 0),
        -- In clear because HMAC signing needs it; it is only ever returned by the create call.
        secret text not null,
        created_at timestamptz not null default now()
      )`);
    await q.query(`create index webhook_subscriptions_workspace_idx on webhook_subscriptions (workspace_id, created_at)`);
    await q.query(`
      create table webhook_deliveries (
        id uuid primary key default gen_random_uuid(),
        subscription_id uuid not null references webhook_subscriptions(id) on delete cascade,
        event_id uuid not null references outbox_events(id) on delete cascade,
        -- The event's outbox order: an identity's deliveries to one subscription go out in it.
        event_seq bigint not null,
        identity_id uuid,
        status text not null default 'pending' check (status in ('pending', 'delivered', 'failed')),
        attempts integer not null default 0,
        -- When it is due; while an attempt is in flight, the end of that claim's lease.
        next_attempt_at timestamptz not null default '-infinity',
        claim_token uuid,
        first_attempt_at timestamptz,
        delivered_at timestamptz,
        created_at timestamptz not null default now(),
        unique (subscription_id, event_seq),
        unique (event_id, subscription_id)
      )`);
    await q.query(`create index webhook_deliveries_due_idx on webhook_deliveries (next_attempt_at, event_seq) where status = 'pending'`);
    await q.query(
      `create index webhook_deliveries_order_idx on webhook_deliveries (subscription_id, identity_id, event_seq) where status = 'pending'`,
    );
    await q.query(`
      create table webhook_delivery_attempts (
        id bigint generated always as identity primary key,
        delivery_id uuid not null references webhook_deliveries(id) on delete cascade,
        attempt integer not null,
        attempted_at timestamptz not null,
        status_code integer,
        latency_ms integer not null,
        error text
      )`);
    await q.query(`create index webhook_delivery_attempts_delivery_idx on webhook_delivery_attempts (delivery_id, attempt)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`drop table webhook_delivery_attempts`);
    await q.query(`drop table webhook_deliveries`);
    await q.query(`drop table webhook_subscriptions`);
  }
}
