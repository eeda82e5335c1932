/**
 * A seller's figures: order counts and rates from `orders` (seller-order-stats.ts, confirmed
 * orders only), sales per UTC day from `orders`, the daily analytics series
 * (`seller_stats_daily`), and seller display names from `seller_stats` (sellers.ts).
 */
import { sellerOrderCounts } from './seller-order-stats.ts';
import type { Db } from '../../adapters/db.ts';
import { distinctIds } from '../../adapters/id-list.ts';
import { sellerDailyRows } from '../analytics/seller-daily.ts';
import type { SellerDailyStatDto, SellerStatsDto } from '../views.ts';
import { numberOrNull } from './rows.ts';

const dayMs = 86_400_000;

function isoDay(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

async function salesByDay(db: Db, sellerId: string, fromMs: number, toMs: number): Promise<SellerStatsDto['salesByDay']> {
  const rows = await db.query(
    `SELECT (paid_at / ${dayMs}) AS day, count(*) AS orders, sum(total_minor) AS sales FROM orders
     WHERE seller_id = $1 AND paid_at IS NOT NULL AND confirmed_at IS NOT NULL AND paid_at >= $2 AND paid_at < $3 AND status NOT IN ('FAILED', 'CANCELLED')
     GROUP BY 1 ORDER BY 1`,
    [sellerId, fromMs, toMs],
  );
  return rows.map((row) => ({ day: isoDay(Number(row['day']) * dayMs), orders: Number(row['orders']), salesMinor: Number(row['sales']) }));
}

/** The analytics job's days from `fromMs` up to, not including, `toMs`; rates from exact counts. */
async function dailySeries(db: Db, sellerId: string, fromMs: number, toMs: number): Promise<SellerDailyStatDto[]> {
  const rows = await sellerDailyRows(db, sellerId, isoDay(fromMs), isoDay(toMs - dayMs));
  return rows.map((row) => ({
    day: row.day,
    orders: row.orders,
    salesMinor: row.salesMinor,
    fulfilmentRate: row.orders === 0 ? null : row.shipped / row.orders,
    returnDisputeRate: row.orders === 0 ? null : row.returnedDisputed / row.orders,
    avgFulfilmentMs: row.avgFulfilmentMs,
  }));
}

/** Lifetime counts and rates, plus the per-day series over [fromMs, toMs) (UTC day bounds). */
export async function sellerStats(db: Db, sellerId: string, fromMs: number, toMs: number): Promise<SellerStatsDto> {
  // Confirmed orders only (issue #15 §1): a refused checkout was never a sale.
  const counts = await sellerOrderCounts(db, sellerId);
  const placed = counts.placed;
  return {
    ordersPlaced: placed,
    ordersShipped: counts.shipped,
    ordersCompleted: counts.completed,
    ordersCancelled: counts.cancelled,
    ordersDisputed: counts.disputed,
    fulfilmentRate: placed === 0 ? null : counts.shipped / placed,
    disputeRate: placed === 0 ? null : counts.disputed / placed,
    avgTimeToShipMs: counts.avgTimeToShipMs,
    salesByDay: await salesByDay(db, sellerId, fromMs, toMs),
    daily: await dailySeries(db, sellerId, fromMs, toMs),
  };
}

/**
 * Seller id → display name for the given sellers (unknown ones are left out); every storefront
 * search asks it for its facets. Each seller is probed by key (id-list.ts).
 */
export async function sellerNames(db: Db, sellerIds: readonly string[]): Promise<Record<string, string>> {
  if (sellerIds.length === 0) return {};
  const rows = await db.query(
    `SELECT s.seller_id, s.name FROM ${distinctIds()}
     CROSS JOIN LATERAL (SELECT seller_id, name FROM seller_stats WHERE seller_stats.seller_id = k.id OFFSET 0) s`,
    [sellerIds],
  );
  return Object.fromEntries(rows.map((row) => [String(row['seller_id']), String(row['name'])]));
}
