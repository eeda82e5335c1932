/**
 * The read models fed by several processes at once (cluster mode, issue #16: every node runs the
 * read-model consumer over the whole log), on a real PostgreSQL server (DATABASE_URL): three
 * consumers, each with its own connection pool like a node, each handling the same journal in
 * its own page sizes, side by side, must leave exactly the rows one consumer alone leaves. Found
 * by the three-node proof (bench/proofs/cluster/): a product's stock read model two units off its
 * rebuild after a run, because a batch read its stream's head and the rows it folds over in
 * different snapshots, while another node's batch committed in between.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../../adapters/db.ts';
import type { JournalEntry } from '../../adapters/journal.ts';
import { migrate } from '../../adapters/migrate.ts';
import { openPostgres } from '../../adapters/pg.ts';
import { SqlJournal } from '../../adapters/sql-journal.ts';
import { createReadModelConsumer, truncateReadModels } from './consumer.ts';
import { appendAll, seededRandom, simulateMarket, snapshotTables } from './readmodels.fixtures.ts';
import { rebuildReadModels } from './rebuild.ts';

const databaseUrl = process.env['DATABASE_URL'] ?? '';
if (databaseUrl === '') console.warn('concurrent-consumers.int.test.ts skipped: DATABASE_URL is not set (CI sets postgres://postgres@127.0.0.1:5432/test)');

describe.skipIf(databaseUrl === '')('read models fed by three consumers at once', () => {
  const schema = `test_concurrent_rm_${randomUUID().slice(0, 8)}`;
  const nodes: Db[] = [];

  beforeAll(async () => {
    for (let node = 0; node < 3; node += 1) nodes.push(await openPostgres(databaseUrl, { schema, max: 4 }));
    await migrate(nodes[0] as Db);
  });

  afterAll(async () => {
    await nodes[0]?.query(`DROP SCHEMA ${schema} CASCADE`);
    await Promise.all(nodes.map((db) => db.close()));
  });

  it('leave the rows one consumer leaves', { timeout: 120_000 }, async () => {
    const db = nodes[0] as Db;
    const journal = new SqlJournal(db, { batching: true, maxBatch: 500, maxWaitMs: 0 });
    try {
      const market = simulateMarket({ seed: 7, buyers: 6, sellers: 2, productsPerSeller: 2, orders: 150, cashMoves: 10 });
      await appendAll(journal, market.appends);
      const entries = await journal.readAfter(0, 100_000);
      await rebuildReadModels(db, journal);
      const rebuilt = await snapshotTables(db);
      // Three rounds: the race needs another batch to commit between two reads of one batch.
      for (let round = 0; round < 3; round += 1) {
        await truncateReadModels(db);
        await Promise.all(nodes.map((node, index) => consumeAll(jittered(node, seededRandom(100 + 10 * round + index)), entries, seededRandom(10 * round + index + 1))));
        expect(await snapshotTables(db), `round ${round}`).toEqual(rebuilt);
      }
    } finally {
      await journal.close();
    }
  });
});

/** The node's Db with up to 8 ms before each read of a product or reservation row, as a slow
 *  connection adds: it widens the window between a batch's read of its stream's head and of the
 *  rows it folds over, in which another node's batch may commit. */
function jittered(db: Db, random: () => number): Db {
  const pause = () => new Promise((resolve) => setTimeout(resolve, Math.floor(random() * 9)));
  return {
    ...db,
    query: async (text, params) => {
      if (/FROM (products|stock_reservations) t/.test(text)) await pause();
      return db.query(text, params);
    },
    transaction: (fn) => db.transaction((tx) => fn(jittered(tx, random))),
  };
}

/** One node's consumer over every entry, in pages of 1 to 3, each failed page handled again (as the event processor does). */
async function consumeAll(db: Db, entries: readonly JournalEntry[], random: () => number): Promise<void> {
  const consumer = createReadModelConsumer(db);
  for (let at = 0; at < entries.length; ) {
    const size = 1 + Math.floor(random() * 3);
    for (let attempt = 1; ; attempt += 1) {
      try {
        await consumer.handle(entries.slice(at, at + size));
        break;
      } catch (error) {
        if (attempt >= 20) throw error;
      }
    }
    at += size;
  }
}
