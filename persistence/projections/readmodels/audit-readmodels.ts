/**
 * The read-model side of the ledger audit (see audit.ts): the same totals computed from the
 * `wallets`, `ledger_entries` and `orders` tables, compared with the journal's.
 */
import type { OrderStatus } from '../../../actors/order/order-messages.ts';
import type { Db } from '../../adapters/db.ts';
import { bigintOf } from './sql.ts';
import type { LedgerAnomaly, LedgerAudit, LedgerTotals, MoneyStep, ReportInput } from './audit-report.ts';
import { defaultMaxListed, moneySteps, report } from './audit-report.ts';

// ---------------------------------------------------------------------------------------------
// The read-model audit

export interface ReadModelAuditOptions {
  /** The journal's audit to compare totals with; without it the read models are judged alone. */
  readonly journalAudit?: LedgerAudit;
  readonly maxListed?: number;
}

/**
 * Audits the `wallets` and `ledger_entries` tables: each wallet row must equal the sum of its
 * lines (wallets.ts states the identity), the totals must balance as in the journal audit, and,
 * given `journalAudit`, every total must equal the journal's. Read it on a quiet system (or
 * after a rebuild): the event processor may be mid-way through the journal.
 *
 * Repeats are counted from lines, so a second release or void of one pending credit (which
 * settles the same line again) and a repeated zero fee (which writes no line) show in the
 * journal audit only; their money shows in both.
 */
export async function auditReadModels(db: Db, options: ReadModelAuditOptions = {}): Promise<LedgerAudit> {
  const maxListed = options.maxListed ?? defaultMaxListed;
  const sums = await walletSums(db);
  const anomalies: LedgerAnomaly[] = [...(await negativeWallets(db, maxListed)), ...(await ledgerMismatches(db, maxListed))];
  const orders = await ordersInFlight(db);
  const audit = report({ source: 'read_models', asOfMs: null, wallets: sums.wallets, sums, orders, anomalies, maxListed });
  const reference = options.journalAudit;
  if (reference === undefined) return audit;
  const mismatches: LedgerAnomaly[] = [];
  for (const total of Object.keys(audit.totals) as (keyof LedgerTotals)[]) {
    if (audit.totals[total] !== reference.totals[total]) {
      mismatches.push({ kind: 'totals_mismatch', total, readModelMinor: audit.totals[total], journalMinor: reference.totals[total] });
    }
  }
  if (mismatches.length === 0) return audit;
  return { ...audit, ok: false, anomalies: [...mismatches, ...audit.anomalies].slice(0, maxListed) };
}

async function walletSums(db: Db) {
  const rows = await db.query<{ wallets: number; deposits: string; withdrawals: string; balance: string; locked: string }>(
    `SELECT count(*)::integer AS wallets,
            coalesce(sum(deposited_total), 0)::text AS deposits,
            coalesce(sum(withdrawn_total), 0)::text AS withdrawals,
            coalesce(sum(balance), 0)::text AS balance,
            coalesce(sum(locked_balance), 0)::text AS locked
     FROM wallets`,
  );
  const row = rows[0];
  if (row === undefined) throw new Error('an aggregate query returned no row');
  return {
    wallets: row.wallets,
    deposits: bigintOf(row.deposits),
    withdrawals: bigintOf(row.withdrawals),
    balance: bigintOf(row.balance),
    locked: bigintOf(row.locked),
  };
}

async function negativeWallets(db: Db, maxListed: number): Promise<LedgerAnomaly[]> {
  const rows = await db.query<{ id: string; balance: number; locked_balance: number }>(
    'SELECT id, balance, locked_balance FROM wallets WHERE balance < 0 OR locked_balance < 0 ORDER BY id LIMIT $1',
    [maxListed],
  );
  return rows.flatMap((row): LedgerAnomaly[] => [
    ...(row.balance < 0 ? [{ kind: 'negative_balance' as const, walletId: row.id, seq: null, balanceMinor: String(row.balance) }] : []),
    ...(row.locked_balance < 0 ? [{ kind: 'negative_locked' as const, walletId: row.id, seq: null, lockedMinor: String(row.locked_balance) }] : []),
  ]);
}

/** Wallets whose row disagrees with their lines, including lines of a wallet with no row. */
async function ledgerMismatches(db: Db, maxListed: number): Promise<LedgerAnomaly[]> {
  const rows = await db.query<{ id: string; balance: string; locked: string; ledger_balance: string; ledger_locked: string }>(
    `WITH lines AS (
       SELECT wallet_id,
              sum(CASE WHEN type = 'DEBIT' THEN -amount
                       WHEN status IN ('COMPLETED', 'RELEASED') THEN amount ELSE 0 END) AS balance,
              sum(CASE WHEN type = 'CREDIT' AND status = 'LOCKED' THEN amount ELSE 0 END) AS locked
       FROM ledger_entries GROUP BY wallet_id)
     SELECT coalesce(w.id, l.wallet_id) AS id,
            coalesce(w.balance, 0)::text AS balance, coalesce(w.locked_balance, 0)::text AS locked,
            coalesce(l.balance, 0)::text AS ledger_balance, coalesce(l.locked, 0)::text AS ledger_locked
     FROM wallets w FULL JOIN lines l ON l.wallet_id = w.id
     WHERE coalesce(w.balance, 0) <> coalesce(l.balance, 0) OR coalesce(w.locked_balance, 0) <> coalesce(l.locked, 0)
     ORDER BY 1 LIMIT $1`,
    [maxListed],
  );
  return rows.map((row) => ({
    kind: 'ledger_mismatch',
    walletId: row.id,
    balanceMinor: row.balance,
    ledgerBalanceMinor: row.ledger_balance,
    lockedMinor: row.locked,
    ledgerLockedMinor: row.ledger_locked,
  }));
}

/**
 * Money in flight per order from the ledger lines, with the same formula as the journal audit:
 * a purchase line is the debit, a refund line the refund, a sale line the pending credit (a
 * VOIDED one nets to 0 with its void), a sale_fee line the fee taken, a platform_fee line the
 * fee credited. Orders are read in full (the report lists only the notable ones).
 */
async function ordersInFlight(db: Db): Promise<ReportInput['orders']> {
  const rows = await db.query<{ order_id: string; status: OrderStatus | null; in_flight: string } & Record<MoneyStep, number>>(
    `SELECT l.order_id, o.status,
            sum(CASE l.kind WHEN 'purchase' THEN l.amount
                            WHEN 'refund' THEN -l.amount
                            WHEN 'sale' THEN CASE WHEN l.status = 'VOIDED' THEN 0 ELSE -l.amount END
                            WHEN 'sale_fee' THEN l.amount
                            WHEN 'platform_fee' THEN -l.amount
                            ELSE 0 END)::text AS in_flight,
            count(*) FILTER (WHERE l.kind = 'purchase')::integer AS debited,
            count(*) FILTER (WHERE l.kind = 'sale')::integer AS credited,
            count(*) FILTER (WHERE l.kind = 'sale' AND l.status = 'RELEASED')::integer AS released,
            count(*) FILTER (WHERE l.kind = 'refund')::integer AS refunded,
            count(*) FILTER (WHERE l.kind = 'sale' AND l.status = 'VOIDED')::integer AS voided,
            count(*) FILTER (WHERE l.kind = 'platform_fee')::integer AS fee_credited
     FROM ledger_entries l LEFT JOIN orders o ON o.id = l.order_id
     WHERE l.order_id IS NOT NULL
     GROUP BY l.order_id, o.status
     ORDER BY l.order_id`,
  );
  return rows.map((row) => ({
    orderId: row.order_id,
    orderStatus: row.status ?? 'UNKNOWN',
    inFlight: bigintOf(row.in_flight),
    counts: Object.fromEntries(moneySteps.map((step) => [step, row[step]])) as Record<MoneyStep, number>,
  }));
}

