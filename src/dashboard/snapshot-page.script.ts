import { type Result } from 'ioredis';
import { composeLua, ReplyReader, RedisScript } from '../redis/redis-script.js';

declare module 'ioredis' {
  interface RedisCommander<Context> {
    slDashPage(numKeys: number, ...keysAndArgs: (string | number)[]): Result<unknown, Context>;
  }
}

export interface SnapshotPageInput {
  metaKey: string;
  /** The risk order, or the status order for a filtered page. */
  orderKey: string;
  rowsKey: string;
  lexMin: string;
  lexMax: string;
  count: number;
}

export interface SnapshotPageReply {
  /** The snapshot's meta JSON; null when there is no snapshot (then no entries). */
  meta: string | null;
  /** Sort key and row JSON (null when the row is gone), in order. */
  entries: { key: string; row: string | null }[];
}

/** One page of a workspace's overview snapshot, read atomically with its meta (snapshot-page.lua). */
export const SNAPSHOT_PAGE_SCRIPT = new RedisScript<SnapshotPageInput, SnapshotPageReply>({
  command: 'slDashPage',
  lua: composeLua(new URL('./snapshot-page.lua', import.meta.url)),
  encode: (i) => ({ keys: [i.metaKey, i.orderKey, i.rowsKey], args: [i.lexMin, i.lexMax, i.count] }),
  decode: (reply, input) => {
    const r: ReplyReader = new ReplyReader('snapshot-page.lua', reply);
    const meta = r.strOrNull('meta');
    if (meta === null) {
      r.end();
      return { meta, entries: [] };
    }
    if (r.left % 2 !== 0 || r.left / 2 > input.count) r.fail(`${r.left} values after the meta: expected at most ${input.count} key/row pairs`);
    const entries: SnapshotPageReply['entries'] = [];
    while (r.left > 0) entries.push({ key: r.str('sort key'), row: r.strOrNull('row') });
    return { meta, entries };
  },
});
