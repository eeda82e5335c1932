/**
 * Orders as buyer, seller or operator, and the actions on one order. The order actor decides who
 * may do what; these calls only ask. Live notifications revalidate `orders` and `order`.
 */
import { action, query } from '@solidjs/router';
import type { OrderDto, OrderStatus, Page } from '../../../gateway/api-types.ts';
import { api } from '../lib/api.ts';
import { newClientId } from '../lib/ids.ts';

export const orderStatuses: readonly OrderStatus[] = ['PLACED', 'PAID', 'SHIPPED', 'DELIVERED', 'COMPLETED', 'CANCELLED', 'DISPUTED', 'FAILED'];

export interface OrderFilter {
  readonly status?: OrderStatus | undefined;
  readonly page?: number | undefined;
  readonly pageSize?: number | undefined;
}

export const getOrders = query(
  (filter: OrderFilter) => api<Page<OrderDto>>('/api/orders', { query: { status: filter.status, page: filter.page, pageSize: filter.pageSize } }),
  'orders',
);

export const getOrder = query((id: string) => api<OrderDto>(`/api/orders/${encodeURIComponent(id)}`), 'order');

interface OrderActionResult {
  readonly orderId: string;
  readonly status: OrderStatus | null;
}

function orderCommand(id: string, path: string, body: Record<string, unknown> = {}): Promise<OrderActionResult> {
  // A command id per click: the actor answers a retried command with its first result.
  return api<OrderActionResult>(`/api/orders/${encodeURIComponent(id)}/${path}`, { method: 'POST', body: { commandId: newClientId(), ...body } });
}

export const shipOrder = action(
  (id: string, tracking?: { carrier: string; trackingNumber: string }) => orderCommand(id, 'ship', tracking === undefined ? {} : { ...tracking }),
  'order-ship',
);
export const confirmDelivery = action((id: string) => orderCommand(id, 'confirm-delivery'), 'order-confirm');
export const cancelOrder = action((id: string) => orderCommand(id, 'cancel'), 'order-cancel');
export const openDispute = action((id: string, reason: string) => orderCommand(id, 'dispute', { reason }), 'order-dispute');
export const resolveDispute = action((id: string, resolution: 'refund' | 'release') => orderCommand(id, 'resolve', { resolution }), 'order-resolve');

/** Tone of a status badge. */
export function statusTone(status: string): 'good' | 'warn' | 'bad' | 'info' {
  if (status === 'COMPLETED' || status === 'DELIVERED' || status === 'DISPUTE_RESOLVED') return 'good';
  if (status === 'DISPUTED' || status === 'PLACED') return 'warn';
  if (status === 'CANCELLED' || status === 'FAILED') return 'bad';
  return 'info';
}
