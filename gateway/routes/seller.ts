/**
 * A seller's own views: the orders placed with them (the live feed's backing list) and their
 * stats, with sales per UTC day for the dashboard chart. Both read the read models.
 */
import * as v from 'valibot';
import type { GatewayContext } from '../context.ts';
import type { ApiRequest, Route } from '../http.ts';
import { ApiError, ok } from '../http.ts';
import { pageQuery, parseQuery } from '../validate.ts';
import { gatewayLimits } from '../app/limits.ts';

const dayMs = 86_400_000;
const { maxStatsDays } = gatewayLimits.routes;
const dateSchema = v.pipe(v.string(), v.regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date YYYY-MM-DD'), v.transform((text) => Date.parse(`${text}T00:00:00Z`)), v.check((ms) => Number.isFinite(ms), 'must be a real date'));

function sellerId(request: ApiRequest): string {
  if (request.principal === null) throw new ApiError(401, 'unauthenticated', 'sign in first');
  return request.principal.userId;
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
      return ok(await context.queries.orders.list({ side: 'seller', userId: sellerId(request), page: query.page, pageSize: query.pageSize }));
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
      return ok(await context.queries.sellers.stats(seller, fromMs, toMs));
    },
  },
];
