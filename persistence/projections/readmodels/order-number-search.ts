/**
 * Finding a seller's orders by the number people read out ("#3F2A91C0"). The number is a hash of
 * the order id (actors/order/order-number.ts), so the ids are hashed here rather than in SQL; a
 * seller's confirmed orders are scanned, newest first, up to a bound that keeps one search cheap.
 */
import type { Db } from '../../adapters/db.ts';
import { orderNumber } from '../../../actors/order/order-number.ts';

/** Orders one number search scans at most (about 2 ms of hashing per 10k ids here). */
export const maxOrdersScannedByNumber = 50_000;

/** Ids of the seller's confirmed orders whose number starts with `prefix` (case-insensitive). */
export async function sellerOrderIdsByNumber(db: Db, sellerId: string, prefix: string): Promise<string[]> {
  const wanted = prefix.toUpperCase().replace(/^#/, '');
  const rows = await db.query(
    'SELECT id FROM orders WHERE seller_id = $1 AND confirmed_at IS NOT NULL ORDER BY placed_at DESC LIMIT $2',
    [sellerId, maxOrdersScannedByNumber],
  );
  return rows.map((row) => String(row['id'])).filter((id) => orderNumber(id).startsWith(wanted));
}
