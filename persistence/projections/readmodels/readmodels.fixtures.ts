/**
 * Test fixtures for the read models: a seeded simulation of a small market that writes what
 * the actors would journal (wallet, seller and order streams, interleaved as concurrent sagas
 * interleave), and keeps its own account of where the money is, to check the audits against.
 *
 * Events are built with the actors' own types, so a change of an event contract breaks the
 * build here. The histories are ones the actors' evolve functions accept (rebuild.test.ts
 * checks that), but the saga paths are written out by hand, not run through the deciders.
 */
import type { Db, Row } from '../../adapters/db.ts';
import type { Journal } from '../../adapters/journal.ts';
import { readModelTables } from './consumer.ts';
import { Simulation, type OrderFate, type PlannedAppend, type ProductModel } from './market-simulation.fixtures.ts';
import { orderStory } from './order-stories.fixtures.ts';

export { dayMs, seededRandom, t0, type OrderFate, type PlannedAppend } from './market-simulation.fixtures.ts';

const fates: readonly OrderFate[] = [
  'paid',
  'shipped',
  'completed_confirmed',
  'completed_confirmed',
  'completed_auto',
  'completed_auto',
  'stuck_after_debit',
  'stuck_releasing',
  'cancelled_unshipped',
  'cancelled_ship_by',
  'dispute_open',
  'dispute_refund',
  'dispute_release',
];

export interface MarketOptions {
  readonly seed: number;
  readonly buyers: number;
  readonly sellers: number;
  readonly productsPerSeller: number;
  readonly orders: number;
  /** Deposits and withdrawals interleaved with the orders. */
  readonly cashMoves: number;
}

/** The simulation's own account, in minor units, for the audit's totals. */
export interface MarketExpectation {
  readonly depositsMinor: string;
  readonly withdrawalsMinor: string;
  readonly balanceMinor: string;
  readonly lockedMinor: string;
  readonly inFlightMinor: string;
}

export interface Market {
  readonly appends: readonly PlannedAppend[];
  readonly expected: MarketExpectation;
  /** How the orders ended, to check the run covered every path. */
  readonly outcomes: Readonly<Record<string, number>>;
}

export function simulateMarket(options: MarketOptions): Market {
  const sim = new Simulation(options.seed);
  const buyers = Array.from({ length: options.buyers }, (_, index) => `b${index + 1}`);
  const sellers = Array.from({ length: options.sellers }, (_, index) => `s${index + 1}`);
  for (const sellerId of sellers) setUpSeller(sim, sellerId, options.productsPerSeller);
  for (const buyerId of buyers) sim.wallet(buyerId, 'welcome', { type: 'Deposited', commandId: 'welcome', amountMinor: sim.integer(10_000, 60_000) });
  const processes: Generator<void>[] = [
    cashMoves(sim, buyers, sellers, options.cashMoves),
    sellerChanges(sim, sellers),
    ...Array.from({ length: options.orders }, (_, index) =>
      orderStory(sim, `o${index + 1}`, sim.pick(buyers), sim.pick(sellers), sim.pick(fates)),
    ),
  ];
  // Sagas run concurrently: each step of a random live story in turn.
  while (processes.length > 0) {
    const index = Math.floor(sim.random() * processes.length);
    if (processes[index]?.next().done) processes.splice(index, 1);
  }
  const sum = (values: Iterable<number>) => [...values].reduce((total, value) => total + BigInt(value), 0n);
  return {
    appends: sim.appends,
    expected: {
      depositsMinor: String(sim.deposits),
      withdrawalsMinor: String(sim.withdrawals),
      balanceMinor: String(sum(sim.balances.values())),
      lockedMinor: String(sum(sim.locked.values())),
      inFlightMinor: String(sim.inFlight),
    },
    outcomes: sim.outcomes,
  };
}

function setUpSeller(sim: Simulation, sellerId: string, productCount: number): void {
  sim.seller(sellerId, 'register', (at) => [{ type: 'SellerRegistered', name: `Seller ${sellerId}`, email: `${sellerId}@example.test`, at }]);
  const products: ProductModel[] = [];
  // One more product than orders may use: it is deleted later, so deletes are projected too.
  for (let index = 0; index <= productCount; index += 1) {
    const product: ProductModel = {
      productId: `${sellerId}-p${index}`,
      title: `Product ${index} of ${sellerId}`,
      priceMinor: sim.integer(300, 5_000),
      stock: sim.integer(10, 60),
      deleted: false,
    };
    products.push(product);
    sim.seller(sellerId, `create-${product.productId}`, (at) => [
      {
        type: 'ProductCreated',
        productId: product.productId,
        fields: { title: product.title, description: `About ${product.title}`, priceMinor: product.priceMinor, stock: product.stock, category: sim.pick(['home', 'tea', 'books']) },
        at,
      },
    ]);
  }
  sim.products.set(sellerId, products);
}

function* cashMoves(sim: Simulation, buyers: readonly string[], sellers: readonly string[], count: number): Generator<void> {
  for (let move = 0; move < count; move += 1) {
    const commandId = sim.nextCashId();
    if (sim.random() < 0.5) {
      sim.wallet(sim.pick(buyers), commandId, { type: 'Deposited', commandId, amountMinor: sim.integer(1_000, 20_000) });
    } else {
      const userId = sim.pick([...sellers, ...buyers, 'platform']);
      const balance = sim.balances.get(userId) ?? 0;
      if (balance > 0) sim.wallet(userId, commandId, { type: 'Withdrawn', commandId, amountMinor: sim.integer(1, balance) });
    }
    yield;
  }
}

/** Catalog and lifecycle changes while orders run: prices, images, a suspension, a delete. */
function* sellerChanges(sim: Simulation, sellers: readonly string[]): Generator<void> {
  for (const sellerId of sellers) {
    const products = sim.products.get(sellerId) ?? [];
    const product = sim.pick(products.slice(0, -1));
    product.priceMinor += 100;
    sim.seller(sellerId, `price-${product.productId}`, (at) => [{ type: 'ProductUpdated', productId: product.productId, patch: { priceMinor: product.priceMinor }, at }]);
    yield;
    product.stock += 5;
    sim.seller(sellerId, `restock-${product.productId}`, (at) => [{ type: 'ProductUpdated', productId: product.productId, patch: { stock: product.stock }, at }]);
    yield;
    sim.seller(sellerId, `image-${product.productId}`, (at) => [
      { type: 'ProductImageAdded', productId: product.productId, imageKey: `products/${product.productId}/1.jpg`, at },
      { type: 'ProductImageAdded', productId: product.productId, imageKey: `products/${product.productId}/2.jpg`, at },
    ]);
    yield;
    const retired = products.at(-1);
    if (retired !== undefined) {
      retired.deleted = true;
      sim.seller(sellerId, `delete-${retired.productId}`, (at) => [{ type: 'ProductDeleted', productId: retired.productId, at }]);
    }
    yield;
  }
  const suspended = sim.pick(sellers);
  sim.seller(suspended, 'suspend', (at) => [{ type: 'SellerSuspended', reason: 'late shipments', at }]);
  yield;
  sim.seller(suspended, 'reactivate', (at) => [{ type: 'SellerReactivated', at }]);
}


/** Appends planned entries in order, each continuing its key's stream. */
export async function appendAll(journal: Journal, appends: readonly PlannedAppend[], seqs = new Map<string, number>()): Promise<void> {
  for (const { key, entry } of appends) {
    const expectedSeq = seqs.get(key) ?? 0;
    await journal.append(key, expectedSeq, entry);
    seqs.set(key, expectedSeq + 1);
  }
}

// ---------------------------------------------------------------------------------------------
// Table snapshots

/** Primary-key order of each read-model table, so snapshots compare row for row. */
const tableOrder: Readonly<Record<string, string>> = {
  wallets: 'id',
  ledger_entries: 'id',
  orders: 'id',
  order_items: 'order_id, line_no',
  products: 'seller_id, product_id',
  stock_reservations: 'seller_id, order_id',
  seller_stats: 'seller_id',
};

/** Every row of every read-model table, in primary-key order. */
export async function snapshotTables(db: Db): Promise<Record<string, Row[]>> {
  const snapshot: Record<string, Row[]> = {};
  for (const table of readModelTables) {
    const order = tableOrder[table];
    if (order === undefined) throw new Error(`no snapshot order for ${table}`);
    snapshot[table] = await db.query(`SELECT * FROM ${table} ORDER BY ${order}`);
  }
  return snapshot;
}
