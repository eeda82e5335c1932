/**
 * The consumers' per-batch lookups find their rows through an index however large the tables
 * grow. PGlite never runs ANALYZE, and PostgreSQL guesses 100 rows for any JSON recordset, so a
 * join against a big table could be planned as a scan of all of it; that made every batch's
 * lookups cost more the more orders a marketplace had taken (a 20,000-row orders table cost 13
 * ms per lookup). Here the tables hold 10,000 orders and their ledger lines, and the plans of the
 * real statements must touch them only through an index.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db, Row } from '../../adapters/db.ts';
import { openMigratedPglite } from '../../adapters/testing/pglite-template.ts';
import { SqlSnapshotStore } from '../../adapters/sql-snapshots.ts';
import { SqlStreams } from '../../adapters/sql-streams.ts';
import { selectByKeys } from './sql.ts';
import { ordersTable } from './orders.ts';
import { reconcileLedger } from './wallets.ts';

const rowCount = 10_000;
let db: Db;

beforeAll(async () => {
  db = await openMigratedPglite();
  await db.query(
    `INSERT INTO orders (id, checkout_id, buyer_id, seller_id, status, total_minor, fee_minor, platform_fee_bps, placed_at, last_seq, updated_at)
     SELECT 'order-' || i, 'checkout-' || i, 'buyer-' || (i % 400), 'seller-' || (i % 16), 'PAID', 1000, 50, 500, i, 3, i
     FROM generate_series(1, ${rowCount}) i`,
  );
  await db.query(
    `INSERT INTO ledger_entries (id, wallet_id, amount, type, status, kind, order_id, created_at, seq, last_seq)
     SELECT 'line-' || i, 'buyer-' || (i % 400), 1000, 'DEBIT', 'LOCKED', 'purchase', 'order-' || i, i, 1, 1
     FROM generate_series(1, ${rowCount}) i`,
  );
  await db.query(
    `INSERT INTO snapshots (key, seq, version, state, at_ms)
     SELECT 'order:order-' || i, 3, 1, '{}'::jsonb, i FROM generate_series(1, ${rowCount}) i`,
  );
}, 120_000);

afterAll(async () => db.close());

/** Runs `use` against a Db that records what it sends, then returns each statement's plan. */
async function plansOf(use: (db: Db) => Promise<unknown>): Promise<string[]> {
  const sent: { sql: string; params: readonly unknown[] }[] = [];
  const recording: Db = {
    ...db,
    query: <T extends Row>(sql: string, params: readonly unknown[] = []) => {
      sent.push({ sql, params });
      return db.query<T>(sql, params);
    },
  };
  await use(recording);
  expect(sent.length).toBeGreaterThan(0);
  return Promise.all(sent.map(async ({ sql, params }) => (await db.query(`EXPLAIN ${sql}`, params)).map((row) => String(Object.values(row)[0])).join('\n')));
}

/** The plan's lines that read all of one of the big tables. */
function fullReads(plan: string): string[] {
  return plan.split('\n').filter((line) => /Seq Scan on (orders|ledger_entries|snapshots)\b/.test(line));
}

const someOrders = Array.from({ length: 60 }, (_, index) => `order-${index * 150 + 7}`);

describe('lookups by key on big tables', () => {
  it('reads read-model rows by primary key', async () => {
    let found: Row[] = [];
    const [plan] = await plansOf(async (recording) => {
      found = await selectByKeys(recording, ordersTable, someOrders.map((id) => ({ id })));
    });
    expect(found).toHaveLength(someOrders.length);
    expect(fullReads(plan ?? '')).toEqual([]);
    expect(plan).toMatch(/Index Scan using orders_pkey/);
  });

  it('reconciles the ledger lines of the touched orders through both indexes', async () => {
    for (const statement of reconcileLedger(new Set(someOrders))) {
      const plan = (await db.query(`EXPLAIN ${statement.sql}`, statement.params)).map((row) => String(Object.values(row)[0])).join('\n');
      expect(fullReads(plan)).toEqual([]);
    }
  });

  it('loads snapshots and streams by key', async () => {
    const keys = someOrders.map((id) => `order:${id}`);
    const plans = await plansOf(async (recording) => {
      expect((await new SqlSnapshotStore(recording).loadMany(keys)).size).toBe(keys.length);
      expect((await new SqlStreams(recording).loadStreams(keys, 100)).size).toBe(keys.length);
    });
    for (const plan of plans) expect(fullReads(plan)).toEqual([]);
  });
});
