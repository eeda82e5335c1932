/**
 * The fence of issue #16 on a real PostgreSQL server (DATABASE_URL), with two pools standing for
 * two nodes: an old owner whose batch holds its shard's lease row FOR SHARE blocks the takeover
 * until that batch commits, and its next batch is refused as fenced; a node paused inside a
 * transaction loses its session at half a lease, so it cannot hold a shard hostage; expiry is
 * judged on the database's clock, whatever the node's clock says.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Db } from './db.ts';
import { migrate } from './migrate.ts';
import type { PostgresOptions } from './pg.ts';
import { openPostgres } from './pg.ts';
import { clusterSessionTimeouts, ShardLeases } from './shard-leases.ts';
import { emptyClusterTables, entry, fenceOf, keysOnShard, refusalOf, shardRows } from './shard-leases.contract.ts';
import { SqlJournal } from './sql-journal.ts';

const databaseUrl = process.env['DATABASE_URL'] ?? '';
if (databaseUrl === '') {
  console.warn('shard-fence.int.test.ts skipped: DATABASE_URL is not set (CI sets postgres://postgres@127.0.0.1:5432/test)');
}

const longTtlMs = 60_000;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const journalOn = (db: Db) => new SqlJournal(db, { batching: true, maxBatch: 500, maxWaitMs: 0 });

/** A promise and whether it has settled yet. */
function watched<T>(promise: Promise<T>): { promise: Promise<T>; settled: () => boolean } {
  let settled = false;
  const tracked = promise.finally(() => {
    settled = true;
  });
  return { promise: tracked, settled: () => settled };
}

/** A gate a test opens by hand. */
function gate(): { wait: Promise<void>; open: () => void } {
  let open = () => {};
  const wait = new Promise<void>((resolve) => (open = resolve));
  return { wait, open };
}

/**
 * A node's batch in flight: the fenced commit runs inside a transaction that stays open until
 * `release.open()`, so its FOR SHARE locks are held as a slow COMMIT would hold them. Resolves
 * `written` once the statement ran (the locks are taken).
 */
function batchHeldOpen(db: Db, run: (journal: SqlJournal) => Promise<unknown>) {
  const release = gate();
  const written = gate();
  const done = db.transaction(async (tx) => {
    const journal = journalOn(tx);
    await run(journal);
    written.open();
    await release.wait;
    await journal.close();
  });
  return { written: written.wait, release: release.open, done };
}

describe.skipIf(databaseUrl === '')('Shard fence on PostgreSQL, two nodes', () => {
  const schema = `test_fence_${randomUUID().slice(0, 8)}`;
  const opened: Db[] = [];
  let setup: Db;

  const node = async (options: PostgresOptions = {}) => {
    const db = await openPostgres(databaseUrl, { schema, max: 2, ...options });
    opened.push(db);
    return db;
  };

  beforeAll(async () => {
    setup = await openPostgres(databaseUrl, { schema, max: 1 });
    await migrate(setup);
  });

  beforeEach(async () => emptyClusterTables(setup));

  afterEach(async () => {
    vi.useRealTimers();
    await Promise.all(opened.splice(0).map((db) => db.close()));
  });

  afterAll(async () => {
    await setup.query(`DROP SCHEMA ${schema} CASCADE`);
    await setup.close();
  });

  it('blocks the takeover while the old owner\'s batch holds FOR SHARE, then refuses the old owner\'s next batch as fenced', async () => {
    const [oldOwner, newOwner] = [await node(), await node()];
    const [first = '', second = ''] = keysOnShard(2, 2);
    const epochs = await new ShardLeases(oldOwner).claim([2], 'node-a', 'http://a', 300);
    expect(epochs).toEqual(new Map([[2, 1]]));

    const batch = batchHeldOpen(oldOwner, (journal) => journal.commit([entry(first, 1)], [], fenceOf(epochs)));
    await batch.written;
    await sleep(400); // the lease has expired on the database's clock; the batch is still open
    const takeover = watched(new ShardLeases(newOwner).claim([2], 'node-b', 'http://b', longTtlMs));
    await sleep(500);
    expect(takeover.settled()).toBe(false);

    batch.release();
    await batch.done;
    expect(await takeover.promise).toEqual(new Map([[2, 2]]));

    // The batch that committed before the takeover stands; the old owner's next one is refused.
    const oldJournal = journalOn(oldOwner);
    const head = await oldJournal.headPosition();
    expect(await refusalOf(oldJournal.commit([entry(second, 1)], [], fenceOf(epochs)))).toBe('fenced');
    expect(await oldJournal.headPosition()).toBe(head);
    expect(await shardRows(setup)).toEqual([`${first}#1 2@1/1`]);
    expect(await new ShardLeases(oldOwner).renew('node-a', epochs, longTtlMs)).toEqual({ renewed: [], lost: [2] });

    // The new owner goes on from the old owner's last row, on shard 2's sequence too.
    const newJournal = journalOn(newOwner);
    await newJournal.commit([entry(first, 2), entry(second, 1)], [], fenceOf(new Map([[2, 2]])));
    expect(await shardRows(setup)).toEqual([`${first}#1 2@1/1`, `${first}#2 2@2/2`, `${second}#1 2@2/3`]);
    await Promise.all([oldJournal.close(), newJournal.close()]);
  });

  it('ends a node\'s session left idle in a transaction after half a lease, so its shard cannot be held hostage', async () => {
    const stalled = await node({ sessionTimeouts: clusterSessionTimeouts(1_000) });
    const claimant = await node({ sessionTimeouts: clusterSessionTimeouts(4_000) });
    const [key = ''] = keysOnShard(4, 1);
    const epochs = await new ShardLeases(stalled).claim([4], 'node-a', 'http://a', 100);
    // The batch's transaction is never released: the node stands paused before its COMMIT.
    const batch = batchHeldOpen(stalled, (journal) => journal.commit([entry(key, 1)], [], fenceOf(epochs)));
    const abandoned = batch.done.then(() => 'committed', () => 'ended by the server');
    await batch.written;
    await sleep(150);
    const started = performance.now();
    expect(await new ShardLeases(claimant).claim([4], 'node-b', 'http://b', longTtlMs)).toEqual(new Map([[4, 2]]));
    // The claim waited for the stalled session (500 ms idle limit), not for ever.
    expect(performance.now() - started).toBeLessThan(1_500);
    batch.release();
    expect(await abandoned).toBe('ended by the server');
    expect(await shardRows(setup)).toEqual([]);
  });

  it('gives up a claim stuck behind a lock after the lock timeout', async () => {
    const holder = await node();
    const claimant = await node({ sessionTimeouts: { idleInTransactionMs: 10_000, lockMs: 200 } });
    const [key = ''] = keysOnShard(6, 1);
    const epochs = await new ShardLeases(holder).claim([6], 'node-a', 'http://a', 50);
    const batch = batchHeldOpen(holder, (journal) => journal.commit([entry(key, 1)], [], fenceOf(epochs)));
    await batch.written;
    await sleep(100);
    await expect(new ShardLeases(claimant).claim([6], 'node-b', 'http://b', longTtlMs)).rejects.toMatchObject({ code: '55P03' });
    batch.release();
    await batch.done;
  });

  it('opens cluster connections with idle_in_transaction_session_timeout and lock_timeout at half the lease', async () => {
    const db = await node({ sessionTimeouts: clusterSessionTimeouts(10_000) });
    // Two transactions at once use both connections of the pool.
    const shown = await Promise.all(
      [1, 2].map(() =>
        db.transaction(async (tx) => {
          const [idle] = await tx.query<{ idle_in_transaction_session_timeout: string }>('SHOW idle_in_transaction_session_timeout');
          const [lock] = await tx.query<{ lock_timeout: string }>('SHOW lock_timeout');
          const [pid] = await tx.query<{ pid: number }>('SELECT pg_backend_pid() AS pid, pg_sleep(0.05)');
          return { idle: idle?.idle_in_transaction_session_timeout, lock: lock?.lock_timeout, pid: pid?.pid };
        }),
      ),
    );
    expect(shown.map(({ idle, lock }) => ({ idle, lock }))).toEqual([{ idle: '5s', lock: '5s' }, { idle: '5s', lock: '5s' }]);
    expect(new Set(shown.map(({ pid }) => pid)).size).toBe(2);
    const plain = await node();
    expect(await plain.query('SHOW lock_timeout')).toEqual([{ lock_timeout: '0' }]);
  });

  it('judges expiry on the database\'s clock, whatever the node\'s clock says', async () => {
    const [nodeA, nodeB] = [await node(), await node()];
    const [{ now_ms: dbNowMs } = { now_ms: 0 }] = await setup.query<{ now_ms: number }>('SELECT floor(extract(epoch FROM now()) * 1000)::bigint AS now_ms');
    // Both nodes' clocks read 2100: were expiry judged on them, every lease would look long gone.
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date('2100-01-01T00:00:00Z'));
    expect(await new ShardLeases(nodeA).claim([1], 'node-a', 'http://a', longTtlMs)).toEqual(new Map([[1, 1]]));
    expect(await new ShardLeases(nodeB).claim([1], 'node-b', 'http://b', longTtlMs)).toEqual(new Map());
    const [lease] = await new ShardLeases(nodeB).leases();
    expect(Math.abs((lease?.expiresAtMs ?? 0) - (Number(dbNowMs) + longTtlMs))).toBeLessThan(10_000);
    expect(lease?.live).toBe(true);
  });

  it('lets a renewal wait behind the node\'s own batch in flight, and never deadlocks with its batches', async () => {
    const db = await node();
    const leases = new ShardLeases(db);
    const epochs = await leases.claim([1, 2, 3], 'node-a', 'http://a', longTtlMs);
    const [onOne = '', onThree = ''] = [...keysOnShard(1, 1), ...keysOnShard(3, 1)];
    const batch = batchHeldOpen(db, (journal) => journal.commit([entry(onThree, 1), entry(onOne, 1)], [], fenceOf(epochs)));
    await batch.written;
    const renewal = watched(leases.renew('node-a', epochs, longTtlMs));
    await sleep(200);
    expect(renewal.settled()).toBe(false);
    batch.release();
    await batch.done;
    expect(await renewal.promise).toEqual({ renewed: [1, 2, 3], lost: [] });

    // Batches over several shards, back to back as the commit log writes them, with renewals
    // running meanwhile on the pool's other connection: every statement locks in shard order.
    const journal = journalOn(db);
    const keys = [1, 2, 3].flatMap((shard) => keysOnShard(shard, 4, `order:${shard}-`));
    const seqs = new Map<string, number>();
    const writing = (async () => {
      for (let round = 0; round < 40; round += 1) {
        const batchKeys = [keys[(round * 5) % keys.length], keys[(round * 7 + 3) % keys.length], keys[(round * 11 + 1) % keys.length]];
        const entries = [...new Set(batchKeys)].map((key = '') => entry(key, (seqs.get(key) ?? 0) + 1));
        await journal.commit(entries, [], fenceOf(epochs));
        for (const written of entries) seqs.set(written.key, written.seq);
      }
    })();
    const renewing = (async () => {
      for (let round = 0; round < 40; round += 1) expect((await leases.renew('node-a', epochs, longTtlMs)).lost).toEqual([]);
    })();
    await Promise.all([writing, renewing]);
    const perShard = await setup.query<{ shard: number; rows: number; top: number }>(
      'SELECT shard, count(*)::int AS rows, max(shard_seq)::int AS top FROM journal GROUP BY shard ORDER BY shard',
    );
    for (const { rows, top } of perShard) expect(top).toBe(rows);
    await journal.close();
  });
});
