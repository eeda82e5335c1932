/**
 * The Db, journal and snapshot contracts on a real PostgreSQL server (DATABASE_URL), each run
 * in a throwaway schema that is dropped afterwards.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from './db.ts';
import { describeDbContract } from './db.contract.ts';
import { describeJournalContract } from './journal.contract.ts';
import { VersionConflict } from './journal.ts';
import { loadMigrations, migrate } from './migrate.ts';
import { openPostgres } from './pg.ts';
import { describeShardLeasesContract } from './shard-leases.contract.ts';
import { describeSnapshotContract } from './snapshots.contract.ts';
import { SqlJournal } from './sql-journal.ts';
import { SqlSnapshotStore } from './sql-snapshots.ts';
import { describeStreamReaderContract } from './streams.contract.ts';

const databaseUrl = process.env['DATABASE_URL'] ?? '';
if (databaseUrl === '') {
  console.warn('postgres.int.test.ts skipped: DATABASE_URL is not set (CI sets postgres://postgres@127.0.0.1:5432/test)');
}

function throwawaySchema(purpose: string): string {
  return `test_${purpose}_${randomUUID().slice(0, 8)}`;
}

describe.skipIf(databaseUrl === '')('PostgreSQL adapters', () => {
  const schema = throwawaySchema('contracts');
  let db: Db;

  beforeAll(async () => {
    db = await openPostgres(databaseUrl, { schema, max: 4 });
    await migrate(db);
  });

  afterAll(async () => {
    await db.query(`DROP SCHEMA ${schema} CASCADE`);
    await db.close();
  });

  describeDbContract('postgres.js', async () => ({ db, cleanup: async () => {} }));

  for (const batching of [true, false]) {
    describeJournalContract(`SqlJournal on PostgreSQL, batching ${batching ? 'on' : 'off'}`, async () => {
      await db.query('TRUNCATE journal');
      const journal = new SqlJournal(db, { batching, maxBatch: 500, maxWaitMs: 0 });
      return { journal, batching, stats: () => journal.stats(), cleanup: () => journal.close() };
    });
  }

  describeSnapshotContract('SqlSnapshotStore on PostgreSQL', async () => {
    await db.query('TRUNCATE snapshots');
    return { snapshots: new SqlSnapshotStore(db), cleanup: async () => {} };
  });

  describeStreamReaderContract('PostgreSQL', () => db);

  describeShardLeasesContract('PostgreSQL', () => db);

  describe('between processes', () => {
    it('applies each migration once when two processes migrate a fresh schema together', async () => {
      const fresh = throwawaySchema('migrate');
      const processes = await Promise.all([1, 2].map(() => openPostgres(databaseUrl, { schema: fresh, max: 2 })));
      try {
        const applied = await Promise.all(processes.map((process) => migrate(process)));
        const versions = (await loadMigrations()).map((migration) => migration.version);
        expect(applied.flat().sort()).toEqual(versions);
      } finally {
        await processes[0]?.query(`DROP SCHEMA ${fresh} CASCADE`);
        await Promise.all(processes.map((process) => process.close()));
      }
    });

    it('lets one of two journals on separate pools win a race for one key', async () => {
      await db.query('TRUNCATE journal');
      const other = await openPostgres(databaseUrl, { schema, max: 2 });
      const journals = [new SqlJournal(db, { batching: true, maxBatch: 500, maxWaitMs: 0 }), new SqlJournal(other, { batching: true, maxBatch: 500, maxWaitMs: 0 })];
      try {
        const settled = await Promise.allSettled(
          Array.from({ length: 10 }, (_, index) =>
            journals[index % 2]?.append('wallet:raced', 0, { events: [], commandId: `cmd-${index}`, at: 0 }),
          ),
        );
        expect(settled.filter((outcome) => outcome.status === 'fulfilled')).toHaveLength(1);
        const reasons = settled.flatMap((outcome) => (outcome.status === 'rejected' ? [outcome.reason] : []));
        expect(reasons.every((reason) => reason instanceof VersionConflict)).toBe(true);
        expect(await journals[1]?.lastSeq('wallet:raced')).toBe(1);
      } finally {
        await Promise.all(journals.map((journal) => journal.close()));
        await other.close();
      }
    });
  });
});
