/**
 * The Db, journal and snapshot contracts on PGlite, in-process. One PGlite serves the whole
 * file (a start costs seconds); each test starts from truncated tables.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from './db.ts';
import { describeDbContract } from './db.contract.ts';
import { describeJournalContract } from './journal.contract.ts';
import { loadMigrations, migrate } from './migrate.ts';
import { openPglite } from './pglite.ts';
import { describeShardLeasesContract } from './shard-leases.contract.ts';
import { describeSnapshotContract } from './snapshots.contract.ts';
import { describeStreamReaderContract } from './streams.contract.ts';
import { SqlJournal } from './sql-journal.ts';
import { SqlSnapshotStore } from './sql-snapshots.ts';

let db: Db;

beforeAll(async () => {
  db = await openPglite();
  await migrate(db);
});

afterAll(async () => {
  await db.close();
});

describeDbContract('PGlite', async () => ({ db, cleanup: async () => {} }));

for (const batching of [true, false]) {
  describeJournalContract(`SqlJournal on PGlite, batching ${batching ? 'on' : 'off'}`, async () => {
    await db.query('TRUNCATE journal');
    const journal = new SqlJournal(db, { batching, maxBatch: 500, maxWaitMs: 0 });
    return { journal, batching, stats: () => journal.stats(), cleanup: () => journal.close() };
  });
}

describeSnapshotContract('SqlSnapshotStore on PGlite', async () => {
  await db.query('TRUNCATE snapshots');
  return { snapshots: new SqlSnapshotStore(db), cleanup: async () => {} };
});

describeStreamReaderContract('PGlite', () => db);

// PGlite is one process, so the embedded mode never fences; the statements are the same SQL as
// on PostgreSQL, though, and are checked here in the fast tier.
describeShardLeasesContract('PGlite', () => db);

describe('SQL journal and migrations on PGlite', () => {
  it('applies every file to an empty schema, then nothing', async () => {
    // PGlite has one session, so search_path moves every later query too; it is restored below.
    await db.query('CREATE SCHEMA migrate_fresh');
    await db.query('SET search_path TO migrate_fresh');
    try {
      const versions = (await loadMigrations()).map((migration) => migration.version);
      expect(await migrate(db)).toEqual(versions);
      expect(await migrate(db)).toEqual([]);
      const tables = await db.query<{ table_name: string }>(
        `SELECT table_name FROM information_schema.tables WHERE table_schema = 'migrate_fresh' ORDER BY table_name`,
      );
      expect(tables.map((row) => row.table_name)).toEqual([
        'addresses', 'cluster_nodes', 'command_replies', 'consumer_checkpoints', 'journal', 'journal_head', 'ledger_entries', 'mail_outbox', 'notifications', 'order_items', 'orders', 'products', 'schema_migrations',
        'seller_stats', 'seller_stats_daily', 'sessions', 'shard_leases', 'snapshots', 'stock_reservations', 'timers', 'users', 'wallets',
      ]);
    } finally {
      await db.query('SET search_path TO DEFAULT');
      await db.query('DROP SCHEMA migrate_fresh CASCADE');
    }
  });

  it('fails an entry SQL cannot store (a NUL character) alone, not its whole batch', async () => {
    await db.query('TRUNCATE journal');
    const journal = new SqlJournal(db, { batching: true, maxBatch: 50, maxWaitMs: 0 });
    const [withNul, literalBackslash, plain] = await Promise.allSettled([
      journal.append('k:nul', 0, { events: [{ text: 'a\u0000b' }], commandId: 'c', at: 0 }),
      journal.append('k:literal', 0, { events: [{ text: '\\u0000' }], commandId: 'c', at: 0 }),
      journal.append('k:plain', 0, { events: [], commandId: 'c', at: 0 }),
    ]);
    await journal.close();
    expect(withNul?.status).toBe('rejected');
    expect(literalBackslash?.status).toBe('fulfilled');
    expect(plain?.status).toBe('fulfilled');
    expect((await journal.read('k:literal', 0, 1))[0]?.events).toEqual([{ text: '\\u0000' }]);
    await expect(db.query(`SELECT '"a\\u0000b"'::jsonb`)).rejects.toThrow();
  });

  it('cuts a burst of appends into batches of at most maxBatch', async () => {
    await db.query('TRUNCATE journal');
    const journal = new SqlJournal(db, { batching: true, maxBatch: 50, maxWaitMs: 0 });
    await Promise.all(Array.from({ length: 120 }, (_, index) => journal.append(`k:${index}`, 0, { events: [], commandId: 'c', at: 0 })));
    await journal.close();
    expect(journal.stats()).toMatchObject({ items: 120, batches: 3, largestBatch: 50, queued: 0 });
  });
});
