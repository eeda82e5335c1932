/**
 * `GET /api/search`: typo-tolerant product search with price, category and seller filters,
 * facets and sort, on whichever SearchIndex adapter runs (MiniSearch embedded, Meilisearch with
 * MEILI_URL). Prices on the wire are cents (`minPrice`/`maxPrice`).
 */
import * as v from 'valibot';
import type { SearchDto } from '../api-types.ts';
import type { GatewayContext } from '../context.ts';
import type { Route } from '../http.ts';
import { ApiError, ok } from '../http.ts';
import { searchLimits } from '../../persistence/adapters/search/search-index.ts';
import { idSchema, pageQuery, parseQuery } from '../validate.ts';

/** Prices are `bigint` cents; a filter beyond a product's largest price matches nothing but stays exact. */
const cents = v.pipe(v.string(), v.regex(/^\d{1,12}$/, 'must be a whole number of cents'), v.transform(Number), v.maxValue(Number.MAX_SAFE_INTEGER));
const searchQuery = v.object({
  ...pageQuery,
  q: v.optional(v.pipe(v.string(), v.maxLength(searchLimits.maxQueryLength, `must be at most ${searchLimits.maxQueryLength} characters`))),
  minPrice: v.optional(cents),
  maxPrice: v.optional(cents),
  category: v.optional(v.pipe(v.string(), v.regex(/^[a-z0-9-]{1,60}$/, 'must be a lowercase slug'))),
  seller: v.optional(idSchema),
  sort: v.optional(v.picklist(['relevance', 'price_asc', 'price_desc', 'newest'], 'must be relevance, price_asc, price_desc or newest')),
});

export const searchRoutes: Route<GatewayContext>[] = [
  {
    method: 'GET',
    pattern: '/api/search',
    access: 'public',
    tag: 'catalog',
    summary: 'Search products (typo tolerant) with filters (minPrice, maxPrice in cents, category, seller), facets and sort.',
    handler: async (request, context) => {
      const query = parseQuery(request, searchQuery);
      if (query.minPrice !== undefined && query.maxPrice !== undefined && query.minPrice > query.maxPrice) {
        throw new ApiError(400, 'invalid_request', 'minPrice must not exceed maxPrice');
      }
      if (query.page * query.pageSize > searchLimits.maxTotalHits + query.pageSize) {
        throw new ApiError(400, 'invalid_request', `results stop at ${searchLimits.maxTotalHits} hits`);
      }
      const result = await context.search.search({
        page: query.page,
        pageSize: query.pageSize,
        ...(query.q === undefined ? {} : { q: query.q }),
        ...(query.minPrice === undefined ? {} : { minPriceMinor: query.minPrice }),
        ...(query.maxPrice === undefined ? {} : { maxPriceMinor: query.maxPrice }),
        ...(query.category === undefined ? {} : { category: query.category }),
        ...(query.seller === undefined ? {} : { sellerId: query.seller }),
        ...(query.sort === undefined ? {} : { sort: query.sort }),
      });
      // Names for every seller in the facet, not only those on this page.
      const facetSellers = Object.keys(result.facets.sellerId);
      const dto: SearchDto = { ...result, sellerNames: await context.queries.sellers.names(facetSellers) };
      return ok(dto);
    },
  },
];
