/**
 * Shard leases (shard-leases.ts) and the journal's fence (sql-journal.ts, ShardFence) on one SQL
 * store: claims take only free or expired shards and bump the epoch, renewals report what was
 * lost, a release hands the next claim epoch + 1, and a batch is written only under the epochs
 * its writer still holds, numbering each shard's rows without a gap. Runs on PGlite (unit tier)
 * and PostgreSQL (int tier); what needs two sessions at once (a takeover waiting for a batch in
 * flight) is in shard-fence.int.test.ts.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { shardOf } from '../cluster/shards.ts';
import type { Db } from './db.ts';
import type { JournalEntry, ShardFence } from './journal.ts';
import { BatchRefused } from './journal.ts';
import { ShardLeases } from './shard-leases.ts';
import { SqlJournal } from './sql-journal.ts';

export const shardCount = 16;
const longTtlMs = 60_000;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** `count` keys of `prefix` that all hash to `shard`. */
export function keysOnShard(shard: number, count: number, prefix = 'wallet:'): string[] {
  const keys: string[] = [];
  for (let index = 0; keys.length < count; index += 1) if (shardOf(`${prefix}${index}`, shardCount) === shard) keys.push(`${prefix}${index}`);
  return keys;
}

export function entry(key: string, seq: number): JournalEntry {
  return { key, seq, events: [{ type: 'Fenced', seq }], commandId: `${key}-${seq}`, at: 1_767_225_600_000 + seq };
}

export function fenceOf(epochs: ReadonlyMap<number, number>): ShardFence {
  return { shardCount, epochs };
}

export async function refusalOf(attempt: Promise<unknown>): Promise<string | null> {
  const error: unknown = await attempt.then(() => null, (refused: unknown) => refused);
  if (error === null) return null;
  if (error instanceof BatchRefused) return error.reason;
  throw error;
}

export async function shardRows(db: Db): Promise<string[]> {
  const rows = await db.query<{ key: string; seq: number; shard: number | null; epoch: number | null; shard_seq: number | null }>(
    'SELECT key, seq, shard, epoch, shard_seq FROM journal ORDER BY position',
  );
  return rows.map((row) => `${row.key}#${row.seq} ${row.shard}@${row.epoch}/${row.shard_seq}`);
}

export async function emptyClusterTables(db: Db): Promise<void> {
  await db.query('TRUNCATE journal, shard_leases, cluster_nodes');
}

export function describeShardLeasesContract(name: string, dbOf: () => Db): void {
  describe(`Shard leases and the journal fence: ${name}`, () => {
    let db: Db;
    let leases: ShardLeases;

    beforeEach(async () => {
      db = dbOf();
      await emptyClusterTables(db);
      leases = new ShardLeases(db);
    });

    describeLeases(() => leases, () => db);
    describeFence(() => leases, () => db);
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

  it('shows operators every node with its heartbeat age on the database clock, an expired one as not live', async () => {
    const leases = leasesOf();
    await leases.heartbeat('node-b', 'http://b', longTtlMs);
    await leases.heartbeat('node-c', 'http://c', 1);
    await sleep(30);
    const nodes = await leases.nodes();
    expect(nodes.map(({ node, address, live }) => ({ node, address, live }))).toEqual([
      { node: 'node-b', address: 'http://b', live: true },
      { node: 'node-c', address: 'http://c', live: false },
    ]);
    for (const node of nodes) {
      expect(node.heartbeatAgeMs).toBeGreaterThanOrEqual(20);
      expect(node.heartbeatAgeMs).toBeLessThan(5_000);
    }
    const [{ now_ms: nowMs } = { now_ms: 0 }] = await dbOf().query<{ now_ms: number }>('SELECT floor(extract(epoch FROM now()) * 1000)::bigint AS now_ms');
    expect(Math.abs((await leases.databaseNowMs()) - Number(nowMs))).toBeLessThan(5_000);
  });

  it('refuses a TTL, shard or node name that cannot be right', async () => {
    const leases = leasesOf();
    await expect(leases.claim([1], 'node-a', 'http://a', 0)).rejects.toThrow(RangeError);
    await expect(leases.claim([-1], 'node-a', 'http://a', 1_000)).rejects.toThrow(RangeError);
    await expect(leases.renew('', new Map([[1, 1]]), 1_000)).rejects.toThrow(TypeError);
  });
}

function describeFence(leasesOf: () => ShardLeases, dbOf: () => Db): void {
  const journalOf = () => new SqlJournal(dbOf(), { batching: true, maxBatch: 500, maxWaitMs: 0 });

  it('writes a fenced batch with shard, epoch and a per-shard seq that runs on without gaps across batches', async () => {
    const journal = journalOf();
    const epochs = await leasesOf().claim([2, 5], 'node-a', 'http://a', longTtlMs);
    const [first, second] = keysOnShard(2, 2);
    const [other = ''] = keysOnShard(5, 1);
    const fence = fenceOf(epochs);
    await journal.commit([entry(first ?? '', 1), entry(other, 1), entry(first ?? '', 2)], [], fence);
    // A refused batch in between leaves no hole in shard 2's numbering.
    expect(await refusalOf(journal.commit([entry(second ?? '', 1), entry(first ?? '', 2)], [], fence))).toBe('conflict');
    await journal.commit([entry(second ?? '', 1), entry(other, 2)], [], fence);
    // An unfenced batch (single-node mode) records no shard.
    await journal.commit([entry('wallet:unfenced', 1)]);
    expect(await shardRows(dbOf())).toEqual([
      `${first}#1 2@1/1`,
      `${other}#1 5@1/1`,
      `${first}#2 2@1/2`,
      `${second}#1 2@1/3`,
      `${other}#2 5@1/2`,
      'wallet:unfenced#1 null@null/null',
    ]);
    await journal.close();
  });

  it('refuses a batch as fenced, writing nothing, once another node took a shard it writes', async () => {
    const journal = journalOf();
    const leases = leasesOf();
    const epochs = await leases.claim([2, 5], 'node-a', 'http://a', 1);
    const [onTwo = ''] = keysOnShard(2, 1);
    const [onFive = ''] = keysOnShard(5, 1);
    await sleep(20);
    expect(await leases.claim([5], 'node-b', 'http://b', longTtlMs)).toEqual(new Map([[5, 2]]));
    const head = await journal.headPosition();
    expect(await refusalOf(journal.commit([entry(onTwo, 1), entry(onFive, 1)], [], fenceOf(epochs)))).toBe('fenced');
    expect(await journal.headPosition()).toBe(head);
    expect(await shardRows(dbOf())).toEqual([]);
    // The new owner writes under its own epoch.
    await journal.commit([entry(onFive, 1)], [], fenceOf(new Map([[5, 2]])));
    // The old owner's stale rows would also conflict with the new owner's; the fence is still
    // what refuses them, so its caller is sent on to the new owner rather than told to reload.
    expect(await refusalOf(journal.commit([entry(onFive, 1)], [], fenceOf(epochs)))).toBe('fenced');
    expect(await shardRows(dbOf())).toEqual([`${onFive}#1 5@2/1`]);
    await journal.close();
  });

  it('refuses as fenced a batch writing a shard released or never leased, and lets a batch of guards through', async () => {
    const journal = journalOf();
    const leases = leasesOf();
    const epochs = await leases.claim([2], 'node-a', 'http://a', longTtlMs);
    const [onTwo = ''] = keysOnShard(2, 1);
    const [onThree = ''] = keysOnShard(3, 1);
    expect(await refusalOf(journal.commit([entry(onThree, 1)], [], fenceOf(epochs)))).toBe('fenced');
    await leases.release('node-a', [2]);
    expect(await refusalOf(journal.commit([entry(onTwo, 1)], [], fenceOf(epochs)))).toBe('fenced');
    // Guards write nothing, so they check seqs only, whoever holds the shard.
    expect(await journal.commit([], [{ key: onTwo, seq: 0 }], fenceOf(epochs))).toEqual([]);
    expect(await refusalOf(journal.commit([], [{ key: onTwo, seq: 1 }], fenceOf(epochs)))).toBe('conflict');
    expect(await shardRows(dbOf())).toEqual([]);
    await journal.close();
  });
}
