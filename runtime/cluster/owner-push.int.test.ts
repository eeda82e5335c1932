/**
 * Pushed ownership changes (issue #16) on a real PostgreSQL server (DATABASE_URL), in a fresh
 * database of their own (NOTIFY channels are database-wide): three cluster nodes, 16 shards,
 * leases of 60 s, so a round runs only every 15 s and cannot explain anything this test sees.
 * Node a holds every shard; when it stops cleanly, its release is pushed to b and c (LISTEN/
 * NOTIFY), which claim the shards placed on them at once, and each one's claim is pushed to the
 * other: within a second or so both caches name the new owner of every shard. A claim alone (a
 * node outside the test's three takes a freed shard) re-reads the other caches just as fast.
 */
import { performance } from 'node:perf_hooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../../persistence/adapters/db.ts';
import { migrate } from '../../persistence/adapters/migrate.ts';
import { openPostgres } from '../../persistence/adapters/pg.ts';
import { ShardLeases } from '../../persistence/adapters/shard-leases.ts';
import { createFreshDatabase, type FreshDatabase } from '../../persistence/adapters/testing/fresh-database.ts';
import { shardOf } from '../../persistence/cluster/shards.ts';
import { silentLogger } from '../logger.ts';
import { eventually } from '../testing/controlled-journal.ts';
import { ClusterNode } from './cluster-node.ts';

const databaseUrl = process.env['DATABASE_URL'] ?? '';
if (databaseUrl === '') console.warn('owner-push.int.test.ts skipped: DATABASE_URL is not set (CI sets postgres://postgres@127.0.0.1:5432/test)');

const shardCount = 16;
const leaseTtlMs = 60_000;
const roundMs = leaseTtlMs / 4;

/** A key in each shard, to ask a node's cache about that shard. */
const keyOf = (shard: number): string => {
  for (let index = 0; ; index += 1) if (shardOf(`wallet:k${index}`, shardCount) === shard) return `wallet:k${index}`;
};
const shards = Array.from({ length: shardCount }, (_, shard) => shard);

describe.skipIf(databaseUrl === '')('ownership changes pushed between nodes', () => {
  let database: FreshDatabase;
  const pools: Db[] = [];

  const startNode = async (node: string): Promise<ClusterNode> => {
    const db = await openPostgres(database.url, { max: 2 });
    pools.push(db);
    const cluster = new ClusterNode({ node, address: `http://${node}:3001`, shardCount, leaseTtlMs, leases: new ShardLeases(db), logger: silentLogger });
    // Nothing resident to flush or drop: this test is about leases and caches.
    cluster.attach({ flush: async () => undefined, dropShards: () => 0 });
    await cluster.start();
    return cluster;
  };

  beforeAll(async () => {
    database = await createFreshDatabase(databaseUrl, 'owner_push');
    const db = await openPostgres(database.url, { max: 1 });
    pools.push(db);
    await migrate(db);
  }, 30_000);

  afterAll(async () => {
    for (const db of pools) await db.close().catch(() => undefined);
    await database?.drop();
  });

  it('moves a stopped node\'s shards and every cache to the new owners at once, not at the next round', { timeout: 30_000 }, async () => {
    const a = await startNode('a');
    expect(a.ownedShards()).toEqual(shards);
    const startedAt = performance.now();
    const b = await startNode('b');
    const c = await startNode('c');
    // a holds every lease unexpired: b and c claimed nothing, and their caches name a.
    expect([...b.ownedShards(), ...c.ownedShards()]).toEqual([]);
    expect(shards.every((shard) => b.ownerOf(keyOf(shard))?.node === 'a')).toBe(true);

    await a.stop();
    const stoppedAt = performance.now();
    const settled = () =>
      b.ownedShards().length + c.ownedShards().length === shardCount &&
      b.ownedShards().length > 0 &&
      c.ownedShards().length > 0 &&
      [b, c].every((viewer) => shards.every((shard) => viewer.ownerOf(keyOf(shard))?.node === ([b, c].find((owner) => owner.ownedShards().includes(shard))?.node ?? '')));
    await eventually(settled, 5_000, 'b and c own every shard and both caches name the owners');
    const movedMs = performance.now() - stoppedAt;
    console.info(`owner-push.int.test: a clean stop's shards claimed and both caches updated ${movedMs.toFixed(0)} ms after it (rounds every ${roundMs} ms)`);
    // No round of b or c ran meanwhile: their first ran at their start, the next is a TTL/4 later.
    expect(performance.now() - startedAt).toBeLessThan(roundMs);
    expect(b.stats().ownerPushes).toBeGreaterThanOrEqual(1);
    expect(c.stats().ownerPushes).toBeGreaterThanOrEqual(1);
    // Every shard a held was claimed at epoch 2 by exactly one of b and c.
    expect(b.stats().claims + c.stats().claims).toBe(shardCount);
    expect(shards.every((shard) => [b, c].some((owner) => owner.heldEpochOf(keyOf(shard)) === 2))).toBe(true);


    // A claim is pushed as well: c's shard freed by hand, then taken by a node x of its own.
    const [moved] = c.ownedShards();
    if (moved === undefined) throw new Error('c owns no shard');
    const pushesBefore = b.stats().ownerPushes;
    const outsider = new ShardLeases(pools[0] as Db);
    expect(await outsider.release('c', [moved])).toEqual([moved]);
    expect([...(await outsider.claim([moved], 'x', 'http://x:3001', leaseTtlMs)).keys()]).toEqual([moved]);
    const claimedAt = performance.now();
    await eventually(() => [b, c].every((viewer) => viewer.ownerOf(keyOf(moved))?.node === 'x'), 5_000, 'both caches name x');
    console.info(`owner-push.int.test: another node's claim reached both caches ${(performance.now() - claimedAt).toFixed(0)} ms after it`);
    expect(b.stats().ownerPushes - pushesBefore).toBeGreaterThanOrEqual(2);
    expect(performance.now() - startedAt).toBeLessThan(roundMs);

    await b.stop();
    await c.stop();
  });
});
