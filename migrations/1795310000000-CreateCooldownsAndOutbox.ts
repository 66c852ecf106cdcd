import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * Cooldown history, the classified error log and the transactional outbox. Rows of an identity go
 * with it (on delete cascade); outbox events keep their identity id without a foreign key, because
 * an event already recorded must still be delivered after its identity is deleted.
 */
export class CreateCooldownsAndOutbox1795310000000 implements MigrationInterface {
  name = 'CreateCooldownsAndOutbox1795310000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      create table cooldowns (
        id uuid primary key default gen_random_uuid(),
        workspace_id uuid not null references workspaces(id) on delete cascade,
        identity_id uuid not null references identities(id) on delete cascade,
        scope text not null check (scope in ('identity', 'limits')),
        limits text[] not null default '{}',
        reason text not null,
        level integer not null,
        source text not null check (source in ('outcome', 'manual')),
        source_status integer,
        action_slug text,
        classification jsonb,
        at_risk boolean not null default false,
        started_at timestamptz not null,
        ends_at timestamptz,
        ended_at timestamptz,
        ended_by text check (ended_by in ('expiry', 'cleared', 'superseded')),
        superseded_by uuid,
        created_at timestamptz not null default now(),
        check ((ended_at is null) = (ended_by is null))
      )`);
    // The expiry job's claim and the re-mirror's scan read only cooldowns still open.
    await q.query(`create index cooldowns_open_idx on cooldowns (ends_at) where ended_at is null`);
    await q.query(`create index cooldowns_ended_idx on cooldowns (ended_at) where ended_at is not null`);
    await q.query(`create index cooldowns_identity_idx on cooldowns (identity_id, started_at desc, id desc)`);

    await q.query(`
      create table classified_errors (
        id bigint generated always as identity primary key,
        workspace_id uuid not null references workspaces(id) on delete cascade,
        identity_id uuid not null references identities(id) on delete cascade,
        action_slug text not null,
        action_id text,
        type text not null,
        status_code integer not null,
        error_label text,
        origin text not null,
        signal text not null,
        retry_after_seconds integer,
        strike boolean not null default false,
        cooldown_id uuid references cooldowns(id) on delete set null,
        occurred_at timestamptz not null
      )`);
    await q.query(`create index classified_errors_identity_idx on classified_errors (identity_id, occurred_at desc)`);
    await q.query(`create index classified_errors_occurred_idx on classified_errors (occurred_at)`);

    await q.query(`
      create table outbox_events (
        id uuid primary key default gen_random_uuid(),
        seq bigint generated always as identity,
        workspace_id uuid not null references workspaces(id) on delete cascade,
        identity_id uuid,
        type text not null,
        payload jsonb not null default '{}'::jsonb,
        created_at timestamptz not null default now(),
        dispatched_at timestamptz
      )`);
    // A dispatcher claims undispatched events in order with FOR UPDATE SKIP LOCKED.
    await q.query(`create index outbox_events_pending_idx on outbox_events (seq) where dispatched_at is null`);
    await q.query(`create index outbox_events_workspace_idx on outbox_events (workspace_id, created_at)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`drop table outbox_events`);
    await q.query(`drop table classified_errors`);
    await q.query(`drop table cooldowns`);
  }
}
