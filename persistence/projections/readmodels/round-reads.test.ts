/** Lookups of one round in one statement, with the rows they would have had one by one. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { countingDb } from '../../adapters/counting-db.ts';
import type { Db } from '../../adapters/db.ts';
import { openMigratedPglite } from '../../adapters/testing/pglite-template.ts';
import { ordersTable } from './orders.ts';
import { withRoundReads } from './round-reads.ts';
import { productsTable, reservationsTable } from './sellers.ts';
import { selectByKeys } from './sql.ts';

let db: Db;

beforeAll(async () => {
  db = await openMigratedPglite();
  await db.query(
    `INSERT INTO orders (id, checkout_id, buyer_id, seller_id, status, total_minor, fee_minor, platform_fee_bps, placed_at, release_due_at, last_seq, updated_at)
     VALUES ('o1', 'c1', 'b1', 's1', 'PAID', 4_000_000_000_000, 50, 500, 1, NULL, 3, 2), ('o2', 'c2', 'b1', 's1', 'SHIPPED', 1000, 50, 500, 1, 99, 4, 2)`,
  );
  await db.query(
    `INSERT INTO products (seller_id, product_id, title, description, category, price_minor, stock, images, deleted, created_at, updated_at, last_seq)
     VALUES ('s1', 'p1', 'Mug', 'A "mug"', 'home', 1200, 3, '[{"key":"a.png"}]'::jsonb, false, 1, 1, 1)`,
  );
  await db.query(
    `INSERT INTO stock_reservations (seller_id, order_id, status, items, reserved_at, released_at, last_seq)
     VALUES ('s1', 'o1', 'RESERVED', '[{"productId":"p1","qty":2}]'::jsonb, 5, NULL, 2)`,
  );
}, 60_000);

afterAll(async () => db.close());

describe('withRoundReads', () => {
  it('sends the lookups of a turn as one statement and gives each the rows it would have had alone', async () => {
    const alone = await Promise.all([
      selectByKeys(db, ordersTable, [{ id: 'o1' }, { id: 'o2' }, { id: 'missing' }]),
      selectByKeys(db, productsTable, [{ seller_id: 's1', product_id: 'p1' }]),
      selectByKeys(db, reservationsTable, [{ seller_id: 's1', order_id: 'o1' }]),
    ]);
    const counted = countingDb(db);
    const round = withRoundReads(counted);
    const together = await Promise.all([
      selectByKeys(round, ordersTable, [{ id: 'o1' }, { id: 'o2' }, { id: 'missing' }]),
      selectByKeys(round, productsTable, [{ seller_id: 's1', product_id: 'p1' }]),
      selectByKeys(round, reservationsTable, [{ seller_id: 's1', order_id: 'o1' }]),
    ]);
    expect(counted.counts().statements).toBe(1);
    const byId = (rows: readonly Record<string, unknown>[]) => [...rows].sort((a, b) => String(a['id']).localeCompare(String(b['id'])));
    expect(byId(together[0])).toEqual(byId(alone[0]));
    expect(together[1]).toEqual(alone[1]);
    expect(together[2]).toEqual(alone[2]);
    expect(alone[0]).toHaveLength(2);
  });

  it('sends a lone lookup as it is, and fails every lookup of a statement that fails', async () => {
    const counted = countingDb(db);
    expect(await selectByKeys(withRoundReads(counted), ordersTable, [{ id: 'o2' }])).toEqual(await selectByKeys(db, ordersTable, [{ id: 'o2' }]));
    expect(counted.counts().statements).toBe(1);
    const broken = withRoundReads({ ...db, query: async () => Promise.reject(new Error('store down')) });
    const results = await Promise.allSettled([selectByKeys(broken, ordersTable, [{ id: 'o1' }]), selectByKeys(broken, productsTable, [{ seller_id: 's1', product_id: 'p1' }])]);
    expect(results.map((result) => result.status)).toEqual(['rejected', 'rejected']);
  });
});
