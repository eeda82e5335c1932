/**
 * Which mails the journal and the register route produce, and what they say (issue #6). Pure:
 * the mail consumer looks up the order's parties and their addresses and hands them in.
 *
 * Each mail's id is its idempotency key, one per (kind, order) or per user, so however often an
 * event is processed the outbox holds that mail once (persistence/migrations/007_mail_outbox.sql).
 * Order mails follow the order's own events: the confirmation and the seller's new-order mail
 * when the checkout is confirmed (every part of it paid, so the order is final), the shipping
 * notice when it ships, and the funds-released mail when the escrow is released.
 */
import type { JournalEntry } from '../../adapters/journal.ts';
import type { MailDto } from '../views.ts';
import { orderNumber } from '../../../actors/order/order-number.ts';
import { idOfKey, isKeyOf } from '../../../actors/keys.ts';
import { assertNever } from '../../../actors/decider.ts';
import type { OrderEvent } from '../../../actors/order/order-messages.ts';
import { orderEventsOf } from '../actor-events.ts';

export type MailKind = MailDto['kind'];

export interface PlannedMail {
  /** The idempotency key: `<kind>:<userId or orderId>`. */
  readonly id: string;
  readonly kind: MailKind;
  readonly to: string;
  readonly subject: string;
  readonly text: string;
  readonly createdAt: number;
}

export interface MailParties {
  readonly buyerEmail: string | null;
  readonly sellerEmail: string | null;
  readonly sellerName: string;
  readonly totalMinor: number;
}

/** Cents as dollars for people: 123456 → "$1,234.56". Integer arithmetic, no floats. */
export function formatUsd(amountMinor: number): string {
  const sign = amountMinor < 0 ? '-' : '';
  const absolute = Math.abs(amountMinor);
  const dollars = Math.floor(absolute / 100).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return `${sign}$${dollars}.${String(absolute % 100).padStart(2, '0')}`;
}

export function welcomeMail(user: { readonly id: string; readonly email: string; readonly displayName: string; readonly role: string }, at: number): PlannedMail {
  const selling = user.role === 'SELLER' ? 'Add your first product from the seller dashboard.' : 'Fund your wallet and start shopping.';
  return {
    id: `welcome:${user.id}`,
    kind: 'welcome',
    to: user.email,
    subject: 'Welcome to Bazaary',
    text: `Hello ${user.displayName},\n\nyour Bazaary account is ready. ${selling}\n\nThe Bazaary team\n`,
    createdAt: at,
  };
}

function orderMail(kind: MailKind, orderId: string, to: string, subject: string, text: string, at: number): PlannedMail {
  return { id: `${kind}:${orderId}`, kind, to, subject, text, createdAt: at };
}

/** The mails one order entry produces; a party without an address gets none. */
export function planOrderMails(entry: JournalEntry, parties: MailParties): PlannedMail[] {
  const orderId = idOfKey('order', entry.key);
  const order: OrderMailContext = { orderId, orderNumber: orderNumber(orderId), total: formatUsd(parties.totalMinor), parties, at: entry.at };
  return orderEventsOf(entry).flatMap((event) => mailsFor(event, order));
}

interface OrderMailContext {
  readonly orderId: string;
  readonly orderNumber: string;
  /** The order's total, formatted for people. */
  readonly total: string;
  readonly parties: MailParties;
  readonly at: number;
}

/**
 * The mails one order event produces. The confirmation waits for `CheckoutConfirmed` (every part
 * of the checkout paid), not `OrderPaid`, so nobody is mailed about an order that is then undone.
 */
function mailsFor(event: OrderEvent, order: OrderMailContext): PlannedMail[] {
  const { orderId, orderNumber: number, total, parties, at } = order;
  const { buyerEmail, sellerEmail } = parties;
  const planned: PlannedMail[] = [];
  switch (event.type) {
    case 'CheckoutConfirmed':
      if (buyerEmail !== null) {
        planned.push(orderMail('order-confirmation', orderId, buyerEmail, `Your order ${number} is confirmed`,
          `Thank you for your order ${number} from ${parties.sellerName}.\nWe charged ${total}; the seller is paid once you have your goods.\n`, at));
      }
      if (sellerEmail !== null) {
        planned.push(orderMail('new-order', orderId, sellerEmail, `New order ${number}`,
          `You have a new paid order ${number} worth ${total}.\nPlease ship it from your seller dashboard.\n`, at));
      }
      return planned;
    case 'OrderShipped':
      if (buyerEmail !== null) {
        planned.push(orderMail('shipped', orderId, buyerEmail, `Your order ${number} has shipped`,
          `${parties.sellerName} has shipped your order ${number}.\nConfirm delivery once it arrives, or open a dispute if something is wrong.\n`, at));
      }
      return planned;
    case 'OrderCompleted':
      if (sellerEmail !== null) {
        const paidOut = formatUsd(event.releasedMinor - event.feeMinor);
        planned.push(orderMail('funds-released', orderId, sellerEmail, `Funds released for order ${number}`,
          `The escrow of order ${number} is released: ${paidOut} (after the platform fee of ${formatUsd(event.feeMinor)}) is now in your wallet balance.\n`, at));
      }
      return planned;
    case 'OrderPlaced':
    case 'OrderPriced':
    case 'OrderPaid':
    case 'OrderFailed':
    case 'StepStarted':
    case 'StepSucceeded':
    case 'StepFailed':
    case 'DeliveryConfirmed':
    case 'ReleaseStarted':
    case 'CancellationStarted':
    case 'OrderCancelled':
    case 'DisputeOpened':
    case 'DisputeResolved':
    case 'TimerScheduled':
    case 'TimerCancelled':
      return planned;
    default:
      return assertNever(event);
  }
}

/**
 * True when the entry can produce mail, so the consumer looks up parties only for those. It asks
 * `mailsFor` with both parties reachable, so which events mail is decided in that one switch.
 */
export function mayProduceMail(entry: JournalEntry): boolean {
  if (!isKeyOf('order', entry.key)) return false;
  const order: OrderMailContext = { orderId: idOfKey('order', entry.key), orderNumber: '', total: '', parties: everyoneReachable, at: entry.at };
  return orderEventsOf(entry).some((event) => mailsFor(event, order).length > 0);
}

const everyoneReachable: MailParties = { buyerEmail: '', sellerEmail: '', sellerName: '', totalMinor: 0 };
