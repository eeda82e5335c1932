/**
 * The seller's order desk (issue #15 §4): confirmed orders placed with me, filtered by status,
 * found by the order number a buyer quotes, paged; each with the buyer's name, items and, while
 * PAID, the ship-by deadline.
 */
import * as v from 'valibot';
import type { GatewayContext } from '../context.ts';
import type { ApiRequest, Route } from '../http.ts';
import { ApiError, ok } from '../http.ts';
import { pageQuery, parseQuery } from '../validate.ts';

const statusSchema = v.picklist(['PAID', 'SHIPPED', 'DELIVERED', 'COMPLETED', 'CANCELLED', 'DISPUTED'], 'must be an order status');
const deskQuery = v.object({
  ...pageQuery,
  status: v.optional(statusSchema),
  number: v.optional(v.pipe(v.string(), v.trim(), v.regex(/^#?[0-9A-Fa-f]{1,8}$/, 'must be an order number like 3F2A91C0'))),
});

function sellerIdOf(request: ApiRequest): string {
  if (request.principal === null) throw new ApiError(401, 'unauthenticated', 'sign in first');
  return request.principal.userId;
}

export const sellerDeskRoutes: Route<GatewayContext>[] = [
  {
    method: 'GET',
    pattern: '/api/seller/desk',
    access: ['SELLER'],
    tag: 'seller',
    summary: 'My order desk: confirmed orders, newest first, by status and by order number, paged.',
    handler: async (request, context) => {
      const seller = sellerIdOf(request);
      const query = parseQuery(request, deskQuery);
      const ids = query.number === undefined ? undefined : await context.queries.orders.idsByNumber(seller, query.number);
      return ok(await context.queries.orders.list({ side: 'seller', userId: seller, status: query.status, ids, page: query.page, pageSize: query.pageSize }));
    },
  },
];
