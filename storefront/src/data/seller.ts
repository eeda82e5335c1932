/**
 * A seller's dashboard data (orders placed with them, stats with sales per day and the daily
 * analytics series) and catalog writes.
 */
import { action, json, query } from '@solidjs/router';
import type { CreateProductDto, OrderDto, Page, ProductDto, SearchDto, SellerStatsDto } from '../../../gateway/api-types.ts';
import { api } from '../lib/api.ts';
import { getProducts } from './catalog.ts';

export const getSellerOrders = query((pageSize: number) => api<Page<OrderDto>>('/api/seller/orders', { query: { pageSize } }), 'seller-orders');

export interface DeskFilter {
  readonly status?: OrderDto['status'] | undefined;
  readonly number?: string | undefined;
  readonly page: number;
  readonly pageSize: number;
}

/** The order desk (GET /api/seller/desk): confirmed orders by status and order number, paged. */
export const getSellerDesk = query(
  (filter: DeskFilter) => api<Page<OrderDto>>('/api/seller/desk', { query: { status: filter.status, number: filter.number, page: filter.page, pageSize: filter.pageSize } }),
  'seller-desk',
);

export const getSellerStats = query((from: string, to: string) => api<SellerStatsDto>('/api/seller/stats', { query: { from, to } }), 'seller-stats');

export interface ProductFieldsInput {
  readonly title: string;
  readonly description: string;
  readonly category: string;
  readonly priceMinor: number;
  readonly stock: number;
}

/**
 * Idempotent by `commandId` (CreateProductDto): the form sends one id per submission and the same
 * id again when it retries that submission, so a create that timed out never lists the product twice.
 */
export const createProduct = action(
  (commandId: string, fields: ProductFieldsInput) => api<ProductDto>('/api/products', { method: 'POST', body: { commandId, ...fields } satisfies CreateProductDto }),
  'product-create',
);

export const updateProduct = action(
  (id: string, fields: Partial<ProductFieldsInput>) => api<ProductDto>(`/api/products/${encodeURIComponent(id)}`, { method: 'PATCH', body: fields }),
  'product-update',
);

/**
 * Revalidates only the product lists. By default an action reloads every query on the page, and
 * that included the deleted product itself: its 404 went through the fresh-read retry loop
 * (six requests over about 4 s) before the page moved on.
 */
export const deleteProduct = action(async (id: string) => {
  await api<null>(`/api/products/${encodeURIComponent(id)}`, { method: 'DELETE' });
  return json(null, { revalidate: [getProducts.key, getSellerCatalog.key] });
}, 'product-delete');

/** The seller's own catalog page by page, searchable (the search index holds every listing). */
export const getSellerCatalog = query(
  (sellerId: string, text: string, page: number, pageSize: number) =>
    api<SearchDto>('/api/search', { query: { seller: sellerId, q: text.trim() || undefined, sort: 'newest', page, pageSize } }),
  'seller-catalog',
);

export const uploadProductImage = action(
  (id: string, file: File) => api<{ readonly url: string; readonly product: ProductDto }>(`/api/products/${encodeURIComponent(id)}/images`, { method: 'POST', body: file }),
  'product-image',
);

/** The last `days` UTC days ending today, as the stats endpoint's from/to dates. */
export function statsRange(nowMs: number, days: number): { from: string; to: string } {
  const dayMs = 86_400_000;
  const to = new Date(nowMs).toISOString().slice(0, 10);
  const from = new Date(nowMs - (days - 1) * dayMs).toISOString().slice(0, 10);
  return { from, to };
}
