/**
 * The read-model consumer of the event processor (runtime/processor.ts): applies a batch of
 * journal entries to every read-model table in one transaction, so a batch is projected
 * entirely or not at all.
 *
 * Idempotent, as delivery is at least once: each stream's head row (wallets, orders,
 * seller_stats) records the last seq applied, entries at or below it are skipped, and every
 * row a projection writes is a function of the journal alone. Reprocessing a batch, any later
 * re-delivery, or a rebuild from scratch leaves the same tables.
 *
 * Within a batch the order streams go first, so the wallet lines written after them and the
 * final reconcile see the batch's order facts; the result does not depend on that order, only
 * the number of statements does (wallets.ts explains the two facts that cross streams).
 */
import type { Consumer } from '../../adapters/consumer.ts';
import type { Db } from '../../adapters/db.ts';
import type { JournalEntry } from '../../adapters/journal.ts';
import { orderItemsTable, ordersTable, projectOrders } from './orders.ts';
import { productsTable, projectSellers, reservationsTable, sellerStatsTable } from './sellers.ts';
import { groupStreams } from './streams.ts';
import { ledgerTable, projectWallets, reconcileLedger, walletsTable } from './wallets.ts';

export const readModelConsumerName = 'read-models';

/** Every read-model table, for rebuilds and for test harnesses that empty the journal. */
export const readModelTables: readonly string[] = [
  walletsTable.table,
  ledgerTable.table,
  ordersTable.table,
  orderItemsTable.table,
  productsTable.table,
  reservationsTable.table,
  sellerStatsTable.table,
];

export function createReadModelConsumer(db: Db): Consumer {
  return {
    name: readModelConsumerName,
    handle: async (entries) => {
      if (entries.length === 0) return;
      await db.transaction((tx) => applyBatch(tx, entries));
    },
  };
}

/** Projects a batch inside the caller's transaction. */
export async function applyBatch(tx: Db, entries: readonly JournalEntry[]): Promise<void> {
  const streams = groupStreams(entries);
  const touchedOrders = new Set<string>();
  await projectOrders(tx, streams.orders, touchedOrders);
  await projectSellers(tx, streams.sellers);
  await projectWallets(tx, streams.wallets, touchedOrders);
  await reconcileLedger(tx, touchedOrders);
}

/**
 * Empties every read-model table. Whoever empties the journal must call this too: rows left
 * behind would hold seqs the new journal has not reached, and its entries would be skipped.
 */
export async function truncateReadModels(db: Db): Promise<void> {
  await db.query(`TRUNCATE ${readModelTables.join(', ')}`);
}
