/**
 * The public catalog: products by page, one product, and the category list (taken from the search
 * facets, which count every product, so the home page needs no extra endpoint).
 */
import { query } from '@solidjs/router';
import type { Page, ProductDto, SearchDto } from '../../../gateway/api-types.ts';
import { api, ApiFailure } from '../lib/api.ts';

export interface ProductFilter {
  readonly page?: number;
  readonly pageSize?: number;
  readonly category?: string;
  readonly seller?: string;
}

export const getProducts = query(
  (filter: ProductFilter) =>
    api<Page<ProductDto>>('/api/products', { query: { page: filter.page, pageSize: filter.pageSize, category: filter.category, seller: filter.seller } }),
  'products',
);

export const getProduct = query((id: string) => api<ProductDto>(`/api/products/${encodeURIComponent(id)}`), 'product');

/** Newest products the featured row picks from; enough to find several sellers. */
const featuredPool = 48;

/**
 * Featured products: the newest ones, taken in turn from each seller, so one seller who just
 * listed many products does not fill the whole home page.
 */
export const getFeatured = query(async (count: number): Promise<SearchDto['hits'][number][]> => {
  const result = await api<SearchDto>('/api/search', { query: { sort: 'newest', pageSize: featuredPool } });
  const bySeller = new Map<string, SearchDto['hits'][number][]>();
  for (const hit of result.hits) bySeller.set(hit.sellerId, [...(bySeller.get(hit.sellerId) ?? []), hit]);
  const queues = [...bySeller.values()];
  const picked: SearchDto['hits'][number][] = [];
  for (let round = 0; picked.length < count && queues.some((queue) => queue.length > round); round += 1) {
    for (const queue of queues) {
      const hit = queue[round];
      if (hit !== undefined && picked.length < count) picked.push(hit);
    }
  }
  return picked;
}, 'featured');

export interface CategoryCount {
  readonly slug: string;
  readonly count: number;
}

export const getCategories = query(async (): Promise<CategoryCount[]> => {
  const result = await api<SearchDto>('/api/search', { query: { pageSize: 1 } });
  return Object.entries(result.facets.category)
    .map(([slug, count]) => ({ slug, count }))
    .sort((left, right) => right.count - left.count || left.slug.localeCompare(right.slug));
}, 'categories');

/** "home-garden" → "Home garden". */
export function categoryLabel(slug: string): string {
  const words = slug.replace(/-/g, ' ');
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** Attempts and spacing for reading a product the read model may not have caught up with yet. */
const freshReadAttempts = 6;
const freshReadDelayMs = 250;

/**
 * A product just created or changed by this seller: the read model follows the seller actor a
 * moment later, so a 404 right after creation is retried briefly before it is believed.
 */
export const getFreshProduct = query(async (id: string): Promise<ProductDto> => {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await api<ProductDto>(`/api/products/${encodeURIComponent(id)}`);
    } catch (error) {
      const missing = error instanceof ApiFailure && error.status === 404;
      if (!missing || attempt >= freshReadAttempts) throw error;
      await new Promise((resolve) => window.setTimeout(resolve, freshReadDelayMs * attempt));
    }
  }
}, 'fresh-product');
