/**
 * The SQL of issue #6 on a real PostgreSQL server (DATABASE_URL), in a throwaway schema:
 * the daily aggregation gives exactly the rows PGlite gives for the same journal, and the mail
 * outbox's lease claims (FOR UPDATE SKIP LOCKED) never hand one row to two concurrent senders.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { epochDay } from '../../../actors/analytics/analytics.ts';
import { claimDueMails, enqueueMails, markMailSent } from '../mail/outbox.ts';
import { welcomeMail } from '../mail/plan.ts';
import type { Db } from '../../adapters/db.ts';
import { migrate } from '../../adapters/migrate.ts';
import { openPostgres } from '../../adapters/pg.ts';
import { openPglite } from '../../adapters/pglite.ts';
import { SqlJournal } from '../../adapters/sql-journal.ts';
import { createReadModelConsumer } from '../readmodels/consumer.ts';
import { appendAll, simulateMarket, t0 } from '../readmodels/readmodels.fixtures.ts';
import { aggregateSellerDays } from './seller-daily.ts';

const databaseUrl = process.env['DATABASE_URL'] ?? '';
if (databaseUrl === '') {
  console.warn('seller-daily.int.test.ts skipped: DATABASE_URL is not set (CI sets postgres://postgres@127.0.0.1:5432/test)');
}

describe.skipIf(databaseUrl === '')('issue #6 SQL on PostgreSQL', () => {
  const schema = `test_jobs_${randomUUID().slice(0, 8)}`;
  let postgres: Db;
  let pglite: Db;

  beforeAll(async () => {
    postgres = await openPostgres(databaseUrl, { schema, max: 4 });
    pglite = await openPglite();
    await Promise.all([migrate(postgres), migrate(pglite)]);
  });

  afterAll(async () => {
    await postgres?.query(`DROP SCHEMA ${schema} CASCADE`);
    await Promise.all([postgres?.close(), pglite?.close()]);
  });

  it('aggregates the same days to the same rows as PGlite', async () => {
    const market = simulateMarket({ seed: 7, buyers: 12, sellers: 3, productsPerSeller: 3, orders: 80, cashMoves: 10 });
    const journals = [new SqlJournal(postgres, { batching: true, maxBatch: 500, maxWaitMs: 0 }), new SqlJournal(pglite, { batching: true, maxBatch: 500, maxWaitMs: 0 })];
    const results: unknown[] = [];
    try {
      for (const [index, db] of [postgres, pglite].entries()) {
        const journal = journals[index] as SqlJournal;
        await appendAll(journal, market.appends);
        const consumer = createReadModelConsumer(db);
        for (let entries = await journal.readAfter(0, 50); entries.length > 0; entries = await journal.readAfter(entries.at(-1)?.position ?? 0, 50)) {
          await consumer.handle(entries);
        }
        await aggregateSellerDays(db, epochDay(t0), epochDay(t0) + 20, 1);
        results.push(await db.query('SELECT * FROM seller_stats_daily ORDER BY seller_id, day'));
      }
    } finally {
      await Promise.all(journals.map((journal) => journal.close()));
    }
    const [onPostgres, onPglite] = results as Record<string, unknown>[][];
    expect(onPostgres?.length).toBeGreaterThan(0);
    expect(onPostgres?.some((row) => Number(row['orders']) > 0)).toBe(true);
    const normalise = (rows: Record<string, unknown>[] | undefined) => rows?.map((row) => Object.fromEntries(Object.entries(row).map(([key, value]) => [key, value === null ? null : String(value)])));
    expect(normalise(onPostgres)).toEqual(normalise(onPglite));
  });

  it('never gives one mail to two concurrent senders', async () => {
    const mails = Array.from({ length: 40 }, (_, index) => welcomeMail({ id: `u${index}`, email: `u${index}@example.test`, displayName: 'U', role: 'BUYER' }, 1_000));
    expect(await enqueueMails(postgres, mails)).toBe(40);
    expect(await enqueueMails(postgres, mails)).toBe(0);
    const claims = await Promise.all(['a', 'b', 'c', 'd'].map((owner) => claimDueMails(postgres, owner, 2_000, 60_000, 15, 8)));
    const ids = claims.flat().map((mail) => mail.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.length).toBe(40);
    for (const mail of claims.flat()) expect(await markMailSent(postgres, mail, 3_000)).toBe(true);
    const statuses = await postgres.query(`SELECT status, count(*) AS count FROM mail_outbox GROUP BY status`);
    expect(statuses.map((row) => [row['status'], Number(row['count'])])).toEqual([['sent', 40]]);
  });
});
