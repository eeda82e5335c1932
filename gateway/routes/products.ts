/**
 * Public catalog reads: `GET /api/products` (paged, optional category/seller filter) and
 * `GET /api/products/:id`. Writes are in product-writes.ts.
 */
import * as v from 'valibot';
import type { GatewayContext } from '../context.ts';
import type { Route } from '../http.ts';
import { ApiError, ok } from '../http.ts';
import { idSchema, pageQuery, parseParams, parseQuery } from '../validate.ts';

const slugSchema = v.pipe(v.string(), v.regex(/^[a-z0-9-]{1,60}$/, 'must be a lowercase slug'));

const listQuery = v.object({ ...pageQuery, category: v.optional(slugSchema), seller: v.optional(idSchema) });

export const productRoutes: Route<GatewayContext>[] = [
  {
    method: 'GET',
    pattern: '/api/products',
    access: 'public',
    tag: 'catalog',
    summary: 'Products, newest first, paged; filter by category or seller.',
    handler: async (request, context) => {
      const query = parseQuery(request, listQuery);
      return ok(await context.queries.products.list({ page: query.page, pageSize: query.pageSize, category: query.category, sellerId: query.seller }));
    },
  },
  {
    method: 'GET',
    pattern: '/api/products/:id',
    access: 'public',
    tag: 'catalog',
    summary: 'One product with its seller, price, stock and image URLs.',
    handler: async (request, context) => {
      const { id } = parseParams(request, v.object({ id: idSchema }));
      // Hot reads come from the short cache (issue #6); the event processor invalidates a product when it changes.
      const product = await context.productCache.read(id, () => context.queries.products.find(id));
      if (product === null) throw new ApiError(404, 'product_not_found', `no product ${id}`);
      return ok(product);
    },
  },
];
