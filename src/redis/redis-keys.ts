/**
 * Key layout. Every key of a workspace — its identities' windows, cooldown mirrors, idempotency
 * records and the workspace's API-limit buckets — carries the workspace id as its hash tag, so one
 * Lua call can check the workspace API limit and an identity's windows on one Cluster slot (the
 * guard's single round trip). A workspace's load is capped by its tier (at most a few dozen
 * actions per second), so one slot per workspace is far from a hot spot.
 */
export class RedisKeys {
  constructor(readonly prefix: string) {}

  tag(workspaceId: string): string {
    return `${this.prefix}:{${workspaceId}}`;
  }

  identity(workspaceId: string, identityId: string): string {
    return `${this.tag(workspaceId)}:i:${identityId}`;
  }

  /**
   * A limit's window (window.include.lua, issue 18): the name its keys derive from — chunks (sorted
   * sets: member = the action's digest, `:<cost>` when > 1; score = ms) at `<window>:<generation>:<id>`
   * and dedup intsets at `<window>:<generation>:d<shard>` — and its state's place: field `<LIMIT>`
   * of the identity's window-state hash `<identity>:w2` (the window key without its last segment).
   * "w2": the layout's version (the sorted sets of the first layout were `:w:<LIMIT>`).
   */
  window(workspaceId: string, identityId: string, limitSlug: string): string {
    return `${this.identity(workspaceId, identityId)}:w2:${limitSlug}`;
  }

  /** The identity's window-state hash (field `<LIMIT>` = that window's state; see `window`). */
  windowStates(workspaceId: string, identityId: string): string {
    return `${this.identity(workspaceId, identityId)}:w2`;
  }

  /** Cooldown mirror for the whole identity (string with TTL, value = JSON summary). */
  identityCooldown(workspaceId: string, identityId: string): string {
    return `${this.identity(workspaceId, identityId)}:cd`;
  }

  /** Cooldown mirror scoped to one limit. */
  limitCooldown(workspaceId: string, identityId: string, limitSlug: string): string {
    return `${this.identity(workspaceId, identityId)}:cd:${limitSlug}`;
  }

  /** The identity's in-flight lease (string = action_id of the single-flight action, PX in_flight_seconds). */
  lease(workspaceId: string, identityId: string): string {
    return `${this.identity(workspaceId, identityId)}:lease`;
  }

  /** The identity's planned actions (sorted set: member = "<action slug> <action_id>", score = scheduled_at ms). */
  schedule(workspaceId: string, identityId: string): string {
    return `${this.identity(workspaceId, identityId)}:sched`;
  }

  /**
   * Hash of the identity's invitation health: pending count, the acceptance rate's effect, and each
   * known target's state (digest → pending / accepted / withdrawn at); see invitation-state.lua.
   */
  invitations(workspaceId: string, identityId: string): string {
    return `${this.identity(workspaceId, identityId)}:inv`;
  }

  /**
   * The identity's state marker: present while Redis holds everything the guard reads for it. A
   * guard that finds it missing (Redis lost data, or the identity was never seen) has the state
   * rebuilt from PostgreSQL before deciding (SPEC §9b). Value: when it was set (ms). "m2": the
   * windows' layout version (window.include.lua, issue 18); an identity whose windows are in the
   * first layout (sorted sets under `:w:`, marker `:m`) has no `:m2`, so its next guard rebuilds it
   * from the journal in this layout (the migration; the old keys expire on their own).
   */
  marker(workspaceId: string, identityId: string): string {
    return `${this.identity(workspaceId, identityId)}:m2`;
  }

  /** One rebuild of the identity at a time, across instances (a lock with a token and a TTL). */
  rebuildLock(workspaceId: string, identityId: string): string {
    return `${this.identity(workspaceId, identityId)}:rb`;
  }

  /** Workspace API-limit counters for an endpoint group (per-second + per-minute + daily). */
  apiLimit(workspaceId: string, group: string): string {
    return `${this.tag(workspaceId)}:api2:${group}`;
  }

  /** "api2": strings of packed doubles (api-limit.include.lua); the hashes of the first layout were under "api". */
  apiDaily(workspaceId: string): string {
    return `${this.tag(workspaceId)}:api2:daily`;
  }

  runLeases(workspaceId: string): string {
    return `${this.tag(workspaceId)}:runs`;
  }

  /**
   * The workspace's dashboard overview snapshot: `meta` (JSON), `order` (sorted set of risk sort
   * keys), `rows` (hash id → row), `lock` (one builder at a time), and a builder's unpublished
   * `build:<token>:order|rows`.
   */
  dashboard(workspaceId: string, part: string): string {
    return `${this.tag(workspaceId)}:dash:${part}`;
  }
}
