/**
 * The read models on a real PostgreSQL server (DATABASE_URL), in a throwaway schema: the same
 * journal projects to the same rows as on PGlite, live or rebuilt, and audits clean.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../../adapters/db.ts';
import { migrate } from '../../adapters/migrate.ts';
import { openPostgres } from '../../adapters/pg.ts';
import { openPglite } from '../../adapters/pglite.ts';
import { SqlJournal } from '../../adapters/sql-journal.ts';
import { auditLedger, auditReadModels } from './audit.ts';
import { createReadModelConsumer } from './consumer.ts';
import { appendAll, simulateMarket, snapshotTables } from './readmodels.fixtures.ts';
import { rebuildReadModels } from './rebuild.ts';

const databaseUrl = process.env['DATABASE_URL'] ?? '';
if (databaseUrl === '') {
  console.warn('readmodels.int.test.ts skipped: DATABASE_URL is not set (CI sets postgres://postgres@127.0.0.1:5432/test)');
}

describe.skipIf(databaseUrl === '')('read models on PostgreSQL', () => {
  const schema = `test_readmodels_${randomUUID().slice(0, 8)}`;
  const market = simulateMarket({ seed: 99, buyers: 20, sellers: 4, productsPerSeller: 4, orders: 120, cashMoves: 60 });
  let postgres: Db;
  let pglite: Db;

  beforeAll(async () => {
    postgres = await openPostgres(databaseUrl, { schema, max: 4 });
    pglite = await openPglite();
    await Promise.all([migrate(postgres), migrate(pglite)]);
  });

  afterAll(async () => {
    await postgres.query(`DROP SCHEMA ${schema} CASCADE`);
    await Promise.all([postgres.close(), pglite.close()]);
  });

  it('projects live and rebuilds to the rows PGlite has, and audits clean', async () => {
    const journals = [new SqlJournal(postgres, { batching: true, maxBatch: 500, maxWaitMs: 0 }), new SqlJournal(pglite, { batching: true, maxBatch: 500, maxWaitMs: 0 })];
    try {
      for (const [index, db] of [postgres, pglite].entries()) {
        const journal = journals[index] as SqlJournal;
        await appendAll(journal, market.appends);
        const consumer = createReadModelConsumer(db);
        for (let entries = await journal.readAfter(0, 37); entries.length > 0; entries = await journal.readAfter(entries.at(-1)?.position ?? 0, 37)) {
          await consumer.handle(entries);
        }
      }
      const live = await snapshotTables(postgres);
      expect(live).toEqual(await snapshotTables(pglite));
      await rebuildReadModels(postgres, journals[0] as SqlJournal, { pageSize: 101 });
      expect(await snapshotTables(postgres)).toEqual(live);
      const journalAudit = await auditLedger(journals[0] as SqlJournal);
      expect(journalAudit.ok).toBe(true);
      const readModelAudit = await auditReadModels(postgres, { journalAudit });
      expect(readModelAudit.anomalies).toEqual([]);
      expect(readModelAudit.ok).toBe(true);
    } finally {
      await Promise.all(journals.map((journal) => journal.close()));
    }
  });
});
