/**
 * Messages of the seller actor (`seller:<sellerId>`): the seller's profile, lifecycle, catalog
 * (prices in minor units, stock), and stock reservations for orders. Reservations are idempotent
 * by orderId: the order saga retries them after crashes.
 *
 * Stats: a seller's order counts come from the orders read model, which counts confirmed orders
 * only (persistence/projections/readmodels/seller-order-stats.ts). The actor used to count every
 * outcome itself, told by a `stat_<outcome>` step of each order: two journal entries per outcome
 * on the busiest actor, for figures nobody read. `RecordOrderOutcome` and `OrderOutcomeRecorded`
 * remain only so that orders and journals from before still finish and replay.
 *
 * Fence: a failing order gives back the stock of a reservation it asked for even when the
 * reservation was refused, because an earlier attempt of it may still be on its way. A
 * `ReleaseStock` for an order with no reservation here is therefore accepted as
 * `ReservationFenced{orderId}` (no stock moves), and a later `ReserveStock` for that order is
 * refused with `order_closed`. A repeated release is accepted with no new events.
 */
export type LifecycleState = 'ACTIVE' | 'SUSPENDED';

export interface ProductFields {
  readonly title: string;
  readonly description: string;
  readonly priceMinor: number;
  readonly stock: number;
  readonly category: string;
}

export interface Product extends ProductFields {
  readonly productId: string;
  readonly images: readonly string[];
  readonly deleted: boolean;
  readonly createdAt: number;
  readonly updatedAt: number;
}

export interface RequestedItem {
  readonly productId: string;
  readonly qty: number;
}

/** A reserved line: the price is the seller's at reservation time, never the client's. */
export interface PricedItem {
  readonly productId: string;
  readonly title: string;
  readonly qty: number;
  readonly unitPriceMinor: number;
}

export type OrderOutcome = 'placed' | 'shipped' | 'completed' | 'cancelled' | 'disputed';

export type SellerCommand =
  | { readonly type: 'RegisterSeller'; readonly commandId: string; readonly name: string; readonly email: string }
  | { readonly type: 'SuspendSeller'; readonly commandId: string; readonly reason: string }
  | { readonly type: 'ReactivateSeller'; readonly commandId: string }
  | { readonly type: 'CreateProduct'; readonly commandId: string; readonly productId: string; readonly fields: ProductFields }
  | { readonly type: 'UpdateProduct'; readonly commandId: string; readonly productId: string; readonly patch: Partial<ProductFields> }
  | { readonly type: 'DeleteProduct'; readonly commandId: string; readonly productId: string }
  | { readonly type: 'AddProductImage'; readonly commandId: string; readonly productId: string; readonly imageKey: string }
  /** commandId `reserve:<orderId>`. All lines or none. */
  | { readonly type: 'ReserveStock'; readonly orderId: string; readonly items: readonly RequestedItem[] }
  /** commandId `release-stock:<orderId>`: gives a reservation's stock back (order failed or cancelled). */
  | { readonly type: 'ReleaseStock'; readonly orderId: string }
  /** commandId `stat:<orderId>:<outcome>`. Legacy (see above): accepted, and records nothing. */
  | { readonly type: 'RecordOrderOutcome'; readonly orderId: string; readonly outcome: OrderOutcome; readonly atMs: number };

export type SellerEvent =
  | { readonly type: 'SellerRegistered'; readonly name: string; readonly email: string; readonly at: number }
  | { readonly type: 'SellerSuspended'; readonly reason: string; readonly at: number }
  | { readonly type: 'SellerReactivated'; readonly at: number }
  | { readonly type: 'ProductCreated'; readonly productId: string; readonly fields: ProductFields; readonly at: number }
  | { readonly type: 'ProductUpdated'; readonly productId: string; readonly patch: Partial<ProductFields>; readonly at: number }
  | { readonly type: 'ProductDeleted'; readonly productId: string; readonly at: number }
  | { readonly type: 'ProductImageAdded'; readonly productId: string; readonly imageKey: string; readonly at: number }
  | { readonly type: 'StockReserved'; readonly orderId: string; readonly items: readonly PricedItem[]; readonly at: number }
  | { readonly type: 'StockReleased'; readonly orderId: string; readonly items: readonly PricedItem[]; readonly at: number }
  /** A release found no reservation of the order: the order is closed here and never reserves. */
  | { readonly type: 'ReservationFenced'; readonly orderId: string }
  /** Legacy (see above): still in old journals; changes nothing. */
  | { readonly type: 'OrderOutcomeRecorded'; readonly orderId: string; readonly outcome: OrderOutcome; readonly atMs: number };

export type SellerRejection =
  | 'seller_not_registered'
  | 'seller_already_registered'
  | 'seller_suspended'
  | 'invalid_product'
  | 'product_exists'
  | 'product_not_found'
  | 'out_of_stock'
  | 'empty_reservation'
  /** A line's quantity is not a positive whole number, or the reservation's total is past 2^53 − 1 cents. */
  | 'invalid_reservation'
  | 'unknown_reservation'
  | 'conflicting_retry'
  /** The order's stock was already given back (fenced) before it was reserved, so it cannot be reserved now. */
  | 'order_closed';

export interface Reservation {
  readonly items: readonly PricedItem[];
  readonly status: 'RESERVED' | 'RELEASED';
}

export interface SellerState {
  readonly registered: boolean;
  readonly name: string;
  readonly email: string;
  readonly lifecycleState: LifecycleState;
  readonly products: Readonly<Record<string, Product>>;
  readonly reservations: Readonly<Record<string, Reservation>>;
  /** Orders released before they ever reserved here (ReservationFenced): never reserved now. */
  readonly fencedOrders: Readonly<Record<string, true>>;
}
