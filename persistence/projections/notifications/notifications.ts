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
import { assertNever } from '../../../actors/decider.ts';
import type { OrderEvent } from '../../../actors/order/order-messages.ts';
import type { WalletEvent } from '../../../actors/wallet/wallet-messages.ts';
import { orderEventsOf, walletEventsOf } from '../actor-events.ts';

export interface PlannedNotification<Event extends NotificationEvent = NotificationEvent> {
  readonly userId: string;
  readonly event: Event;
  readonly data: NotificationData[Event];
  /** `key:seq:eventIndex[:suffix]`: the idempotency key of the row. */
  readonly source: string;
  readonly at: number;
}

export type { OrderParties };

/** The order events that are news to someone (planOrderEvent says to whom). */
type NewsEvent = Extract<OrderEvent, { type: 'OrderShipped' | 'DeliveryConfirmed' | 'OrderCancelled' | 'DisputeOpened' | 'OrderCompleted' | 'CheckoutConfirmed' }>;

/**
 * Whether an order event tells anyone anything. Statuses the buyer caused by checking out (PAID,
 * FAILED) tell nobody: the cart shows their outcome in place. Steps, timers and the saga's own
 * bookkeeping are not news to anyone.
 */
function isNews(event: OrderEvent): event is NewsEvent {
  switch (event.type) {
    case 'OrderShipped':
    case 'DeliveryConfirmed':
    case 'OrderCancelled':
    case 'DisputeOpened':
    case 'OrderCompleted':
    case 'CheckoutConfirmed':
      return true;
    case 'OrderPaid':
    case 'OrderFailed':
    case 'OrderPlaced':
    case 'OrderPriced':
    case 'StepStarted':
    case 'StepSucceeded':
    case 'StepFailed':
    case 'ReleaseStarted':
    case 'CancellationStarted':
    case 'DisputeResolved':
    case 'TimerScheduled':
    case 'TimerCancelled':
      return false;
    default:
      return assertNever(event);
  }
}

/** Whether an order entry holds news, so the consumer looks up the parties of those orders only. */
export function holdsOrderNews(entry: JournalEntry): boolean {
  return orderEventsOf(entry).some(isNews);
}

/** What one order event tells people. */
function planOrderEvent(event: NewsEvent, order: OrderNotice): PlannedNotification[] {
  switch (event.type) {
    case 'OrderShipped':
      return statusNotices('SHIPPED', order);
    case 'DeliveryConfirmed':
      return statusNotices('DELIVERED', order);
    case 'OrderCancelled':
      return statusNotices('CANCELLED', order);
    case 'DisputeOpened':
      return statusNotices('DISPUTED', order);
    case 'OrderCompleted':
      return [...statusNotices('COMPLETED', order), fundsReleased(event.releasedMinor, event.feeMinor, order)];
    case 'CheckoutConfirmed':
      return [newOrder(order)];
    default:
      return assertNever(event);
  }
}

/** One order event's place in the journal, with the parties the consumer looked up. */
interface OrderNotice {
  readonly orderId: string;
  readonly orderNumber: string;
  readonly parties: OrderParties;
  readonly source: string;
  readonly at: number;
}

/** Both sides hear how an order moves on, but only once its checkout confirmed it. */
function statusNotices(status: OrderStatus, order: OrderNotice): PlannedNotification[] {
  if (!order.parties.confirmed) return [];
  const { orderId, orderNumber: number, parties, source, at } = order;
  return [
    { userId: parties.buyerId, event: 'order.status', data: { orderId, orderNumber: number, status, role: 'buyer' }, source, at },
    { userId: parties.sellerId, event: 'order.status', data: { orderId, orderNumber: number, status, role: 'seller' }, source, at },
  ];
}

function newOrder(order: OrderNotice): PlannedNotification {
  const { orderId, orderNumber: number, parties } = order;
  const data = { orderId, orderNumber: number, buyerId: parties.buyerId, totalMinor: parties.totalMinor, itemCount: parties.itemCount };
  return { userId: parties.sellerId, event: 'order.new', data, source: `${order.source}:new`, at: order.at };
}

function fundsReleased(releasedMinor: number, feeMinor: number, order: OrderNotice): PlannedNotification {
  const data = { orderId: order.orderId, orderNumber: order.orderNumber, amountMinor: releasedMinor - feeMinor, feeMinor, currency: 'USD' as const };
  return { userId: order.parties.sellerId, event: 'funds.released', data, source: `${order.source}:funds`, at: order.at };
}

export function planOrderNotifications(entry: JournalEntry, parties: OrderParties): PlannedNotification[] {
  const orderId = idOfKey('order', entry.key);
  const number = orderNumber(orderId);
  return orderEventsOf(entry).flatMap((event, index) =>
    isNews(event) ? planOrderEvent(event, { orderId, orderNumber: number, parties, source: `${entry.key}:${entry.seq}:${index}`, at: entry.at }) : []);
}

/**
 * Wallet changes a person is told about: their own deposits and withdrawals. Money moved by an
 * order is told by the order's own notification (the seller's "new order" and "funds released",
 * either side's "cancelled"), so a checkout no longer sends "pending sale" then "pending sale
 * voided", and a refused checkout's debit and refund tell nobody anything: the cart already said
 * why it was refused.
 */
function isToldWalletChange(event: WalletEvent): event is Extract<WalletEvent, { type: 'Deposited' | 'Withdrawn' }> {
  switch (event.type) {
    case 'Deposited':
    case 'Withdrawn':
      return true;
    case 'DebitedForOrder':
    case 'PendingCredited':
    case 'PendingReleased':
    case 'PendingVoided':
    case 'OrderRefunded':
    case 'FeeCredited':
    case 'OrderFenced':
      return false;
    default:
      return assertNever(event);
  }
}

export function planWalletNotifications(entry: JournalEntry): PlannedNotification[] {
  const userId = idOfKey('wallet', entry.key);
  if (userId === platformWalletId) return [];
  const planned: PlannedNotification[] = [];
  walletEventsOf(entry).forEach((event, index) => {
    if (!isToldWalletChange(event)) return;
    // Deposits and withdrawals belong to no order.
    const data = { change: event.type, amountMinor: event.amountMinor, orderId: null };
    planned.push({ userId, event: 'wallet.changed', data, source: `${entry.key}:${entry.seq}:${index}`, at: entry.at });
  });
  return planned;
}
