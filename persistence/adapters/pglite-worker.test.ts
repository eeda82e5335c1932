/**
 * The Db, journal and snapshot contracts on PGlite in a worker thread (the embedded default),
 * the same suites pglite.test.ts runs in-process; then what only the worker adds: values that
 * cross the thread boundary come back exactly as in-process, queries queue behind an open
 * transaction, and a dead thread fails every call instead of hanging it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from './db.ts';
import { describeDbContract } from './db.contract.ts';
import { describeJournalContract } from './journal.contract.ts';
import { migrate } from './migrate.ts';
import { openPgliteWorker, type WorkerDb } from './pglite-worker.ts';
import { jsonResultMinRows } from './pglite-worker-protocol.ts';
import { describeSnapshotContract } from './snapshots.contract.ts';
import { SqlJournal } from './sql-journal.ts';
import { SqlSnapshotStore } from './sql-snapshots.ts';
import { migratedPgliteCopy, openMigratedPglite } from './testing/pglite-template.ts';

let db: WorkerDb;
/** A test that starts a PGlite of its own: seconds on a quiet machine, a minute on a loaded one. */
const startAllowanceMs = 180_000;
/** Data directories to delete after the file: each worker opens its own copy of the migrated
 *  template on disk, as openStores opens `${DATA_DIR}/pglite`. */
const copies: { remove(): void }[] = [];

async function openWorkerOnCopy(): Promise<WorkerDb> {
  const copy = await migratedPgliteCopy();
  copies.push(copy);
  return openPgliteWorker(copy.dir);
}

beforeAll(async () => {
  db = await openWorkerOnCopy();
  await migrate(db);
}, startAllowanceMs);

afterAll(async () => {
  await db.close();
  for (const copy of copies) copy.remove();
});

describeDbContract('PGlite in a worker thread', async () => ({ db, cleanup: async () => {} }));

describeJournalContract('SqlJournal on PGlite in a worker thread', async () => {
  await db.query('TRUNCATE journal');
  const journal = new SqlJournal(db, { batching: true, maxBatch: 500, maxWaitMs: 0 });
  return { journal, batching: true, stats: () => journal.stats(), cleanup: () => journal.close() };
});

describeSnapshotContract('SqlSnapshotStore on PGlite in a worker thread', async () => {
  await db.query('TRUNCATE snapshots');
  return { snapshots: new SqlSnapshotStore(db), cleanup: async () => {} };
});

/** Every kind of value a column can hold, in `count` rows (enough rows cross as JSON). */
function mixedValues(count: number): string {
  return `SELECT n, n::int8 * 1000000000 AS big, n::text || ' é 💸' AS label, n % 2 = 0 AS even,
            jsonb_build_object('n', n, 'list', jsonb_build_array(n, -n, 1.5, null, 'x'), 'empty', '{}'::jsonb) AS doc,
            to_json('it''s "json"'::text) AS plain_json, NULL::jsonb AS missing,
            CASE WHEN n = 1 THEN 'NaN'::float8 WHEN n = 2 THEN '-0'::float8 ELSE n / 3.0 END AS ratio,
            TIMESTAMPTZ '2026-12-05 10:00:00+00' + n * INTERVAL '1 second' AS at,
            decode('00ff' || lpad(to_hex(n % 256), 2, '0'), 'hex') AS bytes,
            ARRAY[n::text, 'b'] AS tags, 12.50::numeric AS price, n AS n
     FROM generate_series(1, ${count}) AS n`;
}

describe('PGlite in a worker thread', () => {
  it('returns every kind of value exactly as PGlite does in-process, in small and large results', async () => {
    const inProcess = await openMigratedPglite();
    try {
      for (const count of [1, jsonResultMinRows - 1, jsonResultMinRows, 200]) {
        const expected = await inProcess.query(mixedValues(count));
        const actual = await db.query(mixedValues(count));
        expect(actual).toHaveLength(count);
        expect(actual).toStrictEqual(expected);
        // The second row's float is -0, which JSON would turn into 0: that result crossed by clone.
        if (count > 1) expect(Object.is(actual[1]?.['ratio'], -0)).toBe(true);
      }
      const jsonOnly = `SELECT n, n::int8 AS big, 'x' || n AS label, jsonb_build_object('n', n, 'deep', jsonb_build_array('a"b', 1e300)) AS doc
                        FROM generate_series(1, 100) AS n`;
      expect(await db.query(jsonOnly)).toStrictEqual(await inProcess.query(jsonOnly));
    } finally {
      await inProcess.close();
    }
  }, startAllowanceMs);

  it('keeps the error PostgreSQL raised: message, SQLSTATE code and constraint', async () => {
    await db.query('DROP TABLE IF EXISTS worker_errors');
    await db.query('CREATE TABLE worker_errors (id integer CONSTRAINT worker_errors_pk PRIMARY KEY)');
    await db.query('INSERT INTO worker_errors VALUES (1)');
    const failure = await db.query('INSERT INTO worker_errors VALUES (1)').catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(Error);
    expect(failure).toMatchObject({ code: '23505', constraint: 'worker_errors_pk', message: expect.stringContaining('duplicate key') });
    await db.query('DROP TABLE worker_errors');
  });

  it('queues a query sent outside an open transaction until the transaction ends', async () => {
    await db.query('DROP TABLE IF EXISTS worker_queue');
    await db.query('CREATE TABLE worker_queue (id integer PRIMARY KEY)');
    const order: string[] = [];
    let outside: Promise<unknown> = Promise.resolve();
    await db.transaction(async (tx) => {
      await tx.query('INSERT INTO worker_queue VALUES (1)');
      outside = db.query<{ ids: number }>('SELECT count(*) AS ids FROM worker_queue').then((rows) => order.push(`outside saw ${rows[0]?.ids}`));
      // The outside query waits for the connection the transaction holds.
      await tx.query('SELECT pg_sleep(0.05)');
      await tx.query('INSERT INTO worker_queue VALUES (2)');
      order.push('transaction done');
    });
    await outside;
    expect(order).toEqual(['transaction done', 'outside saw 2']);
    await db.query('DROP TABLE worker_queue');
  });

  it('runs concurrent transactions one after the other, each all or nothing', async () => {
    await db.query('DROP TABLE IF EXISTS worker_tx');
    await db.query('CREATE TABLE worker_tx (id integer PRIMARY KEY, writer integer)');
    const outcomes = await Promise.allSettled(
      Array.from({ length: 6 }, (_, writer) =>
        db.transaction(async (tx) => {
          await tx.query('INSERT INTO worker_tx VALUES ($1, $2)', [writer * 10, writer]);
          await tx.query('INSERT INTO worker_tx VALUES ($1, $2)', [writer * 10 + 1, writer]);
          if (writer % 2 === 1) throw new Error(`writer ${writer} gives up`);
        }),
      ),
    );
    expect(outcomes.map((outcome) => outcome.status)).toEqual(['fulfilled', 'rejected', 'fulfilled', 'rejected', 'fulfilled', 'rejected']);
    const rows = await db.query<{ writer: number }>('SELECT DISTINCT writer FROM worker_tx ORDER BY writer');
    expect(rows.map((row) => row.writer)).toEqual([0, 2, 4]);
    await db.query('DROP TABLE worker_tx');
  });

  it('reports the thread it runs on: CPU time and event-loop utilisation', async () => {
    await db.query('SELECT count(*) FROM generate_series(1, 200000)');
    expect(db.thread.cpuSeconds()).toBeGreaterThan(0);
    expect(db.thread.eventLoopUtilization().active).toBeGreaterThan(0);
  });
});

describe('PGlite worker thread lifecycle', () => {
  async function expectStops(call: Promise<unknown>, reason: RegExp): Promise<void> {
    await expect(call).rejects.toThrow(reason);
  }

  it('fails waiting and later calls when the thread dies, and still closes', async () => {
    const doomed: Db & Pick<WorkerDb, 'thread'> = await openWorkerOnCopy();
    const sleeping = doomed.query('SELECT pg_sleep(5)');
    const inTransaction = doomed.transaction(async (tx) => {
      await tx.query('SELECT 1');
      await tx.query('SELECT pg_sleep(5)');
    });
    await new Promise((resolve) => setTimeout(resolve, 100));
    const killedAt = performance.now();
    await doomed.thread.kill();
    await expectStops(sleeping, /worker thread exited/);
    await expectStops(inTransaction, /worker thread exited/);
    // Well before the 5 s sleeps could have ended: the calls failed, they did not wait.
    expect(performance.now() - killedAt).toBeLessThan(4_000);
    await expectStops(doomed.query('SELECT 1'), /worker thread exited/);
    await expectStops(doomed.transaction(async () => 'never'), /worker thread exited/);
    await doomed.close();
  }, startAllowanceMs);

  it('closes PGlite and ends the thread; calls after close fail', async () => {
    const closing = await openWorkerOnCopy();
    expect(await closing.query('SELECT 1 AS one')).toEqual([{ one: 1 }]);
    await closing.close();
    await closing.close();
    await expectStops(closing.query('SELECT 1'), /closed/);
  }, startAllowanceMs);
});
