/**
 * The operator's finder (ADMIN only): an actor by what people quote, an order number read off a
 * receipt, an email, a product title or a key. The lookups read the read models and the
 * journal's key list, never an actor (persistence/projections/readmodels/actor-search.ts).
 */
import * as v from 'valibot';
import type { ActorSearchDto } from '../admin-api-types.ts';
import type { GatewayContext } from '../context.ts';
import type { Route } from '../http.ts';
import { ok } from '../http.ts';
import { parseQuery } from '../validate.ts';

export const adminSearchRoutes: Route<GatewayContext>[] = [
  {
    method: 'GET',
    pattern: '/api/admin/search',
    access: ['ADMIN'],
    tag: 'operators',
    summary: 'Find actors by what people quote: an order number (3F2A91C0), an order id, an email, a product title, or an actor key. Reads no actor.',
    handler: async (request, context) => {
      const query = parseQuery(request, v.object({ q: v.pipe(v.string(), v.trim(), v.minLength(1, 'must not be blank'), v.maxLength(200, 'must be at most 200 characters')) }));
      const result: ActorSearchDto = { query: query.q, items: await context.operator.findActors(query.q) };
      return ok(result);
    },
  },
];
