import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * Invitation health (SPEC §5b): one row per invitation an identity sent (written from the guard's
 * decision, idempotent on action_id) or found pending on LinkedIn by a reconcile (action_id and
 * sent_at unknown), and one row per identity with the health state that events are emitted from
 * once per crossing.
 */
export class CreateInvitations1796626520865 implements MigrationInterface {
  name = 'CreateInvitations1796626520865';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      create table invitations (
        id bigint generated always as identity primary key,
        workspace_id uuid not null references workspaces(id) on delete cascade,
        identity_id uuid not null references identities(id) on delete cascade,
        -- The caller's id of the person (profile URL, URN or id); null when the guard had none.
        target text check (char_length(target) between 1 and 256),
        action_id text,
        -- Null for a pending invitation a reconcile found on LinkedIn without a guard call behind it.
        sent_at timestamptz,
        -- sent_at, or when a reconcile first saw it: the list's order and older_than_days read it.
        known_since timestamptz not null,
        status text not null check (status in ('pending', 'accepted', 'declined', 'withdrawn', 'expired')),
        resolved_at timestamptz,
        created_at timestamptz not null default now(),
        updated_at timestamptz not null default now(),
        check ((status = 'pending') = (resolved_at is null))
      )`);
    // Idempotent on the guard's action id; a person is pending or accepted at most once per identity.
    await q.query(`create unique index invitations_action_idx on invitations (identity_id, action_id) where action_id is not null`);
    await q.query(
      `create unique index invitations_open_target_idx on invitations (identity_id, target) where target is not null and status in ('pending', 'accepted')`,
    );
    await q.query(`create index invitations_target_idx on invitations (identity_id, target, id desc)`);
    await q.query(`create index invitations_list_idx on invitations (identity_id, known_since, id)`);
    await q.query(`create index invitations_pending_idx on invitations (identity_id, known_since, id) where status = 'pending'`);
    // The acceptance-rate sample (sent 7–37 days ago) and the refresh job's scan of recent senders.
    await q.query(`create index invitations_sent_idx on invitations (identity_id, sent_at) where sent_at is not null`);
    await q.query(`create index invitations_recent_idx on invitations (sent_at, identity_id) where sent_at is not null`);

    await q.query(`
      create table invitation_health (
        identity_id uuid primary key references identities(id) on delete cascade,
        workspace_id uuid not null references workspaces(id) on delete cascade,
        pending integer not null default 0,
        pending_high boolean not null default false,
        sample integer not null default 0,
        accepted integer not null default 0,
        -- ok (or too small a sample), low (< 30 %: invitation thresholds halved), refuse (< 15 %)
        acceptance_state text not null default 'ok' check (acceptance_state in ('ok', 'low', 'refuse')),
        -- A person cleared the refusal (POST …/cooldowns/clear); it holds until the rate recovers.
        refusal_cleared_at timestamptz,
        computed_at timestamptz not null default now()
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`drop table invitation_health`);
    await q.query(`drop table invitations`);
  }
}
