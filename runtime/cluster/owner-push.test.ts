/**
 * How a cluster node takes pushed ownership changes (cluster-node.ts), on PGlite with the
 * notifications delivered by hand (PGlite has no LISTEN/NOTIFY): many claims heard at once make
 * one cache read, which follows a read already in flight; many releases make one round; its own
 * changes and payloads that are not changes are ignored; a stopped node stops listening.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../../persistence/adapters/db.ts';
import { parseOwnerChange, ShardLeases, shardOwnersChannel } from '../../persistence/adapters/shard-leases.ts';
import { silentLogger } from '../logger.ts';
import { eventually } from '../testing/controlled-journal.ts';
import { openHarness, type Harness } from '../testing/harness.ts';
import { ClusterNode } from './cluster-node.ts';

let harness: Harness;
beforeAll(async () => {
  harness = await openHarness();
});
afterAll(async () => harness.close());

/** The harness's Db, with a `listen` the test delivers to, counting lease reads and renewals. */
function listeningDb(inner: Db) {
  const counts = { leaseReads: 0, renewals: 0, listening: 0 };
  let deliver: ((payload: string) => void) | null = null;
  const db: Db = {
    ...inner,
    query: (sql, params) => {
      if (sql.includes('FROM shard_leases ORDER BY shard')) counts.leaseReads += 1;
      if (sql.includes('h(shard, epoch)')) counts.renewals += 1;
      return inner.query(sql, params);
    },
    listen: async (channel, onNotify) => {
      expect(channel).toBe(shardOwnersChannel);
      counts.listening += 1;
      deliver = onNotify;
      return async () => {
        counts.listening -= 1;
        deliver = null;
      };
    },
  };
  return { db, counts, push: (payload: string) => deliver?.(payload) };
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 100));

describe('parseOwnerChange', () => {
  it('reads `<change>:<node>` and nothing else', () => {
    expect(parseOwnerChange('claim:a')).toEqual({ change: 'claim', node: 'a' });
    expect(parseOwnerChange('release:node:2')).toEqual({ change: 'release', node: 'node:2' });
    for (const payload of ['', 'claim', 'claim:', ':a', 'renew:a', 'CLAIM:a']) expect(parseOwnerChange(payload)).toBeNull();
  });
});

describe('a cluster node hearing ownership changes', () => {
  it('coalesces claims into one cache read and releases into one round, ignoring its own', { timeout: 30_000 }, async () => {
    await harness.db.query('TRUNCATE shard_leases, cluster_nodes');
    const { db, counts, push } = listeningDb(harness.db);
    // Rounds every 15 s: none runs during this test but the first.
    const node = new ClusterNode({ node: 'me', address: 'http://me:3001', shardCount: 16, leaseTtlMs: 60_000, leases: new ShardLeases(db), logger: silentLogger });
    node.attach({ flush: async () => undefined, dropShards: () => 0 });
    await node.start();
    expect(counts.listening).toBe(1);
    expect(node.ownedShards()).toHaveLength(16);
    const start = { ...counts };

    for (let index = 0; index < 5; index += 1) push(`claim:x${index}`);
    await eventually(() => counts.leaseReads === start.leaseReads + 1, 2_000, 'one cache read');
    await settle();
    expect(counts.leaseReads).toBe(start.leaseReads + 1);
    expect(counts.renewals).toBe(start.renewals);
    expect(node.stats().ownerPushes).toBe(5);

    // Its own changes, and what is not a change, cost nothing.
    for (const payload of ['claim:me', 'release:me', 'hello', 'claim:']) push(payload);
    await settle();
    expect(counts.leaseReads).toBe(start.leaseReads + 1);
    expect(node.stats().ownerPushes).toBe(5);

    // A read already in flight may predate the change: the pushed read follows it.
    const inFlight = node.refreshOwners();
    push('claim:y');
    await inFlight;
    await eventually(() => counts.leaseReads === start.leaseReads + 3, 2_000, 'the read in flight, then the pushed one');

    for (let index = 0; index < 3; index += 1) push(`release:z${index}`);
    await eventually(() => counts.renewals === start.renewals + 1, 2_000, 'one round');
    await settle();
    expect(counts.renewals).toBe(start.renewals + 1);
    // The round ends with its own cache read.
    expect(counts.leaseReads).toBe(start.leaseReads + 4);

    await node.stop();
    expect(counts.listening).toBe(0);
    push('claim:late');
    await settle();
    expect(node.stats().ownerPushes).toBe(9);
  });
});
