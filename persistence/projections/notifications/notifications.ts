/**
 * Which journal events become which user's notifications. Pure: the consumer looks up the
 * order's buyer and seller and hands them in.
 */
import type { OrderParties } from '../readmodels/order-queries.ts';
import type { JournalEntry } from '../../adapters/journal.ts';
import type { NotificationData, NotificationEvent, OrderStatus } from '../views.ts';
import { orderNumber } from '../../../actors/order/order-number.ts';
import { idOfKey } from '../../../actors/keys.ts';
import { platformWalletId } from '../../../actors/order/order-steps.ts';

export interface PlannedNotification<Event extends NotificationEvent = NotificationEvent> {
  readonly userId: string;
  readonly event: Event;
  readonly data: NotificationData[Event];
  /** `key:seq:eventIndex[:suffix]`: the idempotency key of the row. */
  readonly source: string;
  readonly at: number;
}

export type { OrderParties };

const statusByEvent: Readonly<Record<string, OrderStatus>> = {
  OrderPaid: 'PAID',
  OrderShipped: 'SHIPPED',
  DeliveryConfirmed: 'DELIVERED',
  OrderCompleted: 'COMPLETED',
  OrderCancelled: 'CANCELLED',
  OrderFailed: 'FAILED',
  DisputeOpened: 'DISPUTED',
};

/**
 * Wallet changes a person is told about. Money moved by an order is told by the order's own
 * notification (the seller's "new order" and "funds released", either side's "cancelled"), so a
 * checkout no longer sends "pending sale" then "pending sale voided", and a refused checkout's
 * debit and refund tell nobody anything: the cart already said why it was refused.
 */
const walletChanges = new Set(['Deposited', 'Withdrawn']);

/** Statuses the buyer caused by checking out: the cart shows their outcome in place. */
const checkoutStatuses = new Set<OrderStatus>(['PAID', 'FAILED']);

type AnyEvent = { readonly type: string; readonly [field: string]: unknown };

export function planOrderNotifications(entry: JournalEntry, parties: OrderParties): PlannedNotification[] {
  const orderId = idOfKey('order', entry.key);
  const number = orderNumber(orderId);
  const planned: PlannedNotification[] = [];
  (entry.events as AnyEvent[]).forEach((event, index) => {
    const source = `${entry.key}:${entry.seq}:${index}`;
    const status = statusByEvent[event.type];
    if (status !== undefined && parties.confirmed && !checkoutStatuses.has(status)) {
      planned.push({ userId: parties.buyerId, event: 'order.status', data: { orderId, orderNumber: number, status, role: 'buyer' }, source, at: entry.at });
      planned.push({ userId: parties.sellerId, event: 'order.status', data: { orderId, orderNumber: number, status, role: 'seller' }, source, at: entry.at });
    }
    if (event.type === 'CheckoutConfirmed') {
      const data = { orderId, orderNumber: number, buyerId: parties.buyerId, totalMinor: parties.totalMinor, itemCount: parties.itemCount };
      planned.push({ userId: parties.sellerId, event: 'order.new', data, source: `${source}:new`, at: entry.at });
    }
    if (event.type === 'OrderCompleted') {
      const releasedMinor = Number(event['releasedMinor']);
      const feeMinor = Number(event['feeMinor']);
      const data = { orderId, orderNumber: number, amountMinor: releasedMinor - feeMinor, feeMinor, currency: 'USD' as const };
      planned.push({ userId: parties.sellerId, event: 'funds.released', data, source: `${source}:funds`, at: entry.at });
    }
  });
  return planned;
}

export function planWalletNotifications(entry: JournalEntry): PlannedNotification[] {
  const userId = idOfKey('wallet', entry.key);
  if (userId === platformWalletId) return [];
  const planned: PlannedNotification[] = [];
  (entry.events as AnyEvent[]).forEach((event, index) => {
    if (!walletChanges.has(event.type)) return;
    const orderId = typeof event['orderId'] === 'string' ? event['orderId'] : null;
    const data = { change: event.type, amountMinor: Number(event['amountMinor'] ?? 0), orderId };
    planned.push({ userId, event: 'wallet.changed', data, source: `${entry.key}:${entry.seq}:${index}`, at: entry.at });
  });
  return planned;
}
