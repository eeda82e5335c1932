/**
 * Shard leases (shard-leases.ts) on one SQL store: claims take only free or expired shards and
 * bump the epoch, renewals report what was lost, a release hands the next claim epoch + 1. Runs
 * on PGlite (unit tier) and PostgreSQL (int tier).
 */
import { beforeEach, describe, expect, it } from 'vitest';
import type { Db } from './db.ts';
import { ShardLeases } from './shard-leases.ts';

const longTtlMs = 60_000;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export async function emptyClusterTables(db: Db): Promise<void> {
  await db.query('TRUNCATE shard_leases, cluster_nodes');
}

export function describeShardLeasesContract(name: string, dbOf: () => Db): void {
  describe(`Shard leases: ${name}`, () => {
    let db: Db;
    let leases: ShardLeases;

    beforeEach(async () => {
      db = dbOf();
      await emptyClusterTables(db);
      leases = new ShardLeases(db);
    });

    describeLeases(() => leases, () => db);
  });
}

function describeLeases(leasesOf: () => ShardLeases, dbOf: () => Db): void {
  it('claims only free or expired shards, each with a new epoch, and shows who holds what', async () => {
    const leases = leasesOf();
    expect(await leases.claim([3, 1, 2, 1], 'node-a', 'http://a', longTtlMs)).toEqual(new Map([[1, 1], [2, 1], [3, 1]]));
    expect(await leases.claim([2, 3, 4], 'node-b', 'http://b', longTtlMs)).toEqual(new Map([[4, 1]]));
    // A node claiming what it already holds gets nothing new either: its epoch stays.
    expect(await leases.claim([1], 'node-a', 'http://a', longTtlMs)).toEqual(new Map());
    const shown = await leases.leases();
    expect(shown.map(({ shard, epoch, owner, address, live }) => ({ shard, epoch, owner, address, live }))).toEqual([
      { shard: 1, epoch: 1, owner: 'node-a', address: 'http://a', live: true },
      { shard: 2, epoch: 1, owner: 'node-a', address: 'http://a', live: true },
      { shard: 3, epoch: 1, owner: 'node-a', address: 'http://a', live: true },
      { shard: 4, epoch: 1, owner: 'node-b', address: 'http://b', live: true },
    ]);
    const [{ now_ms: nowMs } = { now_ms: 0 }] = await dbOf().query<{ now_ms: number }>('SELECT floor(extract(epoch FROM now()) * 1000)::bigint AS now_ms');
    // The expiry is the database's now() plus the TTL.
    expect(Math.abs((shown[0]?.expiresAtMs ?? 0) - (Number(nowMs) + longTtlMs))).toBeLessThan(5_000);
  });

  it('lets another node take an expired shard with epoch + 1, and the old owner\'s renewal reports it lost', async () => {
    const leases = leasesOf();
    const held = await leases.claim([5, 6], 'node-a', 'http://a', 1);
    await sleep(20);
    expect(await leases.claim([5], 'node-b', 'http://b', longTtlMs)).toEqual(new Map([[5, 2]]));
    // Shard 6 expired too, and nobody took it: the renewal still reports it lost, since the node
    // may not go on serving past its lease; it claims again instead.
    expect(await leases.renew('node-a', held, longTtlMs)).toEqual({ renewed: [], lost: [5, 6] });
    expect(await leases.claim([6], 'node-a', 'http://a', longTtlMs)).toEqual(new Map([[6, 2]]));
  });

  it('renews every lease still held at its epoch in one statement and reports the rest lost', async () => {
    const leases = leasesOf();
    const held = await leases.claim([1, 2, 3], 'node-a', 'http://a', 2_000);
    const before = await leases.leases();
    await sleep(5);
    await dbOf().query('DELETE FROM shard_leases WHERE shard = 3');
    const renewal = await leases.renew('node-a', new Map([...held, [2, 7], [9, 1]]), longTtlMs);
    // 2 is held at epoch 1, not 7; 3's row is gone; 9 was never claimed.
    expect(renewal).toEqual({ renewed: [1], lost: [2, 3, 9] });
    const after = await leases.leases();
    expect(after[0]?.expiresAtMs ?? 0).toBeGreaterThan((before[0]?.expiresAtMs ?? 0) + 50_000);
    expect(after[1]?.expiresAtMs).toBe(before[1]?.expiresAtMs);
    expect(await leases.renew('node-b', held, longTtlMs)).toEqual({ renewed: [], lost: [1, 2, 3] });
    expect(await leases.renew('node-a', new Map(), longTtlMs)).toEqual({ renewed: [], lost: [] });
  });

  it('releases a node\'s own shards only, and the next claim gets epoch + 1', async () => {
    const leases = leasesOf();
    await leases.claim([1, 2], 'node-a', 'http://a', longTtlMs);
    expect(await leases.release('node-b', [1, 2])).toEqual([]);
    expect(await leases.release('node-a', [2, 1, 8])).toEqual([1, 2]);
    expect((await leases.leases()).map(({ shard, epoch, owner, expiresAtMs, live }) => ({ shard, epoch, owner, expiresAtMs, live }))).toEqual([
      { shard: 1, epoch: 1, owner: null, expiresAtMs: null, live: false },
      { shard: 2, epoch: 1, owner: null, expiresAtMs: null, live: false },
    ]);
    expect(await leases.claim([1, 2], 'node-b', 'http://b', longTtlMs)).toEqual(new Map([[1, 2], [2, 2]]));
  });

  it('lists the nodes whose heartbeat has not expired, and drops one that leaves', async () => {
    const leases = leasesOf();
    await leases.heartbeat('node-b', 'http://b', longTtlMs);
    await leases.heartbeat('node-a', 'http://a-old', longTtlMs);
    await leases.heartbeat('node-a', 'http://a', longTtlMs);
    await leases.heartbeat('node-c', 'http://c', 1);
    await sleep(20);
    expect(await leases.liveNodes()).toEqual([{ node: 'node-a', address: 'http://a' }, { node: 'node-b', address: 'http://b' }]);
    await leases.leave('node-a');
    expect(await leases.liveNodes()).toEqual([{ node: 'node-b', address: 'http://b' }]);
  });

  it('refuses a TTL, shard or node name that cannot be right', async () => {
    const leases = leasesOf();
    await expect(leases.claim([1], 'node-a', 'http://a', 0)).rejects.toThrow(RangeError);
    await expect(leases.claim([-1], 'node-a', 'http://a', 1_000)).rejects.toThrow(RangeError);
    await expect(leases.renew('', new Map([[1, 1]]), 1_000)).rejects.toThrow(TypeError);
  });
}
