/**
 * The shapes the projections produce and the gateway serves: products, orders, mail and
 * notifications, as they travel on the wire (gateway/api-types.ts re-exports them for the
 * storefront). Money is integer minor units (cents) with a currency code, never floats.
 */
import type { ShipToAddress } from '../../actors/order/ship-to.ts';

export type Currency = 'USD';

export interface Page<Item> {
  readonly items: readonly Item[];
  readonly page: number;
  readonly pageSize: number;
  readonly total: number;
}

export interface ProductDto {
  readonly id: string;
  readonly sellerId: string;
  readonly sellerName: string;
  readonly title: string;
  readonly description: string;
  readonly category: string;
  readonly priceMinor: number;
  readonly currency: Currency;
  readonly stock: number;
  /** Browser-fetchable URLs (a gateway path for the local store, presigned for S3). */
  readonly images: readonly string[];
  readonly createdAt: number;
  readonly updatedAt: number;
}

export type OrderStatus = 'PLACED' | 'PAID' | 'SHIPPED' | 'DELIVERED' | 'COMPLETED' | 'CANCELLED' | 'DISPUTED' | 'FAILED';

export interface OrderItemDto {
  readonly productId: string;
  readonly title: string;
  readonly qty: number;
  readonly unitPriceMinor: number;
  readonly lineTotalMinor: number;
  /** The product's first image while it exists, for thumbnails. */
  readonly imageUrl: string | null;
}

export interface TimelineStepDto {
  readonly status: OrderStatus | 'CHECKOUT_CONFIRMED' | 'DISPUTE_RESOLVED';
  readonly at: number;
}

/** A shipping address: on an order (as placed) and in the address book. The order's recorded
 *  shape, so the wire and the journal cannot drift apart. */
export type ShipToDto = ShipToAddress;

/** An address in the shopper's address book. */
export interface AddressDto extends ShipToDto {
  readonly id: string;
  readonly isDefault: boolean;
}

export interface OrderDto {
  readonly id: string;
  /** A short human label, e.g. `3F2A91C0`, shown as "order #3F2A91C0". */
  readonly number: string;
  readonly checkoutId: string;
  readonly buyerId: string;
  readonly sellerId: string;
  readonly sellerName: string;
  /** The buyer's display name, for the seller's order desk. */
  readonly buyerName: string;
  /** When the checkout confirmed the order; null for an order an operator sees from a refused checkout. */
  readonly confirmedAt: number | null;
  readonly paidAt: number | null;
  readonly shippedAt: number | null;
  /** The carrier and tracking number given when it shipped, if any. */
  readonly tracking: { readonly carrier: string; readonly trackingNumber: string } | null;
  /** Where the order goes, as the buyer chose it at checkout; null for orders placed without an address. */
  readonly shipTo: ShipToDto | null;
  /** While PAID: when the order is cancelled and refunded unless it ships first. */
  readonly shipByAt: number | null;
  readonly status: OrderStatus;
  readonly currency: Currency;
  readonly totalMinor: number;
  readonly feeMinor: number;
  readonly releasedMinor: number | null;
  readonly refundedMinor: number | null;
  readonly placedAt: number;
  readonly releaseDueAt: number | null;
  readonly cancelReason: string | null;
  readonly disputeReason: string | null;
  readonly disputeResolution: 'refund' | 'release' | null;
  readonly failureCode: string | null;
  readonly items: readonly OrderItemDto[];
  readonly timeline: readonly TimelineStepDto[];
}

export type LedgerStatus = 'PENDING' | 'LOCKED' | 'RELEASED' | 'COMPLETED' | 'REFUNDED' | 'VOIDED';
export type LedgerKind = 'deposit' | 'withdrawal' | 'purchase' | 'refund' | 'sale' | 'sale_fee' | 'platform_fee';

export interface LedgerEntryDto {
  readonly id: string;
  readonly amountMinor: number;
  readonly type: 'CREDIT' | 'DEBIT';
  readonly status: LedgerStatus;
  readonly kind: LedgerKind;
  readonly orderId: string | null;
  readonly lockedUntil: number | null;
  readonly createdAt: number;
}

export interface SellerStatsDto {
  readonly ordersPlaced: number;
  readonly ordersShipped: number;
  readonly ordersCompleted: number;
  readonly ordersCancelled: number;
  readonly ordersDisputed: number;
  /** shipped / placed, 0..1; null before the first order. */
  readonly fulfilmentRate: number | null;
  /** disputed / placed, 0..1; null before the first order. */
  readonly disputeRate: number | null;
  readonly avgTimeToShipMs: number | null;
  /** Sales per UTC day (paid orders), oldest first, for the dashboard chart. */
  readonly salesByDay: readonly { readonly day: string; readonly orders: number; readonly salesMinor: number }[];
  /** The daily analytics job's rows in the range (table `seller_stats_daily`), oldest first. */
  readonly daily: readonly SellerDailyStatDto[];
}

/** One seller's day from the daily analytics job (table `seller_stats_daily`, issue #6). */
export interface SellerDailyStatDto {
  /** The UTC day, YYYY-MM-DD. */
  readonly day: string;
  /** Orders paid that day. */
  readonly orders: number;
  readonly salesMinor: number;
  /** Of that day's orders, the share shipped so far, 0..1; null when there were none. */
  readonly fulfilmentRate: number | null;
  /** Of that day's orders, the share cancelled after payment or disputed, 0..1; null when none. */
  readonly returnDisputeRate: number | null;
  /** Mean time from payment to shipping of that day's shipped orders; null when none shipped. */
  readonly avgFulfilmentMs: number | null;
}

export type MailStatus = 'pending' | 'sending' | 'sent' | 'failed';

/** A mail in the outbox (GET /api/admin/mail): what was or will be sent, and how it went. */
export interface MailDto {
  /** The idempotency key, e.g. `order-confirmation:<orderId>`; one mail per key, ever. */
  readonly id: string;
  readonly kind: 'welcome' | 'order-confirmation' | 'new-order' | 'shipped' | 'funds-released';
  readonly to: string;
  readonly subject: string;
  readonly text: string;
  readonly status: MailStatus;
  readonly attempts: number;
  readonly lastError: string | null;
  readonly nextAttemptAt: number | null;
  readonly createdAt: number;
  readonly sentAt: number | null;
}

export type NotificationEvent = 'order.status' | 'order.new' | 'funds.released' | 'wallet.changed';

export interface NotificationData {
  readonly 'order.status': { readonly orderId: string; readonly orderNumber: string; readonly status: OrderStatus; readonly role: 'buyer' | 'seller' };
  /** The seller's live feed: an order that is paid and may be shipped. */
  readonly 'order.new': { readonly orderId: string; readonly orderNumber: string; readonly buyerId: string; readonly totalMinor: number; readonly itemCount: number };
  readonly 'funds.released': { readonly orderId: string; readonly orderNumber: string; readonly amountMinor: number; readonly feeMinor: number; readonly currency: Currency };
  readonly 'wallet.changed': { readonly change: string; readonly amountMinor: number; readonly orderId: string | null };
}

export type NotificationDto = {
  [Event in NotificationEvent]: {
    readonly type: 'notification';
    /** Per user, increasing by one, persisted: a resume replays everything after a seq. */
    readonly seq: number;
    readonly event: Event;
    readonly data: NotificationData[Event];
    readonly at: number;
  };
}[NotificationEvent];

/** What a match was found by: the words an operator reads off a ticket or hears on the phone. */
export type ActorMatchReason = 'actor key' | 'order number' | 'order id' | 'email' | 'product title';

export interface ActorMatchDto {
  /** The full actor key (never shortened: two keys may share a long prefix). */
  readonly key: string;
  readonly kind: string;
  readonly matchedBy: ActorMatchReason;
  /** What matched, for people: "Order #3F2A91C0", "alice@bazaary.dev", "Scented Candle". */
  readonly label: string;
  /** The order's status, a user's role, or a product's listing state; null when there is none. */
  readonly status: string | null;
  readonly buyer: string | null;
  readonly seller: string | null;
}
