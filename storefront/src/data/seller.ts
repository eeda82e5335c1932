/**
 * A seller's dashboard data (orders placed with them, stats with sales per day and the daily
 * analytics series) and catalog writes.
 */
import { action, query } from '@solidjs/router';
import type { OrderDto, Page, ProductDto, SellerStatsDto } from '../../../gateway/api-types.ts';
import { api } from '../lib/api.ts';

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

export const createProduct = action((fields: ProductFieldsInput) => api<ProductDto>('/api/products', { method: 'POST', body: fields }), 'product-create');

export const updateProduct = action(
  (id: string, fields: Partial<ProductFieldsInput>) => api<ProductDto>(`/api/products/${encodeURIComponent(id)}`, { method: 'PATCH', body: fields }),
  'product-update',
);

export const deleteProduct = action((id: string) => api<null>(`/api/products/${encodeURIComponent(id)}`, { method: 'DELETE' }), 'product-delete');

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
