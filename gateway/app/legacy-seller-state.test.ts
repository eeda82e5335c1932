/**
 * A seller saved before its stats moved to the orders read model: its journal holds
 * OrderOutcomeRecorded entries and its snapshot (state version 2) holds the stats, the outcomes
 * counted and each reservation's placedAtMs. The seller decider is at version 3, so the runtime
 * replays the journal instead of loading that snapshot, and the legacy stat step of an order
 * journaled before still finishes there without an entry.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JournalEntry } from '../../persistence/adapters/journal.ts';
import type { SellerEvent } from '../../actors/seller/seller-messages.ts';
import { sellerDecider } from '../../actors/seller/seller.ts';
import { replay } from '../../runtime/entity.ts';
import { openHarness, type Harness } from '../../runtime/testing/harness.ts';

let harness: Harness;
beforeAll(async () => {
  harness = await openHarness();
});
afterAll(async () => harness?.close());

const key = 'seller:s1';
const at = Date.UTC(2026, 0, 1);
const mug = { productId: 'mug', title: 'Mug', qty: 2, unitPriceMinor: 1_000 };

const oldJournal: JournalEntry<SellerEvent>[] = [
  { key, seq: 1, commandId: 'register', at, events: [{ type: 'SellerRegistered', name: 'Ada', email: 'ada@example.test', at }] },
  {
    key,
    seq: 2,
    commandId: 'create-mug',
    at,
    events: [{ type: 'ProductCreated', productId: 'mug', fields: { title: 'Mug', description: 'A mug.', priceMinor: 1_000, stock: 5, category: 'home' }, at }],
  },
  { key, seq: 3, commandId: 'reserve:o1', at, events: [{ type: 'StockReserved', orderId: 'o1', items: [mug], at }] },
  { key, seq: 4, commandId: 'stat:o1:placed', at, events: [{ type: 'OrderOutcomeRecorded', orderId: 'o1', outcome: 'placed', atMs: at }] },
];

/** The state the version-2 seller saved after those entries, in its old shape. */
const versionTwoState = {
  registered: true,
  name: 'Ada',
  email: 'ada@example.test',
  lifecycleState: 'ACTIVE',
  products: { mug: { productId: 'mug', title: 'Mug', description: 'A mug.', priceMinor: 1_000, stock: 3, category: 'home', images: [], deleted: false, createdAt: at, updatedAt: at } },
  reservations: { o1: { items: [mug], status: 'RESERVED', placedAtMs: at } },
  fencedOrders: {},
  recordedOutcomes: { 'o1:placed': true },
  stats: { ordersPlaced: 1, ordersShipped: 0, ordersCompleted: 0, ordersCancelled: 0, ordersDisputed: 0, shipTimeTotalMs: 0 },
};

describe('a seller saved at state version 2 (with stats)', () => {
  it('is replayed from its journal instead of loaded from its snapshot, and finishes a legacy stat step without an entry', async () => {
    await harness.journal.commit(oldJournal);
    await harness.snapshots.save({ key, seq: 4, version: 2, state: versionTwoState, at });
    const sellers = harness.runtime().register(sellerDecider);

    const loaded = await sellers.inspect('s1');
    expect(loaded).toEqual({ ok: true, state: replay(sellerDecider, oldJournal), seq: 4 });
    if (!loaded.ok) return;
    expect(loaded.state).not.toHaveProperty('stats');
    expect(loaded.state).not.toHaveProperty('recordedOutcomes');
    expect(loaded.state.reservations['o1']).toEqual({ items: [mug], status: 'RESERVED' });
    expect(loaded.state.products['mug']?.stock).toBe(3);

    // The shipped outcome of an order journaled before: accepted, and nothing is written.
    const recorded = await sellers.ask('s1', { type: 'RecordOrderOutcome', orderId: 'o1', outcome: 'shipped', atMs: at + 1 });
    expect(recorded).toMatchObject({ ok: true, events: [] });
    expect(await harness.journal.lastSeq(key)).toBe(4);
    // The seller goes on as any other.
    const released = await sellers.ask('s1', { type: 'ReleaseStock', orderId: 'o1' });
    expect(released).toMatchObject({ ok: true, seq: 5, events: [{ type: 'StockReleased', orderId: 'o1', items: [mug] }] });
  });
});
