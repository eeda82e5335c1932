/**
 * The `seller_stats`, `products` and `stock_reservations` read models, projected from seller
 * events (actors/seller/seller-messages.ts). Tables: migrations/004_read_models.sql, and 020,
 * which dropped the order counters from `seller_stats`.
 *
 * `seller_stats` holds the seller's profile and standing; the seller's order counts come from the
 * `orders` read model (seller-order-stats.ts), so a legacy OrderOutcomeRecorded changes nothing
 * here but the row's last_seq and updated_at, as any entry does (actors/seller/seller-messages.ts).
 */
import type { PricedItem, SellerEvent } from '../../../actors/seller/seller-messages.ts';
import { assertNever } from '../../../actors/decider.ts';
import type { Db, Row, Statement } from '../../adapters/db.ts';
import type { JournalEntry } from '../../adapters/journal.ts';
import { selectByKeys, upsertStatement, type TableSpec } from './sql.ts';
import { unapplied, type Stream } from './streams.ts';

export interface SellerStatsRow extends Row {
  readonly seller_id: string;
  readonly registered: boolean;
  readonly name: string;
  readonly email: string;
  readonly status: 'ACTIVE' | 'SUSPENDED';
  readonly suspended_reason: string | null;
  readonly registered_at: number | null;
  readonly last_seq: number;
  readonly updated_at: number;
}

export interface ProductRow extends Row {
  readonly seller_id: string;
  readonly product_id: string;
  readonly title: string;
  readonly description: string;
  readonly category: string;
  readonly price_minor: number;
  readonly stock: number;
  readonly images: readonly string[];
  readonly deleted: boolean;
  readonly created_at: number;
  readonly updated_at: number;
  readonly last_seq: number;
}

export interface ReservationRow extends Row {
  readonly seller_id: string;
  readonly order_id: string;
  readonly status: 'RESERVED' | 'RELEASED' | 'FENCED';
  readonly items: readonly PricedItem[];
  /** Null for a FENCED order, which never reserved. */
  readonly reserved_at: number | null;
  readonly released_at: number | null;
  readonly last_seq: number;
}

export const sellerStatsTable: TableSpec = {
  table: 'seller_stats',
  columns: {
    seller_id: 'text',
    registered: 'boolean',
    name: 'text',
    email: 'text',
    status: 'text',
    suspended_reason: 'text',
    registered_at: 'bigint',
    last_seq: 'integer',
    updated_at: 'bigint',
  },
  key: ['seller_id'],
  versionColumn: 'last_seq',
};

export const productsTable: TableSpec = {
  table: 'products',
  columns: {
    seller_id: 'text',
    product_id: 'text',
    title: 'text',
    description: 'text',
    category: 'text',
    price_minor: 'bigint',
    stock: 'bigint',
    images: 'jsonb',
    deleted: 'boolean',
    created_at: 'bigint',
    updated_at: 'bigint',
    last_seq: 'integer',
  },
  key: ['seller_id', 'product_id'],
  versionColumn: 'last_seq',
};

export const reservationsTable: TableSpec = {
  table: 'stock_reservations',
  columns: {
    seller_id: 'text',
    order_id: 'text',
    status: 'text',
    items: 'jsonb',
    reserved_at: 'bigint',
    released_at: 'bigint',
    last_seq: 'integer',
  },
  key: ['seller_id', 'order_id'],
  versionColumn: 'last_seq',
};

/** One seller's rows while its entries are applied; `changed*` hold the ids to write back. */
interface SellerFold {
  stats: SellerStatsRow;
  readonly products: Map<string, ProductRow>;
  readonly reservations: Map<string, ReservationRow>;
  readonly changedProducts: Set<string>;
  readonly changedReservations: Set<string>;
}

/**
 * Reads what the seller streams of a batch build on (their heads, and the products and
 * reservations their new entries name, all at once) and returns the statements that project them.
 */
export async function projectSellers(db: Db, streams: readonly Stream<SellerEvent>[]): Promise<Statement[]> {
  if (streams.length === 0) return [];
  const [heads, products, reservations] = await Promise.all([
    selectByKeys<SellerStatsRow>(db, sellerStatsTable, streams.map((stream) => ({ seller_id: stream.id }))),
    loadGrouped<ProductRow>(db, productsTable, streams.flatMap((stream) => productKeys(stream.id, stream.entries)), (row) => row.product_id),
    loadGrouped<ReservationRow>(db, reservationsTable, streams.flatMap((stream) => reservationKeys(stream.id, stream.entries)), (row) => row.order_id),
  ]);
  const headById = new Map(heads.map((row) => [row.seller_id, row]));
  const written = { stats: [] as SellerStatsRow[], products: [] as ProductRow[], reservations: [] as ReservationRow[] };
  for (const stream of streams) {
    const head = headById.get(stream.id) ?? null;
    const fresh = unapplied(stream, head?.last_seq ?? 0);
    const first = fresh[0];
    if (first === undefined) continue;
    const fold: SellerFold = {
      stats: head ?? newStatsRow(stream.id, first),
      products: products.get(stream.id) ?? new Map(),
      reservations: reservations.get(stream.id) ?? new Map(),
      changedProducts: new Set(),
      changedReservations: new Set(),
    };
    for (const entry of fresh) applySellerEntry(stream, fold, entry);
    written.stats.push(fold.stats);
    for (const id of fold.changedProducts) written.products.push(required(fold.products.get(id), `product ${id}`));
    for (const id of fold.changedReservations) written.reservations.push(required(fold.reservations.get(id), `reservation ${id}`));
  }
  return [
    ...upsertStatement(sellerStatsTable, written.stats, 'update'),
    ...upsertStatement(productsTable, written.products, 'update'),
    ...upsertStatement(reservationsTable, written.reservations, 'update'),
  ];
}

/** Loads rows and groups them by seller, then by `idOf`. */
async function loadGrouped<R extends Row & { readonly seller_id: string }>(
  db: Db,
  spec: TableSpec,
  keys: readonly Row[],
  idOf: (row: R) => string,
): Promise<Map<string, Map<string, R>>> {
  const grouped = new Map<string, Map<string, R>>();
  for (const row of await selectByKeys<R>(db, spec, keys)) {
    const ofSeller = grouped.get(row.seller_id) ?? new Map<string, R>();
    ofSeller.set(idOf(row), row);
    grouped.set(row.seller_id, ofSeller);
  }
  return grouped;
}

function productKeys(sellerId: string, entries: readonly JournalEntry<SellerEvent>[]): Row[] {
  const ids = new Set<string>();
  for (const event of entries.flatMap((entry) => entry.events)) {
    if ('productId' in event) ids.add(event.productId);
    if (event.type === 'StockReserved' || event.type === 'StockReleased') for (const item of event.items) ids.add(item.productId);
  }
  return [...ids].map((productId) => ({ seller_id: sellerId, product_id: productId }));
}

function reservationKeys(sellerId: string, entries: readonly JournalEntry<SellerEvent>[]): Row[] {
  const ids = new Set<string>();
  for (const event of entries.flatMap((entry) => entry.events)) if ('orderId' in event) ids.add(event.orderId);
  return [...ids].map((orderId) => ({ seller_id: sellerId, order_id: orderId }));
}

function newStatsRow(sellerId: string, first: JournalEntry): SellerStatsRow {
  return {
    seller_id: sellerId,
    registered: false,
    name: '',
    email: '',
    status: 'ACTIVE',
    suspended_reason: null,
    registered_at: null,
    last_seq: 0,
    updated_at: first.at,
  };
}

function applySellerEntry(stream: Stream<SellerEvent>, fold: SellerFold, entry: JournalEntry<SellerEvent>): void {
  const where = `${stream.key} seq ${entry.seq}`;
  for (const event of entry.events) applySellerEvent(fold, event, entry, where);
  fold.stats = { ...fold.stats, last_seq: entry.seq, updated_at: entry.at };
}

function applySellerEvent(fold: SellerFold, event: SellerEvent, entry: JournalEntry, where: string): void {
  const { seq } = entry;
  const stats = fold.stats;
  switch (event.type) {
    case 'SellerRegistered':
      fold.stats = { ...stats, registered: true, name: event.name, email: event.email, registered_at: event.at };
      return;
    case 'SellerSuspended':
      fold.stats = { ...stats, status: 'SUSPENDED', suspended_reason: event.reason };
      return;
    case 'SellerReactivated':
      fold.stats = { ...stats, status: 'ACTIVE', suspended_reason: null };
      return;
    case 'ProductCreated':
    case 'ProductUpdated':
    case 'ProductDeleted':
    case 'ProductImageAdded':
      applyCatalogEvent(fold, event, seq, where);
      return;
    case 'StockReserved':
    case 'StockReleased':
      applyStockEvent(fold, event, seq, where);
      return;
    case 'ReservationFenced':
      // The event carries no time of its own; the entry's is when the release came.
      fold.reservations.set(event.orderId, fencedReservation(fold, event.orderId, entry, where));
      fold.changedReservations.add(event.orderId);
      return;
    case 'OrderOutcomeRecorded':
      return;
    default:
      assertNever(event);
  }
}

type CatalogEvent = Extract<SellerEvent, { type: 'ProductCreated' | 'ProductUpdated' | 'ProductDeleted' | 'ProductImageAdded' }>;

function applyCatalogEvent(fold: SellerFold, event: CatalogEvent, seq: number, where: string): void {
  const current = fold.products.get(event.productId);
  let next: ProductRow;
  if (event.type === 'ProductCreated') {
    if (current !== undefined) throw new Error(`read model: ${where} creates product ${event.productId}, which exists`);
    const { title, description, category, priceMinor, stock } = event.fields;
    next = {
      seller_id: fold.stats.seller_id,
      product_id: event.productId,
      title,
      description,
      category,
      price_minor: priceMinor,
      stock,
      images: [],
      deleted: false,
      created_at: event.at,
      updated_at: event.at,
      last_seq: seq,
    };
  } else {
    const product = required(current, `${where}: product ${event.productId}`);
    next = { ...applyProductChange(product, event), updated_at: event.at, last_seq: seq };
  }
  fold.products.set(event.productId, next);
  fold.changedProducts.add(event.productId);
}

function applyProductChange(product: ProductRow, event: Exclude<CatalogEvent, { type: 'ProductCreated' }>): ProductRow {
  switch (event.type) {
    case 'ProductUpdated': {
      const { title, description, category, priceMinor, stock } = event.patch;
      return {
        ...product,
        ...(title === undefined ? {} : { title }),
        ...(description === undefined ? {} : { description }),
        ...(category === undefined ? {} : { category }),
        ...(priceMinor === undefined ? {} : { price_minor: priceMinor }),
        ...(stock === undefined ? {} : { stock }),
      };
    }
    case 'ProductDeleted':
      return { ...product, deleted: true };
    case 'ProductImageAdded':
      return { ...product, images: [...product.images, event.imageKey] };
    default:
      return assertNever(event);
  }
}

type StockEvent = Extract<SellerEvent, { type: 'StockReserved' | 'StockReleased' }>;

/** Moves stock and records the reservation. As in the seller's evolve, a stock move leaves updated_at alone. */
function applyStockEvent(fold: SellerFold, event: StockEvent, seq: number, where: string): void {
  const direction = event.type === 'StockReserved' ? -1 : 1;
  for (const item of event.items) {
    const product = required(fold.products.get(item.productId), `${where}: product ${item.productId}`);
    fold.products.set(item.productId, { ...product, stock: product.stock + direction * item.qty, last_seq: seq });
    fold.changedProducts.add(item.productId);
  }
  const current = fold.reservations.get(event.orderId);
  const reservation: ReservationRow =
    event.type === 'StockReserved'
      ? {
          seller_id: fold.stats.seller_id,
          order_id: event.orderId,
          status: 'RESERVED',
          items: event.items,
          reserved_at: event.at,
          released_at: null,
          last_seq: seq,
        }
      : { ...required(current, `${where}: reservation of order ${event.orderId}`), status: 'RELEASED', released_at: event.at, last_seq: seq };
  fold.reservations.set(event.orderId, reservation);
  fold.changedReservations.add(event.orderId);
}

function fencedReservation(fold: SellerFold, orderId: string, entry: JournalEntry, where: string): ReservationRow {
  if (fold.reservations.has(orderId)) throw new Error(`read model: ${where} fences order ${orderId}, which has a reservation`);
  return { seller_id: fold.stats.seller_id, order_id: orderId, status: 'FENCED', items: [], reserved_at: null, released_at: entry.at, last_seq: entry.seq };
}

/** A row the seller's own stream created earlier; missing means a projection bug, never bad input. */
function required<Value>(value: Value | undefined, what: string): Value {
  if (value === undefined) throw new Error(`read model: ${what} is not projected`);
  return value;
}
