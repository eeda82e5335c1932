import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { evolve as evolveOrder, initialState as initialOrder } from '../../../actors/order/order-evolve.ts';
import type { OrderEvent } from '../../../actors/order/order-messages.ts';
import { evolve as evolveSeller, initialState as initialSeller } from '../../../actors/seller/seller-evolve.ts';
import type { SellerEvent } from '../../../actors/seller/seller-messages.ts';
import { evolve as evolveWallet, initialState as initialWallet, type WalletEvent } from '../../../actors/wallet/wallet.ts';
import type { Db } from '../../adapters/db.ts';
import { openMigratedPglite } from '../../adapters/testing/pglite-template.ts';
import { SqlJournal } from '../../adapters/sql-journal.ts';
import { auditLedger, auditReadModels } from './audit.ts';
import { createReadModelConsumer, truncateReadModels } from './consumer.ts';
import { appendAll, seededRandom, simulateMarket, snapshotTables, type Market } from './readmodels.fixtures.ts';
import { countEntries, rebuildReadModels, type RebuildProgress } from './rebuild.ts';

const seed = 20_260_101;
const market: Market = simulateMarket({ seed, buyers: 30, sellers: 6, productsPerSeller: 5, orders: 200, cashMoves: 120 });

let db: Db;
let journal: SqlJournal;
beforeAll(async () => {
  db = await openMigratedPglite();
  journal = new SqlJournal(db, { batching: true, maxBatch: 500, maxWaitMs: 0 });
});
beforeEach(async () => {
  await truncateReadModels(db);
  await db.query('TRUNCATE journal');
});
afterAll(async () => {
  await journal.close();
  await db.close();
});

/**
 * Appends the market a few entries at a time and, in between, runs event-processor rounds as
 * runtime/processor.ts does (read unprocessed, hand to the consumer, mark processed), with batch
 * sizes that cut streams anywhere. Now and then a round "crashes" before its checkpoint, so the
 * same entries are delivered again in the next round.
 */
async function appendAndProjectLive(random: () => number): Promise<void> {
  const consumer = createReadModelConsumer(db);
  const seqs = new Map<string, number>();
  let position = 0;
  const round = async () => {
    const entries = await journal.readAfter(position, 1 + Math.floor(random() * 60));
    await consumer.handle(entries);
    // One round in ten is handed over again, as after a crash before the checkpoint.
    if (random() < 0.1) return entries.length;
    position = entries.at(-1)?.position ?? position;
    return entries.length;
  };
  for (let start = 0; start < market.appends.length; ) {
    const end = start + 1 + Math.floor(random() * 40);
    await appendAll(journal, market.appends.slice(start, end), seqs);
    start = end;
    for (let rounds = Math.floor(random() * 3); rounds > 0; rounds -= 1) await round();
  }
  while ((await round()) > 0);
}

describe('the simulated market', () => {
  it('is a history the actors’ own evolve functions accept', () => {
    const streams = new Map<string, unknown[]>();
    for (const { key, entry } of market.appends) streams.set(key, [...(streams.get(key) ?? []), ...entry.events]);
    for (const [key, events] of streams) {
      if (key.startsWith('wallet:')) (events as WalletEvent[]).reduce(evolveWallet, initialWallet);
      else if (key.startsWith('seller:')) (events as SellerEvent[]).reduce(evolveSeller, initialSeller);
      else if (key.startsWith('order:')) (events as OrderEvent[]).reduce(evolveOrder, initialOrder);
      else throw new Error(`unexpected key ${key}`);
    }
  });

  it('covers every way an order can end, and leaves money in flight', () => {
    expect(Object.keys(market.outcomes).sort()).toEqual([
      'cancelled_ship_by',
      'cancelled_unshipped',
      'completed_auto',
      'completed_confirmed',
      'dispute_open',
      'dispute_refund',
      'dispute_release',
      'failed_insufficient_funds',
      'failed_out_of_stock',
      'paid',
      'shipped',
      'stuck_after_debit',
      'stuck_releasing',
    ]);
    expect(BigInt(market.expected.inFlightMinor)).toBeGreaterThan(0n);
    expect(market.appends.length).toBeGreaterThan(2_000);
  });
});

describe('rebuildReadModels', () => {
  it('rebuilds from the journal exactly the tables the live projection built, row for row', async () => {
    await appendAndProjectLive(seededRandom(seed + 1));
    const live = await snapshotTables(db);
    expect(live['orders']).toHaveLength(200);
    expect(live['ledger_entries']?.length).toBeGreaterThan(500);

    const progress: RebuildProgress[] = [];
    let clockMs = 0;
    const result = await rebuildReadModels(db, journal, { pageSize: 97, onProgress: (item) => progress.push(item), nowMs: () => (clockMs += 5) });
    expect(await snapshotTables(db)).toEqual(live);

    expect(result.entries).toBe(market.appends.length);
    expect(progress[0]).toEqual({ done: 0, total: market.appends.length, elapsedMs: 0 });
    expect(progress.at(-1)).toMatchObject({ done: market.appends.length, total: market.appends.length });
    expect(progress.map((item) => item.done)).toEqual([...progress.map((item) => item.done)].sort((left, right) => left - right));
    expect(progress).toHaveLength(1 + Math.ceil(market.appends.length / 97));
  });

  it('audits clean from the journal and from the read models, with the simulation’s totals', async () => {
    await appendAll(journal, market.appends);
    await rebuildReadModels(db, journal);
    const journalAudit = await auditLedger(journal);
    expect(journalAudit.anomalies).toEqual([]);
    expect(journalAudit).toMatchObject({ ok: true, source: 'journal', wallets: 37 });
    expect(journalAudit.totals).toEqual({ ...market.expected, strandedMinor: '0', driftMinor: '0' });
    const readModelAudit = await auditReadModels(db, { journalAudit });
    expect(readModelAudit.anomalies).toEqual([]);
    expect(readModelAudit.ok).toBe(true);
    expect(readModelAudit.totals).toEqual(journalAudit.totals);
    expect(readModelAudit.inFlight).toEqual(journalAudit.inFlight);
  });

  it('repairs read models that were tampered with or emptied', async () => {
    await appendAll(journal, market.appends);
    await rebuildReadModels(db, journal, { pageSize: 500 });
    const expected = await snapshotTables(db);
    await db.query("UPDATE wallets SET balance = balance + 1 WHERE id = 'b1'");
    await db.query('DELETE FROM orders WHERE id IN (SELECT id FROM orders ORDER BY id LIMIT 10)');
    await db.query('TRUNCATE products');
    const broken = await auditReadModels(db);
    expect(broken.ok).toBe(false);
    expect(broken.anomalies).toContainEqual(expect.objectContaining({ kind: 'ledger_mismatch', walletId: 'b1' }));
    await rebuildReadModels(db, journal, { pageSize: 500 });
    expect(await snapshotTables(db)).toEqual(expected);
  });

  it('counts the journal through the port, and rebuilds an empty journal to empty tables', async () => {
    expect(await countEntries(journal)).toBe(0);
    const progress: RebuildProgress[] = [];
    expect((await rebuildReadModels(db, journal, { onProgress: (item) => progress.push(item) })).entries).toBe(0);
    expect(progress).toEqual([{ done: 0, total: 0, elapsedMs: 0 }]);
    await appendAll(journal, market.appends.slice(0, 321));
    expect(await countEntries(journal)).toBe(321);
  });

  it('refuses a page size that is not a positive whole number', async () => {
    await expect(rebuildReadModels(db, journal, { pageSize: 0 })).rejects.toThrow(RangeError);
  });
});
