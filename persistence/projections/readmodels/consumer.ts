/**
 * The read-model consumer of the event processor (runtime/processor.ts): applies a batch of
 * journal entries to every read-model table in one transaction, so a batch is projected
 * entirely or not at all. It first reads the rows the batch builds on, all at once, then hands
 * the store every write as one batch (Db.batch). On PGlite the reads run outside any transaction
 * (this process is the only writer, and every write is guarded by the row's seq), so the store
 * never sits in an open transaction waiting for the runtime's thread to send its next statement;
 * on PostgreSQL, where several processes may run this consumer, see `applyBatch`.
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
import type { Db, Statement } from '../../adapters/db.ts';
import type { JournalEntry } from '../../adapters/journal.ts';
import { orderItemsTable, ordersTable, projectOrders } from './orders.ts';
import { productsTable, projectSellers, reservationsTable, sellerStatsTable } from './sellers.ts';
import { withRoundReads } from './round-reads.ts';
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
      await applyBatch(db, entries);
    },
  };
}

/**
 * Several processes may run this consumer over one PostgreSQL (cluster mode, issue #16: every
 * node runs every consumer). Reading the rows outside a transaction is then wrong: a batch read
 * its stream's head and the rows it folds over in separate snapshots, another node's batch
 * committed in between, and entries were applied to the wrong base (a product's stock two units
 * off its rebuild, found by the three-node proof; concurrent-consumers.int.test.ts). On
 * PostgreSQL the batch therefore reads and writes in one transaction that first takes this
 * advisory lock, so batches of every process apply one after another, each on what the previous
 * one committed. PGlite is one process by nature and keeps the cheaper path (no open
 * transaction while the runtime's thread computes the writes).
 */
const readModelsLockSql = "SELECT pg_advisory_xact_lock(hashtext('bazaary:read-models'))";

/** Projects a batch: on a Db, as one transaction; on a transaction's Db, inside it. */
export async function applyBatch(db: Db, entries: readonly JournalEntry[]): Promise<void> {
  if (db.dialect !== 'postgres') {
    await db.batch(await projectionStatements(db, entries));
    return;
  }
  await db.transaction(async (tx) => {
    await tx.query(readModelsLockSql);
    await tx.batch(await projectionStatements(tx, entries));
  });
}

/** Reads what a batch's streams build on and returns every write that projects it, in order. */
async function projectionStatements(store: Db, entries: readonly JournalEntry[]): Promise<Statement[]> {
  const db = withRoundReads(store);
  const streams = groupStreams(entries);
  const touchedOrders = new Set<string>();
  const ledgerUnchanged = new Set<string>();
  const [orders, sellers, wallets] = await Promise.all([
    projectOrders(db, streams.orders, touchedOrders, ledgerUnchanged),
    projectSellers(db, streams.sellers),
    projectWallets(db, streams.wallets, touchedOrders),
  ]);
  for (const orderId of ledgerUnchanged) touchedOrders.delete(orderId);
  return [...orders, ...sellers, ...wallets, ...reconcileLedger(touchedOrders)];
}

/**
 * Empties every read-model table. Whoever empties the journal must call this too: rows left
 * behind would hold seqs the new journal has not reached, and its entries would be skipped.
 */
export async function truncateReadModels(db: Db): Promise<void> {
  await db.query(`TRUNCATE ${readModelTables.join(', ')}`);
}
