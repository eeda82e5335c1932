/**
 * The `wallets` and `ledger_entries` read models, projected from wallet events
 * (actors/wallet/wallet.ts). Tables: migrations/004_read_models.sql.
 *
 * Ledger mapping: one line per money movement, id `${key}:${seq}:${eventIndex}` (a release's
 * fee line adds `:fee`), so a replay writes the same lines and never new ones.
 *
 *   Deposited        → CREDIT COMPLETED (kind deposit)
 *   Withdrawn        → DEBIT  COMPLETED (kind withdrawal)
 *   DebitedForOrder  → DEBIT  LOCKED    (kind purchase): the buyer's money in escrow. The line
 *                      becomes COMPLETED when the order completes (orders.status, projected from
 *                      the order stream) and REFUNDED on OrderRefunded.
 *   OrderRefunded    → the purchase line becomes REFUNDED, and a CREDIT COMPLETED line (kind
 *                      refund) of the refunded amount is added. The refund is a line of its own,
 *                      not only a status, because the wallet accepts a refund of less than the
 *                      debit: the debit line keeps what left, the refund line what came back.
 *   PendingCredited  → CREDIT LOCKED    (kind sale) on the seller's wallet. `locked_until` is the
 *                      order's release due time once it ships (orders.release_due_at), null before.
 *   PendingReleased  → the sale line becomes RELEASED, plus DEBIT RELEASED (kind sale_fee, id
 *                      `…:fee`) for the platform fee when it is more than 0: the fee is taken
 *                      out of the released sale, so both lines of one release say RELEASED (the
 *                      one vocabulary of the README's "Ledger statuses").
 *   PendingVoided    → the sale line becomes VOIDED.
 *   FeeCredited      → CREDIT COMPLETED (kind platform_fee) on wallet:platform, when more than 0.
 *   OrderFenced      → no line: an undo found nothing to undo, and no money moved.
 *
 * So for every wallet: balance = Σ CREDIT in (COMPLETED, RELEASED) − Σ DEBIT (any status), and
 * locked_balance = Σ CREDIT in LOCKED; auditReadModels (audit.ts) checks both.
 *
 * Two line facts come from the order stream, which the event processor may deliver before or
 * after the wallet's (it orders by key, not by time): the purchase's COMPLETED and the sale's
 * locked_until. `reconcileLedger` recomputes both from the orders table for every order a batch
 * touched, so the result is the same whichever stream comes first, live or in a rebuild.
 */
import { assertNever } from '../../../actors/decider.ts';
import type { WalletEvent } from '../../../actors/wallet/wallet.ts';
import type { Db, Row, Statement } from '../../adapters/db.ts';
import type { JournalEntry } from '../../adapters/journal.ts';
import { selectByKeys, upsertStatement, type TableSpec } from './sql.ts';
import { unapplied, type EventPosition, type Stream } from './streams.ts';

export interface WalletRow extends Row {
  readonly id: string;
  readonly user_id: string;
  readonly currency: string;
  readonly balance: number;
  readonly locked_balance: number;
  readonly deposited_total: number;
  readonly withdrawn_total: number;
  readonly last_seq: number;
  readonly created_at: number;
  readonly updated_at: number;
}

export type LedgerType = 'CREDIT' | 'DEBIT';
export type LedgerStatus = 'PENDING' | 'LOCKED' | 'RELEASED' | 'COMPLETED' | 'REFUNDED' | 'VOIDED';
export type LedgerKind = 'deposit' | 'withdrawal' | 'purchase' | 'refund' | 'sale' | 'sale_fee' | 'platform_fee';

export interface LedgerRow extends Row {
  readonly id: string;
  readonly wallet_id: string;
  readonly amount: number;
  readonly type: LedgerType;
  readonly status: LedgerStatus;
  readonly kind: LedgerKind;
  readonly locked_until: number | null;
  readonly order_id: string | null;
  readonly created_at: number;
  readonly seq: number;
  readonly last_seq: number;
}

/** A later wallet event settling an escrow line of the same wallet and order. */
interface StatusChange extends Row {
  readonly wallet_id: string;
  readonly order_id: string;
  readonly kind: 'purchase' | 'sale';
  readonly status: LedgerStatus;
  /** The entry that settled it; only lines written before it change. */
  readonly last_seq: number;
}

export const walletsTable: TableSpec = {
  table: 'wallets',
  columns: {
    id: 'text',
    user_id: 'text',
    currency: 'text',
    balance: 'bigint',
    locked_balance: 'bigint',
    deposited_total: 'bigint',
    withdrawn_total: 'bigint',
    last_seq: 'integer',
    created_at: 'bigint',
    updated_at: 'bigint',
  },
  key: ['id'],
  versionColumn: 'last_seq',
};

export const ledgerTable: TableSpec = {
  table: 'ledger_entries',
  columns: {
    id: 'text',
    wallet_id: 'text',
    amount: 'bigint',
    type: 'text',
    status: 'text',
    kind: 'text',
    locked_until: 'bigint',
    order_id: 'text',
    created_at: 'bigint',
    seq: 'integer',
    last_seq: 'integer',
  },
  key: ['id'],
};

interface WalletChanges {
  readonly lines: LedgerRow[];
  readonly statusChanges: StatusChange[];
}

/**
 * Projects the new entries of every wallet stream in the batch and adds the order ids whose
 * lines it wrote to `touchedOrders`, for `reconcileLedger`.
 */
export async function projectWallets(db: Db, streams: readonly Stream<WalletEvent>[], touchedOrders: Set<string>): Promise<Statement[]> {
  if (streams.length === 0) return [];
  const heads = await selectByKeys<WalletRow>(db, walletsTable, streams.map((stream) => ({ id: stream.id })));
  const headById = new Map(heads.map((row) => [row.id, row]));
  const rows: WalletRow[] = [];
  const changes: WalletChanges = { lines: [], statusChanges: [] };
  for (const stream of streams) {
    const head = headById.get(stream.id) ?? null;
    const fresh = unapplied(stream, head?.last_seq ?? 0);
    const first = fresh[0];
    if (first === undefined) continue;
    let row = head ?? newWalletRow(stream.id, first);
    for (const entry of fresh) row = applyWalletEntry(row, entry, changes);
    rows.push(row);
  }
  for (const line of changes.lines) if (line.order_id !== null) touchedOrders.add(line.order_id);
  return [...upsertStatement(walletsTable, rows, 'update'), ...upsertStatement(ledgerTable, changes.lines, 'nothing'), ...statusChangeStatements(changes.statusChanges)];
}

function newWalletRow(id: string, first: JournalEntry): WalletRow {
  return {
    id,
    user_id: id,
    currency: 'USD',
    balance: 0,
    locked_balance: 0,
    deposited_total: 0,
    withdrawn_total: 0,
    last_seq: 0,
    created_at: first.at,
    updated_at: first.at,
  };
}

function applyWalletEntry(row: WalletRow, entry: JournalEntry<WalletEvent>, changes: WalletChanges): WalletRow {
  let next = row;
  entry.events.forEach((event, index) => {
    next = applyWalletEvent(next, event, { key: entry.key, seq: entry.seq, index, at: entry.at }, changes);
  });
  return { ...next, last_seq: entry.seq, updated_at: entry.at };
}

/** Applies one event to the wallet row and records its ledger lines; mirrors the wallet's evolve. */
function applyWalletEvent(row: WalletRow, event: WalletEvent, at: EventPosition, changes: WalletChanges): WalletRow {
  const line = (amount: number, type: LedgerType, status: LedgerStatus, kind: LedgerKind, orderId: string | null, idSuffix = '') => {
    if (amount > 0) changes.lines.push(ledgerLine(row.id, at, amount, type, status, kind, orderId, idSuffix));
  };
  const settle = (orderId: string, kind: StatusChange['kind'], status: LedgerStatus) => {
    changes.statusChanges.push({ wallet_id: row.id, order_id: orderId, kind, status, last_seq: at.seq });
  };
  switch (event.type) {
    case 'Deposited':
      line(event.amountMinor, 'CREDIT', 'COMPLETED', 'deposit', null);
      return { ...row, balance: row.balance + event.amountMinor, deposited_total: row.deposited_total + event.amountMinor };
    case 'Withdrawn':
      line(event.amountMinor, 'DEBIT', 'COMPLETED', 'withdrawal', null);
      return { ...row, balance: row.balance - event.amountMinor, withdrawn_total: row.withdrawn_total + event.amountMinor };
    case 'DebitedForOrder':
      line(event.amountMinor, 'DEBIT', 'LOCKED', 'purchase', event.orderId);
      return { ...row, balance: row.balance - event.amountMinor };
    case 'OrderRefunded':
      settle(event.orderId, 'purchase', 'REFUNDED');
      line(event.amountMinor, 'CREDIT', 'COMPLETED', 'refund', event.orderId);
      return { ...row, balance: row.balance + event.amountMinor };
    case 'PendingCredited':
      line(event.amountMinor, 'CREDIT', 'LOCKED', 'sale', event.orderId);
      return { ...row, locked_balance: row.locked_balance + event.amountMinor };
    case 'PendingReleased':
      settle(event.orderId, 'sale', 'RELEASED');
      line(event.feeMinor, 'DEBIT', 'RELEASED', 'sale_fee', event.orderId, ':fee');
      return {
        ...row,
        locked_balance: row.locked_balance - event.amountMinor,
        balance: row.balance + event.amountMinor - event.feeMinor,
      };
    case 'PendingVoided':
      settle(event.orderId, 'sale', 'VOIDED');
      return { ...row, locked_balance: row.locked_balance - event.amountMinor };
    case 'FeeCredited':
      line(event.amountMinor, 'CREDIT', 'COMPLETED', 'platform_fee', event.orderId);
      return { ...row, balance: row.balance + event.amountMinor };
    case 'OrderFenced':
      return row;
    default:
      return assertNever(event);
  }
}

function ledgerLine(
  walletId: string,
  at: EventPosition,
  amount: number,
  type: LedgerType,
  status: LedgerStatus,
  kind: LedgerKind,
  orderId: string | null,
  idSuffix: string,
): LedgerRow {
  return {
    id: `${at.key}:${at.seq}:${at.index}${idSuffix}`,
    wallet_id: walletId,
    amount,
    type,
    status,
    kind,
    // Set by reconcileLedger from the order, which may not be projected yet.
    locked_until: null,
    order_id: orderId,
    created_at: at.at,
    seq: at.seq,
    last_seq: at.seq,
  };
}

/**
 * Settles escrow lines. A change touches only lines written before its entry, so a batch gives
 * the same lines however the processor split the stream. Changes of one line run in separate
 * statements (rounds), in journal order, because one UPDATE may change a row only once.
 */
function statusChangeStatements(changes: readonly StatusChange[]): Statement[] {
  const rounds: StatusChange[][] = [];
  const seen = new Map<string, number>();
  for (const change of changes) {
    const target = JSON.stringify([change.wallet_id, change.order_id, change.kind]);
    const round = seen.get(target) ?? 0;
    seen.set(target, round + 1);
    (rounds[round] ??= []).push(change);
  }
  return rounds.map((round) => ({
    sql: `UPDATE ledger_entries l SET status = c.status, last_seq = c.last_seq
       FROM json_to_recordset($1::json) AS c(wallet_id text, order_id text, kind text, status text, last_seq integer)
       WHERE l.wallet_id = c.wallet_id AND l.order_id = c.order_id AND l.kind = c.kind AND l.seq < c.last_seq`,
    params: [JSON.stringify(round)],
  }));
}

/**
 * Recomputes the ledger facts that come from the order stream, for the orders a batch touched
 * (from either side): a purchase still LOCKED becomes COMPLETED once its order is COMPLETED, and
 * a sale's locked_until is its order's release due time (null until the order ships).
 *
 * One statement for both facts (a statement costs PGlite far more than the rows it touches),
 * driven by the ids: each id finds its order and its ledger lines through their indexes
 * (`LATERAL … OFFSET 0`, which the planner cannot flatten), and the lines to change are updated
 * by primary key. Left to join `orders` and `ledger_entries` itself, the planner trusted its
 * estimate that the ids match one ledger line, and on PostgreSQL rescanned all of `orders` for
 * every line the ids matched: 132 ms a call at 20,000 orders (pg_stat_statements).
 */
export function reconcileLedger(orderIds: ReadonlySet<string>): Statement[] {
  if (orderIds.size === 0) return [];
  return [
    {
      sql: `UPDATE ledger_entries l SET
       status = CASE WHEN c.kind = 'purchase' THEN 'COMPLETED' ELSE l.status END,
       locked_until = CASE WHEN c.kind = 'sale' THEN c.release_due_at ELSE l.locked_until END
     FROM (
       SELECT line.id, line.kind, o.release_due_at
       FROM unnest($1::text[]) AS k(id)
       CROSS JOIN LATERAL (SELECT status, release_due_at FROM orders WHERE id = k.id OFFSET 0) o
       CROSS JOIN LATERAL (SELECT id, kind, status, locked_until FROM ledger_entries WHERE order_id = k.id OFFSET 0) line
       WHERE (line.kind = 'purchase' AND o.status = 'COMPLETED' AND line.status = 'LOCKED')
          OR (line.kind = 'sale' AND line.locked_until IS DISTINCT FROM o.release_due_at)
     ) c
     WHERE l.id = c.id`,
      params: [[...orderIds]],
    },
  ];
}
