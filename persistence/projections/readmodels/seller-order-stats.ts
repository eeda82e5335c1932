/**
 * A seller's order counts, read from the `orders` read model and counting confirmed orders only
 * (issue #15 §1): a checkout refused for money or stock leaves its PAID-then-CANCELLED part in the
 * journal, but it was never a sale, so it must not count against the seller's fulfilment rate.
 * These are the seller's only order counts: the seller actor no longer counts outcomes, and
 * `seller_stats` holds no counters (migration 020; actors/seller/seller-messages.ts).
 */
import type { Db } from '../../adapters/db.ts';

export interface SellerOrderCounts {
  readonly placed: number;
  readonly shipped: number;
  readonly completed: number;
  readonly cancelled: number;
  readonly disputed: number;
  readonly avgTimeToShipMs: number | null;
}

export async function sellerOrderCounts(db: Db, sellerId: string): Promise<SellerOrderCounts> {
  const rows = await db.query(
    `SELECT count(*) AS placed, count(shipped_at) AS shipped, count(completed_at) AS completed,
       count(cancelled_at) AS cancelled, count(disputed_at) AS disputed,
       round(avg(shipped_at - paid_at)) AS avg_ship_ms
     FROM orders WHERE seller_id = $1 AND confirmed_at IS NOT NULL`,
    [sellerId],
  );
  const row = rows[0] ?? {};
  const avg = row['avg_ship_ms'];
  return {
    placed: Number(row['placed'] ?? 0),
    shipped: Number(row['shipped'] ?? 0),
    completed: Number(row['completed'] ?? 0),
    cancelled: Number(row['cancelled'] ?? 0),
    disputed: Number(row['disputed'] ?? 0),
    avgTimeToShipMs: avg === null || avg === undefined ? null : Number(avg),
  };
}
