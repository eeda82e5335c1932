/**
 * A seller's own views: the orders placed with them (the live feed's backing list) and their
 * stats, with sales per UTC day for the dashboard chart. Both read the read models.
 */
import * as v from 'valibot';
import { sellerDailyRows } from '../../persistence/projections/analytics/seller-daily.ts';
import type { SellerDailyStatDto, SellerStatsDto } from '../api-types.ts';
import type { GatewayContext } from '../context.ts';
import type { ApiRequest, Route } from '../http.ts';
import { ApiError, ok } from '../http.ts';
import { listOrders } from '../../persistence/projections/readmodels/order-queries.ts';
import { sellerOrderCounts } from '../../persistence/projections/readmodels/seller-order-stats.ts';
import { pageQuery, parseQuery } from '../validate.ts';

const dayMs = 86_400_000;
/** Days of sales a stats request may span; bounds the query and the chart. */
const maxStatsDays = 366;
const dateSchema = v.pipe(v.string(), v.regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date YYYY-MM-DD'), v.transform((text) => Date.parse(`${text}T00:00:00Z`)), v.check((ms) => Number.isFinite(ms), 'must be a real date'));

function sellerId(request: ApiRequest): string {
  if (request.principal === null) throw new ApiError(401, 'unauthenticated', 'sign in first');
  return request.principal.userId;
}

async function salesByDay(context: GatewayContext, seller: string, fromMs: number, toMs: number): Promise<SellerStatsDto['salesByDay']> {
  const rows = await context.db.query(
    `SELECT (paid_at / ${dayMs}) AS day, count(*) AS orders, sum(total_minor) AS sales FROM orders
     WHERE seller_id = $1 AND paid_at IS NOT NULL AND confirmed_at IS NOT NULL AND paid_at >= $2 AND paid_at < $3 AND status NOT IN ('FAILED', 'CANCELLED')
     GROUP BY 1 ORDER BY 1`,
    [seller, fromMs, toMs],
  );
  return rows.map((row) => ({
    day: new Date(Number(row['day']) * dayMs).toISOString().slice(0, 10),
    orders: Number(row['orders']),
    salesMinor: Number(row['sales']),
  }));
}

/** The analytics job's days from `fromMs` up to, not including, `toMs`; rates from exact counts. */
async function dailySeries(context: GatewayContext, seller: string, fromMs: number, toMs: number): Promise<SellerDailyStatDto[]> {
  const isoDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);
  const rows = await sellerDailyRows(context.db, seller, isoDay(fromMs), isoDay(toMs - dayMs));
  return rows.map((row) => ({
    day: row.day,
    orders: row.orders,
    salesMinor: row.salesMinor,
    fulfilmentRate: row.orders === 0 ? null : row.shipped / row.orders,
    returnDisputeRate: row.orders === 0 ? null : row.returnedDisputed / row.orders,
    avgFulfilmentMs: row.avgFulfilmentMs,
  }));
}

export const sellerRoutes: Route<GatewayContext>[] = [
  {
    method: 'GET',
    pattern: '/api/seller/orders',
    access: ['SELLER'],
    tag: 'seller',
    summary: 'Orders placed with me, newest first.',
    handler: async (request, context) => {
      const query = parseQuery(request, v.object(pageQuery));
      return ok(await listOrders(context.db, { side: 'seller', userId: sellerId(request), page: query.page, pageSize: query.pageSize }));
    },
  },
  {
    method: 'GET',
    pattern: '/api/seller/stats',
    access: ['SELLER'],
    tag: 'seller',
    summary: 'My order counts, fulfilment and dispute rates, time to ship, sales per day, and the daily analytics series (from/to dates).',
    handler: async (request, context) => {
      const seller = sellerId(request);
      const query = parseQuery(request, v.object({ from: v.optional(dateSchema), to: v.optional(dateSchema) }));
      const toMs = (query.to ?? Math.floor(context.clock.now() / dayMs) * dayMs) + dayMs;
      const fromMs = query.from ?? toMs - 30 * dayMs;
      if (fromMs >= toMs) throw new ApiError(400, 'invalid_request', 'from must be before to');
      if (toMs - fromMs > maxStatsDays * dayMs) throw new ApiError(400, 'invalid_request', `a range spans at most ${maxStatsDays} days`);
      // Confirmed orders only (issue #15 §1): a refused checkout was never a sale.
      const counts = await sellerOrderCounts(context.db, seller);
      const placed = counts.placed;
      const stats: SellerStatsDto = {
        ordersPlaced: placed,
        ordersShipped: counts.shipped,
        ordersCompleted: counts.completed,
        ordersCancelled: counts.cancelled,
        ordersDisputed: counts.disputed,
        fulfilmentRate: placed === 0 ? null : counts.shipped / placed,
        disputeRate: placed === 0 ? null : counts.disputed / placed,
        avgTimeToShipMs: counts.avgTimeToShipMs,
        salesByDay: await salesByDay(context, seller, fromMs, toMs),
        daily: await dailySeries(context, seller, fromMs, toMs),
      };
      return ok(stats);
    },
  },
];
