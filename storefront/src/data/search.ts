/**
 * Product search (GET /api/search): typo tolerant, with price (cents), category and seller filters,
 * facets and sort. The results page keeps its state in the URL so a search can be shared.
 */
import { query } from '@solidjs/router';
import type { SearchDto } from '../../../gateway/api-types.ts';
import { api } from '../lib/api.ts';

export type SearchSort = 'relevance' | 'price_asc' | 'price_desc' | 'newest';

export const searchSorts: readonly { readonly value: SearchSort; readonly label: string }[] = [
  { value: 'relevance', label: 'Best match' },
  { value: 'price_asc', label: 'Price: low to high' },
  { value: 'price_desc', label: 'Price: high to low' },
  { value: 'newest', label: 'Newest' },
];

export interface SearchParams {
  readonly q?: string | undefined;
  readonly minPrice?: number | undefined;
  readonly maxPrice?: number | undefined;
  readonly category?: string | undefined;
  readonly seller?: string | undefined;
  readonly sort?: SearchSort | undefined;
  readonly page?: number | undefined;
  readonly pageSize?: number | undefined;
}

export const searchProducts = query(
  (params: SearchParams) =>
    api<SearchDto>('/api/search', {
      query: {
        q: params.q?.trim(),
        minPrice: params.minPrice,
        maxPrice: params.maxPrice,
        category: params.category,
        seller: params.seller,
        sort: params.sort,
        page: params.page,
        pageSize: params.pageSize,
      },
    }),
  'search',
);

export function isSearchSort(value: string | undefined): value is SearchSort {
  return searchSorts.some((sort) => sort.value === value);
}
