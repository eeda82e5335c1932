/**
 * The conventional checkout, for comparison with the actor system (bench/checkout.bench.ts):
 * one SQL transaction per checkout against PostgreSQL, with no actors, journal or sagas.
 *
 *   BEGIN
 *   SELECT … FROM wallets  WHERE id = ANY(buyer + sellers) ORDER BY id FOR UPDATE
 *   SELECT … FROM products WHERE id = ANY(cart)            ORDER BY id FOR UPDATE
 *   (check funds and stock in the application)
 *   UPDATE products (stock − qty); UPDATE wallets (buyer balance − total, each seller's
 *   locked_balance + its order's total); INSERT orders, order_items, ledger_entries
 *   COMMIT
 *
 * Every transaction locks wallets before products and each set in id order, so two checkouts can
 * never wait on each other in a cycle; a deadlock (40P01) or serialization failure (40001) is
 * retried anyway, as production code must. The seller wallets are locked too: the pending credit
 * updates their `locked_balance`, and taking those row locks up front keeps the order global.
 *
 * A refused checkout (no funds, no stock) has written nothing when it is refused, so its
 * transaction just commits empty. A multi-seller cart is one transaction: all or nothing for free.
 * Orders are PAID at commit, with the same ids as the actor system's (`<checkoutId>-<n>`, sellers
 * sorted); the order's primary key makes a retried checkout idempotent.
 *
 * The tables live in their own schema (the benchmark creates it in its throwaway database) and
 * follow the seed's ledger schema: `wallet_id, amount, type CREDIT|DEBIT, status, locked_until,
 * order_id` (DESIGN.md §3).
 *
 * Run alone (DATABASE_URL must be set; it works in a throwaway schema there and drops it):
 *   npx tsx bench/baseline/sql-checkout.ts
 */
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { countingDb, type CountingDb } from '../../persistence/adapters/counting-db.ts';
import type { Db } from '../../persistence/adapters/db.ts';
import { openPostgres } from '../../persistence/adapters/pg.ts';
import { runClosedLoop, SoldTally, type CheckoutOutcome } from '../lib/closed-loop.ts';
import { buildCatalog, cartGenerator, cartSeed, scenarios, type Cart, type Catalog } from '../lib/checkout-workload.ts';
import { printTable } from '../lib/table.ts';

/**
 * The baseline's pool: a connection per client up to 10, as each checkout holds one for its whole
 * transaction. The actors' runtime pool has been 2 since issue #13's eleventh round
 * (persistence/adapters/db-pools.ts); the baseline keeps the 10 that both designs had before.
 */
export const baselinePoolSize = 10;
/** Attempts of one checkout on deadlock or serialization failure before it is reported failed. */
const attemptsMax = 10;
const retryableCodes: ReadonlySet<string> = new Set(['40001', '40P01']);

const schemaStatements = [
  `CREATE TABLE wallets (
     id text PRIMARY KEY,
     balance bigint NOT NULL CHECK (balance >= 0),
     locked_balance bigint NOT NULL DEFAULT 0 CHECK (locked_balance >= 0))`,
  `CREATE TABLE products (
     id text PRIMARY KEY,
     seller_id text NOT NULL,
     price_minor bigint NOT NULL CHECK (price_minor > 0),
     stock integer NOT NULL CHECK (stock >= 0),
     initial_stock integer NOT NULL)`,
  `CREATE TABLE orders (
     id text PRIMARY KEY,
     checkout_id text NOT NULL,
     buyer_id text NOT NULL REFERENCES wallets (id),
     seller_id text NOT NULL REFERENCES wallets (id),
     total_minor bigint NOT NULL CHECK (total_minor > 0),
     status text NOT NULL,
     created_at timestamptz NOT NULL DEFAULT now())`,
  `CREATE TABLE order_items (
     order_id text NOT NULL REFERENCES orders (id),
     product_id text NOT NULL REFERENCES products (id),
     qty integer NOT NULL CHECK (qty > 0),
     unit_price_minor bigint NOT NULL,
     PRIMARY KEY (order_id, product_id))`,
  `CREATE TABLE ledger_entries (
     id bigserial PRIMARY KEY,
     wallet_id text NOT NULL REFERENCES wallets (id),
     amount bigint NOT NULL CHECK (amount > 0),
     type text NOT NULL CHECK (type IN ('CREDIT', 'DEBIT')),
     status text NOT NULL CHECK (status IN ('PENDING', 'LOCKED', 'RELEASED', 'COMPLETED', 'REFUNDED', 'VOIDED')),
     kind text NOT NULL,
     locked_until timestamptz,
     order_id text REFERENCES orders (id),
     created_at timestamptz NOT NULL DEFAULT now())`,
  'CREATE INDEX ledger_entries_wallet ON ledger_entries (wallet_id)',
  'CREATE INDEX ledger_entries_order ON ledger_entries (order_id)',
];

export interface BaselineAudit {
  /** Σ balance + locked = Σ deposits, no wallet or stock below 0, every wallet equal to its
   *  ledger lines, every order equal to its items, and (given expectations) every acknowledged
   *  order and unit sold present exactly once. */
  readonly ok: boolean;
  readonly depositsMinor: string;
  readonly heldMinor: string;
  readonly driftMinor: string;
  readonly wallets: number;
  readonly orders: number;
  readonly problems: readonly string[];
}

export interface AuditExpectations {
  readonly orders: number;
  readonly sold: SoldTally;
  readonly catalog: Catalog;
}

export interface SqlCheckout {
  readonly schema: string;
  /** Counts the statements the baseline sends (the checkout benchmark reports them per order). */
  readonly db: CountingDb;
  seed(catalog: Catalog): Promise<void>;
  checkout(checkoutId: string, cart: Cart): Promise<CheckoutOutcome>;
  audit(expected?: AuditExpectations): Promise<BaselineAudit>;
  /** Drops the schema when asked (a standalone run), then closes the pool. */
  close(options?: { readonly dropSchema?: boolean }): Promise<void>;
}

export async function openSqlCheckout(url: string, schema: string): Promise<SqlCheckout> {
  const db = countingDb(await openPostgres(url, { schema, max: baselinePoolSize, planCacheMode: 'force_custom_plan' }));
  try {
    for (const statement of schemaStatements) await db.query(statement);
  } catch (error) {
    await db.close();
    throw error;
  }
  return {
    schema,
    db,
    seed: (catalog) => seed(db, catalog),
    checkout: (checkoutId, cart) => checkoutWithRetries(db, checkoutId, cart),
    audit: (expected) => audit(db, expected),
    async close(options = {}) {
      try {
        if (options.dropSchema === true) await db.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      } finally {
        await db.close();
      }
    },
  };
}

export function productRowId(sellerId: string, productId: string): string {
  return `${sellerId}/${productId}`;
}

async function seed(db: Db, catalog: Catalog): Promise<void> {
  const walletIds = [...catalog.buyerIds, ...catalog.sellerIds];
  const balances = [...catalog.buyerIds.map(() => catalog.fundingMinor), ...catalog.sellerIds.map(() => 0)];
  await db.transaction(async (tx) => {
    await tx.query('INSERT INTO wallets (id, balance) SELECT * FROM unnest($1::text[], $2::bigint[])', [walletIds, balances]);
    await tx.query(
      `INSERT INTO ledger_entries (wallet_id, amount, type, status, kind)
       SELECT id, $2::bigint, 'CREDIT', 'COMPLETED', 'deposit' FROM unnest($1::text[]) AS buyer(id)`,
      [catalog.buyerIds, catalog.fundingMinor],
    );
    await tx.query(
      `INSERT INTO products (id, seller_id, price_minor, stock, initial_stock)
       SELECT id, seller_id, price, stock, stock FROM unnest($1::text[], $2::text[], $3::bigint[], $4::integer[]) AS p(id, seller_id, price, stock)`,
      [
        catalog.products.map((product) => productRowId(product.sellerId, product.productId)),
        catalog.products.map((product) => product.sellerId),
        catalog.products.map((product) => product.priceMinor),
        catalog.products.map((product) => product.stock),
      ],
    );
  });
  await db.query('ANALYZE');
}

interface PlannedOrder {
  readonly orderId: string;
  readonly sellerId: string;
  /** Product row id → quantity, repeated lines merged. */
  readonly items: ReadonlyMap<string, number>;
}

/** One order per seller, sellers sorted, as the actor system's checkout-plan.ts numbers them. */
function planOrders(checkoutId: string, cart: Cart): PlannedOrder[] {
  const bySeller = new Map<string, Map<string, number>>();
  for (const line of cart.lines) {
    const items = bySeller.get(line.sellerId) ?? new Map<string, number>();
    const rowId = productRowId(line.sellerId, line.productId);
    bySeller.set(line.sellerId, items.set(rowId, (items.get(rowId) ?? 0) + line.qty));
  }
  const sellerIds = [...bySeller.keys()].sort();
  return sellerIds.map((sellerId, index) => ({ orderId: `${checkoutId}-${index + 1}`, sellerId, items: bySeller.get(sellerId) ?? new Map() }));
}

async function checkoutWithRetries(db: Db, checkoutId: string, cart: Cart): Promise<CheckoutOutcome> {
  const orders = planOrders(checkoutId, cart);
  for (let attempt = 1; ; attempt += 1) {
    try {
      const code = await db.transaction((tx) => checkoutTransaction(tx, checkoutId, cart.buyerId, orders));
      return code === null ? { ok: true, attempts: attempt } : { ok: false, code };
    } catch (error) {
      const code = sqlStateOf(error);
      // The first orders row exists: an earlier attempt committed although its answer was lost.
      if (code === '23505') return { ok: true, attempts: attempt };
      if (code === undefined || !retryableCodes.has(code)) throw error;
      if (attempt >= attemptsMax) return { ok: false, code: `sql_${code}` };
      await new Promise((resolve) => setTimeout(resolve, Math.random() * 2 * attempt));
    }
  }
}

function sqlStateOf(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

/** The whole checkout in one transaction; returns null when paid, or the refusal's code. */
async function checkoutTransaction(tx: Db, checkoutId: string, buyerId: string, orders: readonly PlannedOrder[]): Promise<string | null> {
  const walletIds = [buyerId, ...orders.map((order) => order.sellerId)].sort();
  const productIds = orders.flatMap((order) => [...order.items.keys()]).sort();
  const wallets = await tx.query<{ id: string; balance: number }>(
    'SELECT id, balance FROM wallets WHERE id = ANY($1::text[]) ORDER BY id FOR UPDATE',
    [walletIds],
  );
  const products = await tx.query<{ id: string; price_minor: number; stock: number }>(
    'SELECT id, price_minor, stock FROM products WHERE id = ANY($1::text[]) ORDER BY id FOR UPDATE',
    [productIds],
  );
  if (wallets.length !== walletIds.length) return 'unknown_wallet';
  if (products.length !== productIds.length) return 'product_not_found';
  const productsById = new Map(products.map((product) => [product.id, product]));
  const totals = orders.map((order) =>
    [...order.items].reduce((sum, [productId, qty]) => sum + qty * (productsById.get(productId)?.price_minor ?? 0), 0),
  );
  for (const order of orders) {
    for (const [productId, qty] of order.items) if ((productsById.get(productId)?.stock ?? 0) < qty) return 'out_of_stock';
  }
  const grandTotal = totals.reduce((sum, total) => sum + total, 0);
  if ((wallets.find((wallet) => wallet.id === buyerId)?.balance ?? 0) < grandTotal) return 'insufficient_funds';
  await writeCheckout(tx, { checkoutId, buyerId, orders, totals }, productsById);
  return null;
}

interface PricedCheckout {
  readonly checkoutId: string;
  readonly buyerId: string;
  readonly orders: readonly PlannedOrder[];
  /** Each order's total, in the orders' order. */
  readonly totals: readonly number[];
}

async function writeCheckout(tx: Db, checkout: PricedCheckout, productsById: ReadonlyMap<string, { readonly price_minor: number }>): Promise<void> {
  const { checkoutId, buyerId, orders, totals } = checkout;
  const items = orders.flatMap((order) => [...order.items].map(([productId, qty]) => ({ orderId: order.orderId, productId, qty })));
  await tx.query(
    'UPDATE products p SET stock = p.stock - v.qty FROM unnest($1::text[], $2::integer[]) AS v(id, qty) WHERE p.id = v.id',
    [items.map((item) => item.productId), items.map((item) => item.qty)],
  );
  const grandTotal = totals.reduce((sum, total) => sum + total, 0);
  await tx.query(
    `UPDATE wallets w SET balance = w.balance - v.debit, locked_balance = w.locked_balance + v.credit
     FROM unnest($1::text[], $2::bigint[], $3::bigint[]) AS v(id, debit, credit) WHERE w.id = v.id`,
    [[buyerId, ...orders.map((order) => order.sellerId)], [grandTotal, ...orders.map(() => 0)], [0, ...totals]],
  );
  await tx.query(
    `INSERT INTO orders (id, checkout_id, buyer_id, seller_id, total_minor, status)
     SELECT o.id, $2, $3, o.seller_id, o.total, 'PAID' FROM unnest($1::text[], $4::text[], $5::bigint[]) AS o(id, seller_id, total)`,
    [orders.map((order) => order.orderId), checkoutId, buyerId, orders.map((order) => order.sellerId), totals],
  );
  await tx.query(
    `INSERT INTO order_items (order_id, product_id, qty, unit_price_minor)
     SELECT * FROM unnest($1::text[], $2::text[], $3::integer[], $4::bigint[])`,
    [
      items.map((item) => item.orderId),
      items.map((item) => item.productId),
      items.map((item) => item.qty),
      items.map((item) => productsById.get(item.productId)?.price_minor ?? 0),
    ],
  );
  // Per order: the buyer's debit (COMPLETED) and the seller's pending credit (LOCKED until released).
  await tx.query(
    `INSERT INTO ledger_entries (wallet_id, amount, type, status, kind, order_id)
     SELECT * FROM unnest($1::text[], $2::bigint[], $3::text[], $4::text[], $5::text[], $6::text[])`,
    [
      orders.flatMap((order) => [buyerId, order.sellerId]),
      totals.flatMap((total) => [total, total]),
      orders.flatMap(() => ['DEBIT', 'CREDIT']),
      orders.flatMap(() => ['COMPLETED', 'LOCKED']),
      orders.flatMap(() => ['purchase', 'sale']),
      orders.flatMap((order) => [order.orderId, order.orderId]),
    ],
  );
}

// ---------------------------------------------------------------------------------------------
// The money invariant

async function audit(db: Db, expected?: AuditExpectations): Promise<BaselineAudit> {
  const [totals] = await db.query<{ deposits: string; held: string; wallets: number; orders: number; negative: number }>(
    `SELECT (SELECT coalesce(sum(amount), 0)::text FROM ledger_entries WHERE kind = 'deposit') AS deposits,
            (SELECT coalesce(sum(balance + locked_balance), 0)::text FROM wallets) AS held,
            (SELECT count(*)::integer FROM wallets) AS wallets,
            (SELECT count(*)::integer FROM orders WHERE status = 'PAID') AS orders,
            (SELECT count(*)::integer FROM wallets WHERE balance < 0 OR locked_balance < 0) AS negative`,
  );
  if (totals === undefined) throw new Error('an aggregate query returned no row');
  const drift = BigInt(totals.deposits) - BigInt(totals.held);
  const problems: string[] = [];
  if (drift !== 0n) problems.push(`Σ balance + locked differs from Σ deposits by ${drift} cents`);
  if (totals.negative > 0) problems.push(`${totals.negative} wallets below zero`);
  for (const [what, count] of await consistencyCounts(db)) if (count > 0) problems.push(`${count} ${what}`);
  if (expected !== undefined) problems.push(...(await compareWithCallers(db, totals.orders, expected)));
  return {
    ok: problems.length === 0,
    depositsMinor: totals.deposits,
    heldMinor: totals.held,
    driftMinor: String(drift),
    wallets: totals.wallets,
    orders: totals.orders,
    problems,
  };
}

/** Rows that disagree with the rows they are made of; each count must be 0. */
async function consistencyCounts(db: Db): Promise<[string, number][]> {
  const [row] = await db.query<{ wallets: number; orders: number; stock: number }>(
    `WITH lines AS (
       SELECT wallet_id,
              sum(CASE WHEN type = 'DEBIT' THEN -amount WHEN status = 'COMPLETED' THEN amount ELSE 0 END) AS balance,
              sum(CASE WHEN type = 'CREDIT' AND status = 'LOCKED' THEN amount ELSE 0 END) AS locked
       FROM ledger_entries GROUP BY wallet_id),
     items AS (SELECT order_id, sum(qty * unit_price_minor) AS total FROM order_items GROUP BY order_id),
     sold AS (SELECT product_id, sum(qty) AS qty FROM order_items GROUP BY product_id)
     SELECT (SELECT count(*)::integer FROM wallets w LEFT JOIN lines l ON l.wallet_id = w.id
             WHERE w.balance <> coalesce(l.balance, 0) OR w.locked_balance <> coalesce(l.locked, 0)) AS wallets,
            (SELECT count(*)::integer FROM orders o LEFT JOIN items i ON i.order_id = o.id
             WHERE o.total_minor <> coalesce(i.total, 0)) AS orders,
            (SELECT count(*)::integer FROM products p LEFT JOIN sold s ON s.product_id = p.id
             WHERE p.initial_stock - p.stock <> coalesce(s.qty, 0)) AS stock`,
  );
  if (row === undefined) throw new Error('an aggregate query returned no row');
  return [
    ['wallets differ from their ledger lines', row.wallets],
    ['orders differ from their items', row.orders],
    ['products whose stock differs from initial − sold', row.stock],
  ];
}

/** Every order the callers were told is paid is stored once, and so is every unit they bought. */
async function compareWithCallers(db: Db, storedOrders: number, expected: AuditExpectations): Promise<string[]> {
  const problems: string[] = [];
  if (storedOrders !== expected.orders) problems.push(`${storedOrders} orders stored, ${expected.orders} acknowledged`);
  const rows = await db.query<{ id: string; sold: number }>('SELECT id, initial_stock - stock AS sold FROM products');
  const soldById = new Map(rows.map((row) => [row.id, row.sold]));
  for (const product of expected.catalog.products) {
    const stored = soldById.get(productRowId(product.sellerId, product.productId)) ?? 0;
    const acknowledged = expected.sold.of(product.sellerId, product.productId);
    if (stored !== acknowledged) problems.push(`${product.sellerId}/${product.productId}: ${stored} sold in SQL, ${acknowledged} acknowledged`);
  }
  return problems;
}

// ---------------------------------------------------------------------------------------------
// Standalone run: the baseline alone, a few seconds per scenario, no result file.

async function main(): Promise<void> {
  const url = process.env['DATABASE_URL'];
  if (url === undefined || url === '') throw new Error('set DATABASE_URL to a PostgreSQL server');
  const schema = `sql_checkout_${process.pid}`;
  const store = await openSqlCheckout(url, schema);
  const catalog = buildCatalog({ sellers: 16, productsPerSeller: 8, buyers: 400 });
  const sold = new SoldTally();
  let orders = 0;
  const rows: (string | number)[][] = [];
  try {
    await store.seed(catalog);
    for (const [scenario, concurrency] of [['mixed', 8], ['mixed', 64], ['hot-seller', 64]] as const) {
      const nextCart = cartGenerator(catalog, scenarios[scenario], cartSeed(scenario, concurrency, 'cell'));
      const prefix = `${scenario}-${concurrency}-${performance.now().toFixed(0)}`;
      const result = await runClosedLoop({
        concurrency,
        durationMs: 3_000,
        nextCart,
        send: (cart, index) => store.checkout(`${prefix}-${index}`, cart),
        onSuccess: (cart) => sold.add(cart),
      });
      orders += result.orders;
      rows.push([scenario, concurrency, result.ordersPerSec, result.latencyMs.p50, result.latencyMs.p99, result.retries]);
    }
    printTable('SQL baseline checkout (3 s per cell)', ['scenario', 'clients', 'orders/s', 'p50 ms', 'p99 ms', 'retries'], rows);
    const audit = await store.audit({ orders, sold, catalog });
    process.stdout.write(`\nmoney invariant: ${audit.ok ? 'ok' : `BROKEN: ${audit.problems.join('; ')}`} (drift ${audit.driftMinor})\n`);
    if (!audit.ok) process.exitCode = 1;
  } finally {
    await store.close({ dropSchema: true });
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) await main();
