import { type Result } from 'ioredis';
import { composeLua, intReply, RedisScript } from '../redis/redis-script.js';

declare module 'ioredis' {
  interface RedisCommander<Context> {
    slDashCommit(numKeys: number, ...keysAndArgs: (string | number)[]): Result<unknown, Context>;
  }
}

export interface SnapshotCommitInput {
  /** The builder's unpublished risk order, status order and rows. */
  built: { order: string; byStatus: string; rows: string };
  /** The live ones they replace. */
  live: { order: string; byStatus: string; rows: string };
  metaKey: string;
  lockKey: string;
  mode: 'commit' | 'abort';
  /** The builder's lock token. */
  token: string;
  metaJson: string;
  ttlMs: number;
}

/**
 * Publishes a built overview snapshot in one step, or only gives up the build lock
 * (snapshot-commit.lua). true when the lock was still this builder's (and, for a commit, the
 * snapshot is published).
 */
export const SNAPSHOT_COMMIT_SCRIPT = new RedisScript<SnapshotCommitInput, boolean>({
  command: 'slDashCommit',
  lua: composeLua(new URL('./snapshot-commit.lua', import.meta.url)),
  encode: (i) => ({
    keys: [i.built.order, i.built.byStatus, i.built.rows, i.live.order, i.live.byStatus, i.live.rows, i.metaKey, i.lockKey],
    args: [i.mode, i.token, i.metaJson, i.ttlMs],
  }),
  decode: (reply) => intReply('snapshot-commit.lua', reply, 0, 1) === 1,
});
