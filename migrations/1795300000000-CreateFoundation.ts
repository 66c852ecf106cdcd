import { type MigrationInterface, type QueryRunner } from 'typeorm';

export class CreateFoundation1795300000000 implements MigrationInterface {
  name = 'CreateFoundation1795300000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      create table workspaces (
        id uuid primary key default gen_random_uuid(),
        name text not null,
        monthly_credits bigint not null check (monthly_credits >= 0),
        custom_limits jsonb,
        created_at timestamptz not null default now(),
        updated_at timestamptz not null default now()
      )`);
    await q.query(`
      create table api_keys (
        id uuid primary key default gen_random_uuid(),
        workspace_id uuid not null references workspaces(id) on delete cascade,
        key_hash text not null unique,
        key_prefix text not null,
        created_at timestamptz not null default now(),
        revoked_at timestamptz
      )`);
    await q.query(`create index api_keys_workspace_idx on api_keys (workspace_id)`);
    await q.query(`
      create table identities (
        id uuid primary key default gen_random_uuid(),
        workspace_id uuid not null references workspaces(id) on delete cascade,
        external_id text not null,
        label text,
        mode text not null default 'standard' check (mode in ('engagement', 'standard')),
        account_type text not null default 'free',
        timezone text not null default 'UTC',
        warmup text not null default 'standard' check (warmup in ('standard', 'cold', 'none')),
        warmup_started_at timestamptz not null default now(),
        warmup_frozen_from timestamptz,
        warmup_frozen_until timestamptz,
        warmup_restart_factor double precision,
        level text not null default 'standard' check (level in ('conservative', 'standard', 'aggressive')),
        limit_overrides jsonb not null default '{}'::jsonb,
        status text not null default 'active',
        created_at timestamptz not null default now(),
        updated_at timestamptz not null default now(),
        constraint identities_external_id_unique unique (workspace_id, external_id)
      )`);
    await q.query(`create index identities_workspace_id_idx on identities (workspace_id, id)`);
    await q.query(`create index identities_workspace_mode_idx on identities (workspace_id, mode)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`drop table identities`);
    await q.query(`drop table api_keys`);
    await q.query(`drop table workspaces`);
  }
}
