import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { type Redis } from 'ioredis';
import { COOLDOWN_MIRROR_SCRIPT } from '../../src/cooldowns/cooldown-mirror.script.js';
import { ACTIVITY_SCRIPT } from '../../src/dashboard/activity.script.js';
import { SNAPSHOT_COMMIT_SCRIPT, type SnapshotCommitInput } from '../../src/dashboard/snapshot-commit.script.js';
import { SNAPSHOT_PAGE_SCRIPT } from '../../src/dashboard/snapshot-page.script.js';
import { USAGE_SCRIPT } from '../../src/dashboard/usage.script.js';
import { ScriptReplyError } from '../../src/redis/redis-script.js';
import { httpStatusOf, scriptRedis, seedWindow, testKeys, thrown } from './script-test-kit.js';

const T0 = Date.UTC(2026, 0, 5, 12);
const HOUR = 3_600_000;

let redis: Redis;
beforeAll(() => {
  redis = scriptRedis();
});
afterAll(async () => {
  await redis.quit();
});

async function expect500(fn: () => unknown): Promise<void> {
  const e = await thrown(fn);
  expect(e).toBeInstanceOf(ScriptReplyError);
  expect(httpStatusOf(e)).toMatchObject({ status: 500, errorId: expect.stringMatching(/^[0-9a-f-]{36}$/) });
}

describe('cooldown-mirror.lua through COOLDOWN_MIRROR_SCRIPT', () => {
  it('sets, expires and deletes every mirror of an identity in one call', async () => {
    const k = testKeys();
    await redis.set(k('cd:old'), 'stale');
    const held = await COOLDOWN_MIRROR_SCRIPT.run(redis, {
      mirrors: [
        { key: k('cd'), value: '{"id":"a"}', pttlMs: 60_000 },
        { key: k('cd:L1'), value: '{"id":"b"}', pttlMs: null },
        { key: k('cd:old'), value: null, pttlMs: null },
      ],
    });
    expect(held).toBe(2);
    expect(await redis.get(k('cd'))).toBe('{"id":"a"}');
    expect(await redis.pttl(k('cd'))).toBeGreaterThan(0);
    expect(await redis.pttl(k('cd:L1'))).toBe(-1);
    expect(await redis.exists(k('cd:old'))).toBe(0);
  });

  it('rejects a count beyond the keys it was given', async () => {
    await expect500(() => COOLDOWN_MIRROR_SCRIPT.decode(3, { mirrors: [{ key: 'k', value: null, pttlMs: null }] }));
  });
});

describe('activity.lua through ACTIVITY_SCRIPT', () => {
  it('counts units per bucket and marks buckets older than a window as unknown', async () => {
    const k = testKeys();
    await seedWindow(redis, k('m'), k('w0'), 2 * HOUR, T0, [
      { t: T0 - 30 * 60_000, member: 'a' },
      { t: T0 - 10 * 60_000, member: 'b' },
      { t: T0 - 9 * 60_000, member: 'c' },
    ]);
    const input = {
      nowMs: T0,
      spanMs: 2 * HOUR,
      bucketMs: HOUR,
      limits: [
        { windowKey: k('w0'), windowMs: 2 * HOUR },
        { windowKey: k('w1'), windowMs: HOUR },
      ],
    };
    expect(await ACTIVITY_SCRIPT.run(redis, input)).toEqual({
      nowMs: T0,
      counts: [
        [0, 3],
        [null, 0],
      ],
    });
    await expect500(() => ACTIVITY_SCRIPT.decode([T0, 0, 3, -1], input));
    await expect500(() => ACTIVITY_SCRIPT.decode([T0, 0, 3, -3, 0], input));
  });
});

describe('usage.lua through USAGE_SCRIPT', () => {
  it('answers, per identity and limit, what is used and when one more fits (-1 now, -2 never)', async () => {
    const k = testKeys();
    await seedWindow(redis, k('m'), k('a0'), HOUR, T0, [
      { t: T0 - 1000, member: 'x' },
      { t: T0 - 500, member: 'y' },
    ]);
    const input = {
      nowMs: T0,
      windowsMs: [HOUR, HOUR],
      identities: [
        [
          { windowKey: k('a0'), max: 2 },
          { windowKey: k('a1'), max: 0 },
        ],
        [
          { windowKey: k('b0'), max: 2 },
          { windowKey: k('b1'), max: 5 },
        ],
      ],
    };
    expect(await USAGE_SCRIPT.run(redis, input)).toEqual({
      nowMs: T0,
      identities: [
        [
          { consumed: 2, availableAtMs: T0 - 1000 + HOUR },
          { consumed: 0, availableAtMs: null },
        ],
        [
          { consumed: 0, availableAtMs: T0 },
          { consumed: 0, availableAtMs: T0 },
        ],
      ],
    });
    await expect500(() => USAGE_SCRIPT.decode([T0, 2, T0, 0, -2, 0, T0, 0], input));
    await expect500(() => USAGE_SCRIPT.decode([T0, 2, T0, 0, -2, 0, T0, 0, -1], input));
  });
});

describe('snapshot-page.lua and snapshot-commit.lua', () => {
  it('publishes a built snapshot only while the lock is the builder’s, then pages it with its meta', async () => {
    const k = testKeys();
    const commit = (token: string, mode: SnapshotCommitInput['mode'] = 'commit'): Promise<boolean> =>
      SNAPSHOT_COMMIT_SCRIPT.run(redis, {
        built: { order: k('b:order'), byStatus: k('b:by-status'), rows: k('b:rows') },
        live: { order: k('order'), byStatus: k('by-status'), rows: k('rows') },
        metaKey: k('meta'),
        lockKey: k('lock'),
        mode,
        token,
        metaJson: '{"built_at":1}',
        ttlMs: 60_000,
      });
    const page = { metaKey: k('meta'), orderKey: k('order'), rowsKey: k('rows'), lexMin: '-', lexMax: '+', count: 10 };
    expect(await SNAPSHOT_PAGE_SCRIPT.run(redis, page)).toEqual({ meta: null, entries: [] });
    await redis.zadd(k('b:order'), 0, '000001|id-1', 0, '000002|id-2');
    await redis.hset(k('b:rows'), 'id-1', '{"id":"id-1"}');
    await redis.set(k('lock'), 'mine');
    expect(await commit('theirs')).toBe(false);
    expect(await redis.get(k('lock'))).toBe('mine');
    await redis.zadd(k('b:order'), 0, '000001|id-1', 0, '000002|id-2');
    await redis.hset(k('b:rows'), 'id-1', '{"id":"id-1"}');
    expect(await commit('mine')).toBe(true);
    expect(await redis.exists(k('lock'))).toBe(0);
    expect(await SNAPSHOT_PAGE_SCRIPT.run(redis, page)).toEqual({
      meta: '{"built_at":1}',
      entries: [
        { key: '000001|id-1', row: '{"id":"id-1"}' },
        { key: '000002|id-2', row: null },
      ],
    });
    await expect500(() => SNAPSHOT_COMMIT_SCRIPT.decode(2, {} as SnapshotCommitInput));
    await expect500(() => SNAPSHOT_PAGE_SCRIPT.decode(['{}', 'key-without-row'], page));
    await expect500(() => SNAPSHOT_PAGE_SCRIPT.decode([null, 'k', 'r'], page));
  });
});
