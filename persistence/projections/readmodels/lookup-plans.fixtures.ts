/**
 * The consumers' per-batch lookups find their rows through an index however large the tables
 * grow, on PGlite (lookup-plans.test.ts) and on PostgreSQL (lookup-plans.int.test.ts).
 *
 * PGlite never runs ANALYZE; PostgreSQL's autovacuum analyzes a table only after it has grown by
 * a tenth, and guesses 100 rows for any JSON recordset. So a join against a big table could be
 * planned as a scan of all of it, and every batch's lookups cost more the more orders a
 * marketplace had taken (a 20,000-row orders table cost 13 ms per lookup on PGlite; the ledger
 * reconcile 132 ms on PostgreSQL). Here the statistics are taken at 20 orders, as on a fresh
 * deployment, the tables then grow to 10,000 orders and their ledger lines, and the plans of the
 * real statements must touch them only through an index.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db, Row } from '../../adapters/db.ts';
import { fullReads as fullReadsOf, genericPlanOf, planOf, statementsSentBy } from '../../adapters/testing/plans.ts';
import { SqlSnapshotStore } from '../../adapters/sql-snapshots.ts';
import { SqlStreams } from '../../adapters/sql-streams.ts';
import { selectByKeys } from './sql.ts';
import { listOrders, orderParties } from './order-queries.ts';
import { findProduct, findProductsByIds, sellersOfProducts } from './product-queries.ts';
import { sellerNames } from './seller-queries.ts';
import { ordersByIds } from './actor-search.ts';
import { ordersTable } from './orders.ts';
import { reconcileLedger } from './wallets.ts';

const rowCount = 10_000;
const someOrders = Array.from({ length: 60 }, (_, index) => `order-${index * 150 + 7}`);

/** Orders `from`…`to` (every third one COMPLETED), each with its buyer's and its seller's ledger
 *  line, two items, and an account (`buyer-<i>`, so `users` grows as the orders do). */
async function insertOrders(db: Db, from: number, to: number): Promise<void> {
  await db.query(
    `INSERT INTO orders (id, checkout_id, buyer_id, seller_id, status, total_minor, fee_minor, platform_fee_bps, placed_at, release_due_at, last_seq, updated_at, confirmed_at)
     SELECT 'order-' || i, 'checkout-' || i, 'buyer-' || (i % 400), 'seller-' || (i % 16), CASE WHEN i % 3 = 0 THEN 'COMPLETED' ELSE 'PAID' END,
            1000, 50, 500, i, i + 1000, 3, i, i
     FROM generate_series(${from}, ${to}) i`,
  );
  await db.query(
    `INSERT INTO ledger_entries (id, wallet_id, amount, type, status, kind, order_id, created_at, seq, last_seq)
     SELECT 'line-' || i, 'buyer-' || (i % 400), 1000, 'DEBIT', 'LOCKED', 'purchase', 'order-' || i, i, 1, 1
     FROM generate_series(${from}, ${to}) i
     UNION ALL
     SELECT 'sale-' || i, 'seller-' || (i % 16), 950, 'CREDIT', 'LOCKED', 'sale', 'order-' || i, i, 1, 1
     FROM generate_series(${from}, ${to}) i`,
  );
  await db.query(
    `INSERT INTO order_items (order_id, line_no, seller_id, product_id, title, qty, unit_price_minor, line_total_minor, seq)
     SELECT 'order-' || i, line, 'seller-' || (i % 16), 'product-' || line, 'Product', 1, 500, 500, 1
     FROM generate_series(${from}, ${to}) i, generate_series(0, 1) line`,
  );
  await db.query(
    `INSERT INTO users (id, email, password_hash, role, display_name, created_at)
     SELECT 'buyer-' || i, 'buyer-' || i || '@example.test', 'x', 'BUYER', 'Buyer ' || i, i FROM generate_series(${from}, ${to}) i`,
  );
  await db.query(
    `INSERT INTO snapshots (key, seq, version, state, at_ms)
     SELECT 'order:order-' || i, 3, 1, '{}'::jsonb, i FROM generate_series(${from}, ${to}) i`,
  );
}

/** The tables that grow here: a plan must never read one of them whole. */
const bigTables = ['orders', 'ledger_entries', 'snapshots', 'order_items', 'users', 'products', 'seller_stats'];

/** Seller profiles `seller-<i>` for i in `from`…`to` (the orders' sixteen sellers among them). */
async function insertSellers(db: Db, from: number, to: number): Promise<void> {
  await db.query(
    `INSERT INTO seller_stats (seller_id, registered, name, email, status, last_seq, updated_at)
     SELECT 'seller-' || i, true, 'Seller ' || i, 'seller-' || i || '@example.test', 'ACTIVE', 1, i FROM generate_series(${from}, ${to}) i`,
  );
}

const someSellers = Array.from({ length: 30 }, (_, index) => `seller-${index * 300 + 5}`);

/** Products `product-<i>` for i in `from`…`to`, sixteen sellers' catalog. */
async function insertProducts(db: Db, from: number, to: number): Promise<void> {
  await db.query(
    `INSERT INTO products (seller_id, product_id, title, description, category, price_minor, stock, created_at, updated_at, last_seq)
     SELECT 'seller-' || (i % 16), 'product-' || i, 'Product ' || i, '', 'c' || (i % 40), 500, 10, i, i, 1 FROM generate_series(${from}, ${to}) i`,
  );
}

const someProducts = Array.from({ length: 40 }, (_, index) => `product-${index * 200 + 3}`);

/** Every way a product is found by its id alone. */
async function findProductsEveryWay(db: Db): Promise<{ one: unknown; many: number; sellers: number }> {
  const one = await findProduct(db, someProducts[1] ?? '');
  const { live } = await findProductsByIds(db, someProducts);
  const sellers = await sellersOfProducts(db, someProducts);
  return { one, many: live.length, sellers: sellers.size };
}

/** The plans of the statements `use` sends, each as PostgreSQL plans it now. */
async function plansOf(db: Db, use: (db: Db) => Promise<unknown>): Promise<string[]> {
  const sent = await statementsSentBy(db, use);
  return Promise.all(sent.map(({ sql, params }) => planOf(db, sql, params)));
}

/** The generic plans of the statements `use` sends, as a pooled connection would cache them now. */
async function genericPlansOf(db: Db, use: (db: Db) => Promise<unknown>): Promise<string[]> {
  const sent = await statementsSentBy(db, use);
  const plans: string[] = [];
  for (const { sql } of sent) plans.push(await genericPlanOf(db, sql));
  return plans;
}

function fullReads(plan: string): string[] {
  return fullReadsOf(plan, bigTables);
}

/** Defines the suite against a migrated, empty database that `open` returns and `close` ends. */
export function describeLookupPlans(name: string, open: () => Promise<Db>, close: (db: Db) => Promise<void>): void {
  describe(name, () => {
    let db: Db;
    /** The generic plans of orderParties and of the product lookups, taken at 20 rows before any ANALYZE. */
    let partiesPlansWhenSmall: string[] = [];
    let productPlansWhenSmall: string[] = [];
    let listPlansWhenSmall: string[] = [];
    let reconcilePlansWhenSmall: string[] = [];
    let sellerNamePlansWhenSmall: string[] = [];
    let operatorPlansWhenSmall: string[] = [];

    beforeAll(async () => {
      db = await open();
      await insertOrders(db, 1, 20);
      await insertProducts(db, 1, 20);
      await insertSellers(db, 0, 20);
      // What a connection caches while the tables are small and never analyzed (PGlite's lasting
      // state, PostgreSQL's until autovacuum comes), and then runs however large they grow.
      partiesPlansWhenSmall = await genericPlansOf(db, (recording) => orderParties(recording, someOrders));
      productPlansWhenSmall = await genericPlansOf(db, findProductsEveryWay);
      listPlansWhenSmall = await genericPlansOf(db, (recording) => listOrders(recording, { side: 'seller', userId: 'seller-7', page: 1, pageSize: 20 }));
      for (const { sql } of reconcileLedger(new Set(someOrders))) reconcilePlansWhenSmall.push(await genericPlanOf(db, sql));
      sellerNamePlansWhenSmall = await genericPlansOf(db, (recording) => sellerNames(recording, someSellers));
      operatorPlansWhenSmall = await genericPlansOf(db, (recording) => ordersByIds(recording, someOrders, 'order id'));
      // Statistics taken while the tables were small, as on a fresh deployment before the next
      // ANALYZE: the planner then trusts that a list of ids matches a row or two.
      await db.query('ANALYZE');
      await insertOrders(db, 21, rowCount);
      await insertProducts(db, 21, rowCount);
      await insertSellers(db, 21, rowCount);
    }, 120_000);

    afterAll(async () => close(db));

    it('reads read-model rows by primary key', async () => {
      let found: Row[] = [];
      const [plan] = await plansOf(db, async (recording) => {
        found = await selectByKeys(recording, ordersTable, someOrders.map((id) => ({ id })));
      });
      expect(found).toHaveLength(someOrders.length);
      expect(fullReads(plan ?? '')).toEqual([]);
      expect(plan).toMatch(/Index Scan using orders_pkey/);
    });

    it('reconciles the ledger lines of the touched orders through their indexes', async () => {
      const statements = reconcileLedger(new Set(someOrders));
      for (const { sql, params } of statements) expect(fullReads(await planOf(db, sql, params))).toEqual([]);
      expect(reconcilePlansWhenSmall).toHaveLength(statements.length);
      for (const plan of reconcilePlansWhenSmall) expect(fullReads(plan)).toEqual([]);
      await db.batch(statements);
      const [counted] = await db.query<{ completed: number; due: number }>(
        `SELECT count(*) FILTER (WHERE kind = 'purchase' AND status = 'COMPLETED')::int AS completed,
                count(*) FILTER (WHERE kind = 'sale' AND locked_until IS NOT NULL)::int AS due
         FROM ledger_entries WHERE order_id = ANY($1::text[])`,
        [someOrders],
      );
      expect(counted).toEqual({ completed: someOrders.filter((id) => Number(id.slice('order-'.length)) % 3 === 0).length, due: someOrders.length });
    });

    it('reads the parties of a round\'s orders by key, in the plans cached while small and in fresh ones', async () => {
      let parties = new Map<string, unknown>();
      const plans = await plansOf(db, async (recording) => {
        parties = await orderParties(recording, someOrders);
      });
      expect([...parties.keys()].sort()).toEqual([...someOrders].sort());
      expect(parties.get('order-7')).toMatchObject({ buyerId: 'buyer-7', itemCount: 2, buyerEmail: 'buyer-7@example.test', sellerEmail: 'seller-7@example.test', sellerName: 'Seller 7' });
      expect(partiesPlansWhenSmall).toHaveLength(1);
      for (const plan of [...plans, ...partiesPlansWhenSmall]) {
        expect(fullReads(plan)).toEqual([]);
        expect(plan).toMatch(/Index Scan using orders_pkey/);
      }
    });

    it('finds products by id through their index, in the plans cached while small and in fresh ones', async () => {
      let found = { one: null as unknown, many: 0, sellers: 0 };
      const plans = await plansOf(db, async (recording) => {
        found = await findProductsEveryWay(recording);
      });
      expect(found).toEqual({ one: expect.objectContaining({ id: someProducts[1], sellerId: 'seller-11' }), many: someProducts.length, sellers: someProducts.length });
      expect(productPlansWhenSmall).toHaveLength(3);
      for (const plan of [...plans, ...productPlansWhenSmall]) {
        expect(fullReads(plan)).toEqual([]);
        expect(plan).toMatch(/Index Scan (using|on) products_by_id/);
      }
    });

    it('lists a buyer\'s and a seller\'s orders with their items through indexes, cached while small and fresh', async () => {
      const pages = async (recording: Db) => [
        await listOrders(recording, { side: 'buyer', userId: 'buyer-7', page: 1, pageSize: 20 }),
        await listOrders(recording, { side: 'seller', userId: 'seller-7', page: 1, pageSize: 20 }),
      ];
      let found: Awaited<ReturnType<typeof pages>> = [];
      const plans = await plansOf(db, async (recording) => {
        found = await pages(recording);
      });
      expect(found.map((page) => page.items.length)).toEqual([20, 20]);
      expect(found[1]?.items[0]?.items).toHaveLength(2);
      for (const plan of [...plans, ...listPlansWhenSmall]) expect(fullReads(plan)).toEqual([]);
    });

    it('names a search\'s sellers by key, in the plans cached while small and in fresh ones', async () => {
      let names: Record<string, string> = {};
      const plans = await plansOf(db, async (recording) => {
        names = await sellerNames(recording, [...someSellers, 'seller-unknown']);
      });
      expect(Object.keys(names).sort()).toEqual([...someSellers].sort());
      expect(names['seller-305']).toBe('Seller 305');
      expect(sellerNamePlansWhenSmall).toHaveLength(1);
      for (const plan of [...plans, ...sellerNamePlansWhenSmall]) expect(fullReads(plan)).toEqual([]);
    });

    it('finds an operator\'s orders and the people on them by key, in the plans cached while small and in fresh ones', async () => {
      let found: Awaited<ReturnType<typeof ordersByIds>> = [];
      const plans = await plansOf(db, async (recording) => {
        found = await ordersByIds(recording, [...someOrders, 'order-unknown'], 'order id');
      });
      expect(found.map((match) => match.key)).toEqual([...someOrders].reverse().map((id) => `order:${id}`));
      expect(found.find((match) => match.key === 'order:order-7')).toMatchObject({ buyer: 'Buyer 7 <buyer-7@example.test>', seller: 'seller-7' });
      expect(operatorPlansWhenSmall).toHaveLength(2);
      for (const plan of [...plans, ...operatorPlansWhenSmall]) expect(fullReads(plan)).toEqual([]);
    });

    it('loads snapshots and streams by key', async () => {
      const keys = someOrders.map((id) => `order:${id}`);
      const plans = await plansOf(db, async (recording) => {
        expect((await new SqlSnapshotStore(recording).loadMany(keys)).size).toBe(keys.length);
        expect((await new SqlStreams(recording).loadStreams(keys, 100)).size).toBe(keys.length);
      });
      for (const plan of plans) expect(fullReads(plan)).toEqual([]);
    });
  });
}
