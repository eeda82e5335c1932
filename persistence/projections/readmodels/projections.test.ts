import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { CheckoutEvent } from '../../../actors/checkout/checkout-messages.ts';
import type { OrderEvent } from '../../../actors/order/order-messages.ts';
import type { PricedItem, SellerEvent } from '../../../actors/seller/seller-messages.ts';
import type { WalletEvent } from '../../../actors/wallet/wallet.ts';
import type { Db } from '../../adapters/db.ts';
import type { JournalEntry } from '../../adapters/journal.ts';
import { openMigratedPglite } from '../../adapters/testing/pglite-template.ts';
import { auditReadModels } from './audit.ts';
import { createReadModelConsumer, readModelConsumerName, truncateReadModels } from './consumer.ts';
import { dayMs, snapshotTables, t0 } from './readmodels.fixtures.ts';
import { ProjectionGapError } from './streams.ts';
import { checkoutKey, orderKey, sellerKey, walletKey } from '../../../actors/keys.ts';

let db: Db;
beforeAll(async () => {
  db = await openMigratedPglite();
});
beforeEach(async () => truncateReadModels(db));
afterAll(async () => db.close());

// ---------------------------------------------------------------------------------------------
// A hand-written journal holding every event type: order o1 completes, o2 is disputed and
// refunded, o3 fails, o4 completes without a fee (and is never shipped: released by a dispute).
// Orders o1 and o2 were journaled before the seller's stats moved to the orders read model, so
// their seller stream holds the legacy OrderOutcomeRecorded entries, which project to nothing.

const hourMs = 3_600_000;
const shippedAt = t0 + dayMs;
const releaseDueAt = shippedAt + 7 * dayMs;

function entry<E>(key: string, seq: number, at: number, events: E[]): JournalEntry<E> {
  return { key, seq, events, commandId: `${key}#${seq}`, at };
}
const wallet = (userId: string, seq: number, at: number, events: WalletEvent[]) => entry(walletKey(userId), seq, at, events);
const seller = (sellerId: string, seq: number, at: number, events: SellerEvent[]) => entry(sellerKey(sellerId), seq, at, events);
const order = (orderId: string, seq: number, at: number, events: OrderEvent[]) => entry(orderKey(orderId), seq, at, events);
const checkout = (checkoutId: string, seq: number, at: number, events: CheckoutEvent[]) => entry(checkoutKey(checkoutId), seq, at, events);

const o1Items: PricedItem[] = [
  { productId: 'mug', title: 'Big mug', qty: 2, unitPriceMinor: 1_100 },
  { productId: 'tea', title: 'Tea', qty: 4, unitPriceMinor: 250 },
];
const o2Items: PricedItem[] = [{ productId: 'tea', title: 'Tea', qty: 1, unitPriceMinor: 250 }];
const o4Items: PricedItem[] = [{ productId: 'tea', title: 'Tea', qty: 2, unitPriceMinor: 250 }];

const sellerEntries = [
  seller('s1', 1, t0, [{ type: 'SellerRegistered', name: 'Mugs & Tea', email: 's1@example.test', at: t0 }]),
  seller('s1', 2, t0 + 1, [
    { type: 'ProductCreated', productId: 'mug', fields: { title: 'Mug', description: 'A mug', priceMinor: 1_003, stock: 10, category: 'home' }, at: t0 + 1 },
    { type: 'ProductCreated', productId: 'tea', fields: { title: 'Tea', description: 'Loose tea', priceMinor: 250, stock: 20, category: 'tea' }, at: t0 + 1 },
  ]),
  seller('s1', 3, t0 + 2, [{ type: 'ProductUpdated', productId: 'mug', patch: { title: 'Big mug', priceMinor: 1_100 }, at: t0 + 2 }]),
  seller('s1', 4, t0 + 3, [{ type: 'ProductImageAdded', productId: 'mug', imageKey: 'products/mug/1.jpg', at: t0 + 3 }]),
  seller('s1', 5, t0 + 4, [{ type: 'ProductCreated', productId: 'old', fields: { title: 'Old', description: 'Gone', priceMinor: 99, stock: 1, category: 'home' }, at: t0 + 4 }]),
  seller('s1', 6, t0 + 5, [{ type: 'ProductDeleted', productId: 'old', at: t0 + 5 }]),
  seller('s1', 7, t0 + hourMs, [{ type: 'StockReserved', orderId: 'o1', items: o1Items, at: t0 + hourMs }]),
  seller('s1', 8, t0 + hourMs, [{ type: 'OrderOutcomeRecorded', orderId: 'o1', outcome: 'placed', atMs: t0 + hourMs }]),
  seller('s1', 9, shippedAt, [{ type: 'OrderOutcomeRecorded', orderId: 'o1', outcome: 'shipped', atMs: shippedAt }]),
  seller('s1', 10, shippedAt + 2 * dayMs, [{ type: 'OrderOutcomeRecorded', orderId: 'o1', outcome: 'completed', atMs: shippedAt + 2 * dayMs }]),
  seller('s1', 11, t0 + 2 * hourMs, [{ type: 'StockReserved', orderId: 'o2', items: o2Items, at: t0 + 2 * hourMs }]),
  seller('s1', 12, t0 + 2 * hourMs, [{ type: 'OrderOutcomeRecorded', orderId: 'o2', outcome: 'placed', atMs: t0 + 2 * hourMs }]),
  seller('s1', 13, t0 + dayMs, [{ type: 'OrderOutcomeRecorded', orderId: 'o2', outcome: 'disputed', atMs: t0 + dayMs }]),
  seller('s1', 14, t0 + 2 * dayMs, [{ type: 'StockReleased', orderId: 'o2', items: o2Items, at: t0 + 2 * dayMs }]),
  seller('s1', 15, t0 + 2 * dayMs, [{ type: 'OrderOutcomeRecorded', orderId: 'o2', outcome: 'cancelled', atMs: t0 + 2 * dayMs }]),
  seller('s1', 16, t0 + 3 * dayMs, [{ type: 'SellerSuspended', reason: 'late shipments', at: t0 + 3 * dayMs }]),
  seller('s1', 17, t0 + 4 * dayMs, [{ type: 'SellerReactivated', at: t0 + 4 * dayMs }]),
  seller('s1', 18, t0 + 3 * hourMs, [{ type: 'StockReserved', orderId: 'o4', items: o4Items, at: t0 + 3 * hourMs }]),
  seller('s1', 19, t0 + 5 * hourMs, [{ type: 'ReservationFenced', orderId: 'o3' }]),
  seller('s2', 1, t0, [{ type: 'SellerRegistered', name: 'Books', email: 's2@example.test', at: t0 }]),
  seller('s2', 2, t0 + dayMs, [{ type: 'SellerSuspended', reason: 'fraud review', at: t0 + dayMs }]),
];

const placed = (orderId: string, at: number, platformFeeBps = 250): OrderEvent[] => [
  { type: 'OrderPlaced', orderId, checkoutId: 'c1', buyerId: 'b1', sellerId: 's1', items: [{ productId: 'tea', qty: 1 }], platformFeeBps, at },
  { type: 'StepStarted', stepId: 'reserve_stock', target: 'seller:s1', command: { type: 'ReserveStock', orderId }, at },
  { type: 'TimerScheduled', timerId: 'retry-1', dueAt: at + 30_000, command: { type: 'RetrySteps', timerId: 'retry-1' } },
];

const orderEntries = [
  order('o1', 1, t0 + hourMs, placed('o1', t0 + hourMs)),
  order('o1', 2, t0 + hourMs, [
    { type: 'StepSucceeded', stepId: 'reserve_stock', at: t0 + hourMs },
    { type: 'OrderPriced', items: o1Items, totalMinor: 3_200, feeMinor: 80, at: t0 + hourMs },
  ]),
  order('o1', 3, t0 + hourMs, [{ type: 'OrderPaid', at: t0 + hourMs }, { type: 'TimerCancelled', timerId: 'retry-1' }]),
  order('o1', 4, shippedAt, [{ type: 'OrderShipped', at: shippedAt, releaseDueAt }]),
  order('o1', 5, shippedAt + dayMs, [
    { type: 'DeliveryConfirmed', at: shippedAt + dayMs },
    { type: 'ReleaseStarted', reason: 'buyer_confirmed', at: shippedAt + dayMs },
  ]),
  order('o1', 6, shippedAt + 2 * dayMs, [{ type: 'OrderCompleted', reason: 'buyer_confirmed', releasedMinor: 3_200, feeMinor: 80, at: shippedAt + 2 * dayMs }]),
  order('o2', 1, t0 + 2 * hourMs, placed('o2', t0 + 2 * hourMs)),
  order('o2', 2, t0 + 2 * hourMs, [{ type: 'OrderPriced', items: o2Items, totalMinor: 250, feeMinor: 6, at: t0 + 2 * hourMs }, { type: 'OrderPaid', at: t0 + 2 * hourMs }]),
  order('o2', 3, t0 + dayMs, [{ type: 'DisputeOpened', reason: 'never arrived', at: t0 + dayMs }]),
  order('o2', 4, t0 + 2 * dayMs, [
    { type: 'DisputeResolved', resolution: 'refund', adminId: 'a1', at: t0 + 2 * dayMs },
    { type: 'CancellationStarted', reason: 'dispute_refunded', at: t0 + 2 * dayMs },
  ]),
  order('o2', 5, t0 + 2 * dayMs, [{ type: 'OrderCancelled', reason: 'dispute_refunded', refundedMinor: 250, at: t0 + 2 * dayMs }]),
  order('o3', 1, t0 + 5 * hourMs, placed('o3', t0 + 5 * hourMs)),
  order('o3', 2, t0 + 5 * hourMs, [
    { type: 'StepFailed', stepId: 'stat_placed', code: 'timeout', message: 'A side step failing is no reason.', at: t0 + 5 * hourMs },
    { type: 'StepFailed', stepId: 'reserve_stock', code: 'out_of_stock', message: 'Not enough tea.', at: t0 + 5 * hourMs },
  ]),
  order('o3', 3, t0 + 5 * hourMs, [{ type: 'OrderFailed', code: 'out_of_stock', message: 'Not enough tea.', at: t0 + 5 * hourMs }]),
  order('o4', 1, t0 + 3 * hourMs, placed('o4', t0 + 3 * hourMs, 0)),
  order('o4', 2, t0 + 3 * hourMs, [{ type: 'OrderPriced', items: o4Items, totalMinor: 500, feeMinor: 0, at: t0 + 3 * hourMs }, { type: 'OrderPaid', at: t0 + 3 * hourMs }]),
  order('o4', 3, t0 + dayMs, [
    { type: 'DisputeOpened', reason: 'late', at: t0 + dayMs },
    { type: 'DisputeResolved', resolution: 'release', adminId: 'a1', at: t0 + dayMs },
    { type: 'ReleaseStarted', reason: 'dispute_released', at: t0 + dayMs },
  ]),
  order('o4', 4, t0 + dayMs, [{ type: 'OrderCompleted', reason: 'dispute_released', releasedMinor: 500, feeMinor: 0, at: t0 + dayMs }]),
];

const walletEntries = [
  wallet('b1', 1, t0, [{ type: 'Deposited', commandId: 'dep-1', amountMinor: 10_000 }]),
  wallet('b1', 2, t0 + hourMs, [{ type: 'DebitedForOrder', orderId: 'o1', amountMinor: 3_200 }]),
  wallet('b1', 3, t0 + 2 * hourMs, [{ type: 'DebitedForOrder', orderId: 'o2', amountMinor: 250 }]),
  wallet('b1', 4, t0 + 2 * dayMs, [{ type: 'OrderRefunded', orderId: 'o2', amountMinor: 250 }]),
  wallet('b1', 5, t0 + 3 * dayMs, [{ type: 'Withdrawn', commandId: 'wd-1', amountMinor: 1_000 }]),
  wallet('b1', 6, t0 + 3 * hourMs, [{ type: 'DebitedForOrder', orderId: 'o4', amountMinor: 500 }]),
  // o3 failed before it was paid; its undo found nothing to refund.
  wallet('b1', 7, t0 + 5 * hourMs, [{ type: 'OrderFenced', orderId: 'o3', side: 'buyer' }]),
  wallet('platform', 1, shippedAt + 2 * dayMs, [{ type: 'FeeCredited', orderId: 'o1', amountMinor: 80 }]),
  wallet('platform', 2, t0 + dayMs, [{ type: 'FeeCredited', orderId: 'o4', amountMinor: 0 }]),
  wallet('s1', 1, t0 + hourMs, [{ type: 'PendingCredited', orderId: 'o1', amountMinor: 3_200 }]),
  wallet('s1', 2, t0 + 2 * hourMs, [{ type: 'PendingCredited', orderId: 'o2', amountMinor: 250 }]),
  wallet('s1', 3, shippedAt + 2 * dayMs, [{ type: 'PendingReleased', orderId: 'o1', amountMinor: 3_200, feeMinor: 80 }]),
  wallet('s1', 4, t0 + 2 * dayMs, [{ type: 'PendingVoided', orderId: 'o2', amountMinor: 250 }]),
  wallet('s1', 5, t0 + 4 * dayMs, [{ type: 'Withdrawn', commandId: 'wd-2', amountMinor: 500 }]),
  wallet('s1', 6, t0 + 3 * hourMs, [{ type: 'PendingCredited', orderId: 'o4', amountMinor: 500 }]),
  wallet('s1', 7, t0 + dayMs, [{ type: 'PendingReleased', orderId: 'o4', amountMinor: 500, feeMinor: 0 }]),
];

const checkoutEntries = [checkout('c1', 1, t0, [{ type: 'CheckoutStarted', checkoutId: 'c1', buyerId: 'b1', orders: [], at: t0 }])];

/** Everything, in the (key, seq) order the event processor delivers. */
const journal: JournalEntry[] = [...checkoutEntries, ...orderEntries, ...sellerEntries, ...walletEntries].sort((left, right) =>
  left.key === right.key ? left.seq - right.seq : left.key < right.key ? -1 : 1,
);

const consumer = () => createReadModelConsumer(db);

function chunks<Value>(values: readonly Value[], size: number): Value[][] {
  return Array.from({ length: Math.ceil(values.length / size) }, (_, index) => values.slice(index * size, (index + 1) * size));
}

// ---------------------------------------------------------------------------------------------

describe('read-model projections', () => {
  it('is one consumer named read-models', () => {
    expect(consumer().name).toBe(readModelConsumerName);
    expect(readModelConsumerName).toBe('read-models');
  });

  it('projects wallets and their ledger lines', async () => {
    await consumer().handle(journal);
    expect(await db.query('SELECT id, user_id, currency, balance, locked_balance, deposited_total, withdrawn_total, last_seq FROM wallets ORDER BY id')).toEqual([
      { id: 'b1', user_id: 'b1', currency: 'USD', balance: 5_300, locked_balance: 0, deposited_total: 10_000, withdrawn_total: 1_000, last_seq: 7 },
      { id: 'platform', user_id: 'platform', currency: 'USD', balance: 80, locked_balance: 0, deposited_total: 0, withdrawn_total: 0, last_seq: 2 },
      { id: 's1', user_id: 's1', currency: 'USD', balance: 3_120, locked_balance: 0, deposited_total: 0, withdrawn_total: 500, last_seq: 7 },
    ]);
    expect(await db.query('SELECT id, wallet_id, amount, type, status, kind, order_id, locked_until, seq, last_seq FROM ledger_entries ORDER BY id')).toEqual([
      { id: 'wallet:b1:1:0', wallet_id: 'b1', amount: 10_000, type: 'CREDIT', status: 'COMPLETED', kind: 'deposit', order_id: null, locked_until: null, seq: 1, last_seq: 1 },
      { id: 'wallet:b1:2:0', wallet_id: 'b1', amount: 3_200, type: 'DEBIT', status: 'COMPLETED', kind: 'purchase', order_id: 'o1', locked_until: null, seq: 2, last_seq: 2 },
      { id: 'wallet:b1:3:0', wallet_id: 'b1', amount: 250, type: 'DEBIT', status: 'REFUNDED', kind: 'purchase', order_id: 'o2', locked_until: null, seq: 3, last_seq: 4 },
      { id: 'wallet:b1:4:0', wallet_id: 'b1', amount: 250, type: 'CREDIT', status: 'COMPLETED', kind: 'refund', order_id: 'o2', locked_until: null, seq: 4, last_seq: 4 },
      { id: 'wallet:b1:5:0', wallet_id: 'b1', amount: 1_000, type: 'DEBIT', status: 'COMPLETED', kind: 'withdrawal', order_id: null, locked_until: null, seq: 5, last_seq: 5 },
      { id: 'wallet:b1:6:0', wallet_id: 'b1', amount: 500, type: 'DEBIT', status: 'COMPLETED', kind: 'purchase', order_id: 'o4', locked_until: null, seq: 6, last_seq: 6 },
      // The zero fee of o4 (wallet:platform seq 2) writes no line.
      { id: 'wallet:platform:1:0', wallet_id: 'platform', amount: 80, type: 'CREDIT', status: 'COMPLETED', kind: 'platform_fee', order_id: 'o1', locked_until: null, seq: 1, last_seq: 1 },
      { id: 'wallet:s1:1:0', wallet_id: 's1', amount: 3_200, type: 'CREDIT', status: 'RELEASED', kind: 'sale', order_id: 'o1', locked_until: releaseDueAt, seq: 1, last_seq: 3 },
      // o2 never shipped, so its escrow had no release due time.
      { id: 'wallet:s1:2:0', wallet_id: 's1', amount: 250, type: 'CREDIT', status: 'VOIDED', kind: 'sale', order_id: 'o2', locked_until: null, seq: 2, last_seq: 4 },
      { id: 'wallet:s1:3:0:fee', wallet_id: 's1', amount: 80, type: 'DEBIT', status: 'RELEASED', kind: 'sale_fee', order_id: 'o1', locked_until: null, seq: 3, last_seq: 3 },
      { id: 'wallet:s1:5:0', wallet_id: 's1', amount: 500, type: 'DEBIT', status: 'COMPLETED', kind: 'withdrawal', order_id: null, locked_until: null, seq: 5, last_seq: 5 },
      { id: 'wallet:s1:6:0', wallet_id: 's1', amount: 500, type: 'CREDIT', status: 'RELEASED', kind: 'sale', order_id: 'o4', locked_until: null, seq: 6, last_seq: 7 },
    ]);
    const audit = await auditReadModels(db);
    expect(audit.anomalies).toEqual([]);
    expect(audit.ok).toBe(true);
  });

  it('projects orders and their priced lines', async () => {
    await consumer().handle(journal);
    const orders = await db.query('SELECT * FROM orders ORDER BY id');
    expect(orders).toHaveLength(4);
    expect(orders[0]).toMatchObject({
      id: 'o1',
      checkout_id: 'c1',
      buyer_id: 'b1',
      seller_id: 's1',
      status: 'COMPLETED',
      saga: null,
      total_minor: 3_200,
      fee_minor: 80,
      platform_fee_bps: 250,
      released_minor: 3_200,
      refunded_minor: null,
      placed_at: t0 + hourMs,
      priced_at: t0 + hourMs,
      paid_at: t0 + hourMs,
      shipped_at: shippedAt,
      delivered_at: shippedAt + dayMs,
      completed_at: shippedAt + 2 * dayMs,
      release_due_at: releaseDueAt,
      release_reason: 'buyer_confirmed',
      cancel_reason: null,
      dispute_reason: null,
      failure_code: null,
      last_seq: 6,
      updated_at: shippedAt + 2 * dayMs,
    });
    expect(orders[1]).toMatchObject({
      id: 'o2',
      status: 'CANCELLED',
      saga: null,
      refunded_minor: 250,
      cancelled_at: t0 + 2 * dayMs,
      cancel_reason: 'dispute_refunded',
      dispute_reason: 'never arrived',
      disputed_at: t0 + dayMs,
      dispute_resolution: 'refund',
      dispute_resolved_by: 'a1',
      dispute_resolved_at: t0 + 2 * dayMs,
      shipped_at: null,
      release_due_at: null,
    });
    // A failing side step (a legacy stat_placed) is not why the order failed; the first saga step is.
    expect(orders[2]).toMatchObject({ id: 'o3', status: 'FAILED', saga: null, failed_at: t0 + 5 * hourMs, failure_code: 'out_of_stock', failure_message: 'Not enough tea.', total_minor: 0 });
    expect(orders[3]).toMatchObject({ id: 'o4', status: 'COMPLETED', fee_minor: 0, platform_fee_bps: 0, release_reason: 'dispute_released', dispute_resolution: 'release' });
    expect(await db.query('SELECT * FROM order_items ORDER BY order_id, line_no')).toEqual([
      { order_id: 'o1', line_no: 0, seller_id: 's1', product_id: 'mug', title: 'Big mug', qty: 2, unit_price_minor: 1_100, line_total_minor: 2_200, seq: 2 },
      { order_id: 'o1', line_no: 1, seller_id: 's1', product_id: 'tea', title: 'Tea', qty: 4, unit_price_minor: 250, line_total_minor: 1_000, seq: 2 },
      { order_id: 'o2', line_no: 0, seller_id: 's1', product_id: 'tea', title: 'Tea', qty: 1, unit_price_minor: 250, line_total_minor: 250, seq: 2 },
      { order_id: 'o4', line_no: 0, seller_id: 's1', product_id: 'tea', title: 'Tea', qty: 2, unit_price_minor: 250, line_total_minor: 500, seq: 2 },
    ]);
  });

  it('projects the catalog, reservations and seller stats', async () => {
    await consumer().handle(journal);
    expect(await db.query('SELECT * FROM products ORDER BY seller_id, product_id')).toEqual([
      {
        seller_id: 's1',
        product_id: 'mug',
        title: 'Big mug',
        description: 'A mug',
        category: 'home',
        price_minor: 1_100,
        stock: 8,
        images: ['products/mug/1.jpg'],
        deleted: false,
        created_at: t0 + 1,
        updated_at: t0 + 3,
        last_seq: 7,
      },
      { seller_id: 's1', product_id: 'old', title: 'Old', description: 'Gone', category: 'home', price_minor: 99, stock: 1, images: [], deleted: true, created_at: t0 + 4, updated_at: t0 + 5, last_seq: 6 },
      // 20 − 4 (o1) − 1 (o2) + 1 (o2 released) − 2 (o4).
      { seller_id: 's1', product_id: 'tea', title: 'Tea', description: 'Loose tea', category: 'tea', price_minor: 250, stock: 14, images: [], deleted: false, created_at: t0 + 1, updated_at: t0 + 1, last_seq: 18 },
    ]);
    expect(await db.query('SELECT seller_id, order_id, status, reserved_at, released_at, last_seq FROM stock_reservations ORDER BY order_id')).toEqual([
      { seller_id: 's1', order_id: 'o1', status: 'RESERVED', reserved_at: t0 + hourMs, released_at: null, last_seq: 7 },
      { seller_id: 's1', order_id: 'o2', status: 'RELEASED', reserved_at: t0 + 2 * hourMs, released_at: t0 + 2 * dayMs, last_seq: 14 },
      { seller_id: 's1', order_id: 'o3', status: 'FENCED', reserved_at: null, released_at: t0 + 5 * hourMs, last_seq: 19 },
      { seller_id: 's1', order_id: 'o4', status: 'RESERVED', reserved_at: t0 + 3 * hourMs, released_at: null, last_seq: 18 },
    ]);
    expect(await db.query('SELECT * FROM seller_stats ORDER BY seller_id')).toEqual([
      {
        seller_id: 's1',
        registered: true,
        name: 'Mugs & Tea',
        email: 's1@example.test',
        status: 'ACTIVE',
        suspended_reason: null,
        registered_at: t0,
        last_seq: 19,
        updated_at: t0 + 5 * hourMs,
      },
      {
        seller_id: 's2',
        registered: true,
        name: 'Books',
        email: 's2@example.test',
        status: 'SUSPENDED',
        suspended_reason: 'fraud review',
        registered_at: t0,
        last_seq: 2,
        updated_at: t0 + dayMs,
      },
    ]);
  });

  it('projects a legacy OrderOutcomeRecorded entry as read: the seller row moves on to its seq and time, nothing else changes', async () => {
    const upTo = (seq: number) => sellerEntries.filter((item) => item.key === 'seller:s1' && item.seq <= seq);
    await consumer().handle(upTo(7));
    const before = await snapshotTables(db);
    const [legacy] = sellerEntries.filter((item) => item.key === 'seller:s1' && item.seq === 8);
    expect(legacy?.events.map((event) => event.type)).toEqual(['OrderOutcomeRecorded']);
    await consumer().handle(upTo(8));
    const after = await snapshotTables(db);
    expect(after['seller_stats']).toEqual(before['seller_stats']?.map((row) => ({ ...row, last_seq: 8, updated_at: t0 + hourMs })));
    expect({ ...after, seller_stats: [] }).toEqual({ ...before, seller_stats: [] });
  });

  it('leaves identical tables when the same batch is processed twice', async () => {
    await consumer().handle(journal);
    const once = await snapshotTables(db);
    await consumer().handle(journal);
    expect(await snapshotTables(db)).toEqual(once);
  });

  it('leaves identical tables when batches are split anyhow and delivered again later', async () => {
    await consumer().handle(journal);
    const expected = await snapshotTables(db);
    await truncateReadModels(db);
    const batches = chunks(journal, 7);
    for (const [index, batch] of batches.entries()) {
      await consumer().handle(batch);
      // At least once: an older batch comes again, and one overlapping the next.
      const older = batches[Math.max(0, index - 2)] ?? [];
      await consumer().handle(older);
      await consumer().handle([...batch.slice(3), ...(batches[index + 1]?.slice(0, 2) ?? [])]);
    }
    await consumer().handle(journal.slice(5, 40));
    expect(await snapshotTables(db)).toEqual(expected);
  });

  it('gives the same tables whichever stream comes first', async () => {
    await consumer().handle(journal);
    const expected = await snapshotTables(db);
    for (const first of [walletEntries, sellerEntries] as JournalEntry[][]) {
      await truncateReadModels(db);
      const firstSet = new Set(first);
      const rest = journal.filter((item) => !firstSet.has(item));
      await consumer().handle(first);
      await consumer().handle(rest);
      expect(await snapshotTables(db)).toEqual(expected);
    }
  });

  it('settles escrow lines from the order stream once it arrives', async () => {
    const o1Paid = orderEntries.filter((item) => item.key === 'order:o1' && item.seq <= 3);
    const s1Credit = walletEntries.filter((item) => item.key === 'wallet:s1' && item.seq === 1);
    const b1Debit = walletEntries.filter((item) => item.key === 'wallet:b1' && item.seq <= 2);
    await consumer().handle([...o1Paid, ...b1Debit, ...s1Credit]);
    const escrow = () => db.query("SELECT id, status, locked_until FROM ledger_entries WHERE order_id = 'o1' ORDER BY id");
    expect(await escrow()).toEqual([
      { id: 'wallet:b1:2:0', status: 'LOCKED', locked_until: null },
      { id: 'wallet:s1:1:0', status: 'LOCKED', locked_until: null },
    ]);
    await consumer().handle(orderEntries.filter((item) => item.key === 'order:o1' && item.seq === 4));
    expect(await escrow()).toEqual([
      { id: 'wallet:b1:2:0', status: 'LOCKED', locked_until: null },
      { id: 'wallet:s1:1:0', status: 'LOCKED', locked_until: releaseDueAt },
    ]);
    await consumer().handle(orderEntries.filter((item) => item.key === 'order:o1'));
    expect(await escrow()).toEqual([
      { id: 'wallet:b1:2:0', status: 'COMPLETED', locked_until: null },
      { id: 'wallet:s1:1:0', status: 'LOCKED', locked_until: releaseDueAt },
    ]);
  });

  it('sends the ledger reconcile only for orders whose lines it can change: not for a new order that is only placed and paid', async () => {
    const sent: string[] = [];
    const recording: Db = { ...db, batch: (statements) => (sent.push(...statements.map((statement) => statement.sql)), db.batch(statements)) };
    const reconciles = () => sent.filter((sql) => sql.includes('locked_until = CASE')).length;
    const recordingConsumer = createReadModelConsumer(recording);
    const o1 = (seqs: (seq: number) => boolean) => orderEntries.filter((item) => item.key === 'order:o1' && seqs(item.seq));
    await recordingConsumer.handle([...o1((seq) => seq <= 3), ...walletEntries.filter((item) => item.key === 'wallet:s1' && item.seq === 1)]);
    expect(reconciles()).toBe(0);
    await recordingConsumer.handle(o1((seq) => seq === 4));
    expect(reconciles()).toBe(1);
    expect(await db.query("SELECT locked_until FROM ledger_entries WHERE id = 'wallet:s1:1:0'")).toEqual([{ locked_until: releaseDueAt }]);
  });

  it('refuses a stream with a gap and applies none of its batch', async () => {
    const b1 = walletEntries.filter((item) => item.key === 'wallet:b1');
    await consumer().handle(b1.slice(0, 2));
    const before = await snapshotTables(db);
    const gap = consumer().handle([...sellerEntries, ...b1.slice(3)]);
    await expect(gap).rejects.toThrow(ProjectionGapError);
    await expect(gap).rejects.toThrow(/wallet:b1 are at seq 2 but the next entry delivered is seq 4/);
    expect(await snapshotTables(db)).toEqual(before);
  });

  it('refuses an order stream that does not start with OrderPlaced', async () => {
    await expect(consumer().handle([order('o9', 1, t0, [{ type: 'OrderPaid', at: t0 }])])).rejects.toThrow(/OrderPaid before OrderPlaced/);
  });

  it('ignores the streams of other actors', async () => {
    await consumer().handle(checkoutEntries);
    await consumer().handle([]);
    const snapshot = await snapshotTables(db);
    expect(Object.values(snapshot).every((rows) => rows.length === 0)).toBe(true);
  });
});
