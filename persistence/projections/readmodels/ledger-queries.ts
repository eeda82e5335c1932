/**
 * Ledger reads from the `ledger_entries` read model (written by wallets.ts): a wallet's entries,
 * newest first, paged.
 */
import type { Db, Row } from '../../adapters/db.ts';
import type { LedgerEntryDto, Page } from '../views.ts';
import { numberOrNull, textOrNull, totalOf } from './rows.ts';

function toLedgerEntry(row: Row): LedgerEntryDto {
  return {
    id: String(row['id']),
    amountMinor: Number(row['amount']),
    type: row['type'] as LedgerEntryDto['type'],
    status: row['status'] as LedgerEntryDto['status'],
    kind: row['kind'] as LedgerEntryDto['kind'],
    orderId: textOrNull(row['order_id']),
    lockedUntil: numberOrNull(row['locked_until']),
    createdAt: Number(row['created_at']),
  };
}

export async function ledgerPage(db: Db, walletId: string, page: number, pageSize: number): Promise<Page<LedgerEntryDto>> {
  const [counted, rows] = await Promise.all([
    db.query('SELECT count(*) AS total FROM ledger_entries WHERE wallet_id = $1', [walletId]),
    db.query(
      `SELECT id, amount, type, status, kind, order_id, locked_until, created_at FROM ledger_entries
       WHERE wallet_id = $1 ORDER BY created_at DESC, id DESC LIMIT $2 OFFSET $3`,
      [walletId, pageSize, (page - 1) * pageSize],
    ),
  ]);
  return { items: rows.map(toLedgerEntry), page, pageSize, total: totalOf(counted) };
}
