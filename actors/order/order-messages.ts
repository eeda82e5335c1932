/**
 * Messages of the order actor (`order:<orderId>`), the saga coordinator of one buyer's order
 * with one seller (DESIGN.md §3). Each cross-actor step is journaled as intent (StepStarted)
 * and then result (StepSucceeded / StepFailed); the runtime runs the steps the state is
 * waiting on (ProcessManager.effects) and retries them after a crash until they finish.
 *
 * Steps, in order, and their targets (stepId = the step name; each runs at most once per order):
 *   placing:    reserve_stock (seller) → debit_buyer (buyer wallet) → credit_seller (seller wallet, pending)
 *               → PAID; on failure: undo every step started, newest first (void_pending, refund_buyer,
 *               release_stock), even a step that was refused → FAILED
 *   releasing:  release_funds (seller wallet, ReleasePending with fee) → credit_fee (wallet:platform) → COMPLETED
 *   cancelling: void_pending (seller wallet) → refund_buyer (buyer wallet) → release_stock (unless shipped) → CANCELLED
 *   always:     notify_checkout when PAID or FAILED
 *
 * The seller's stats come from the orders read model (confirmed orders only), not from the seller
 * actor: orders journaled before that also ran a `stat_<outcome>` step to the seller on each
 * outcome (LegacyStepName). Such a step still pending finishes like any side step; none starts now.
 *
 * The checkout gate: a checkout is all or nothing, so a PAID order may not ship (and so can never
 * be disputed, confirmed or released), and its buyer and seller may not cancel it, until its
 * checkout has COMPLETED and told it so: by ConfirmCheckout, or, for the order whose report
 * completed the checkout, in the answer to that report (notify_checkout). Until then it only waits, or is cancelled (by
 * an admin, the ship-by timer, or the checkout's compensation), so a failing checkout can always
 * refund it and no person acts on an order they cannot see yet.
 *
 * Fences: an undo that finds nothing to undo at its target succeeds there with a fence
 * (wallet OrderFenced, seller ReservationFenced), and the target then refuses any late attempt
 * of the undone step with `order_closed`. Without it, an earlier attempt of a debit (or pending
 * credit, or reservation) still on its way could take effect after its undo, and a failed order
 * would keep the buyer's money (or the seller's stock). Every rejection of an undo step is a
 * failure that stops the path for an operator; the answer to a late attempt reaches a step that
 * has already finished, and is ignored like any stale report.
 *
 * While any step is pending, a retry wake-up timer (RetrySteps) is kept due; one that fires with
 * steps still pending arms the next, later one (saga-retry-timer.ts).
 */
import type { EffectOutcome, TimerCancelled, TimerScheduled } from '../decider.ts';
import type { OrderOutcome, PricedItem, RequestedItem } from '../seller/seller-messages.ts';
import type { ShipToAddress } from './ship-to.ts';

export type { ShipToAddress } from './ship-to.ts';

export type OrderStatus = 'PLACED' | 'PAID' | 'SHIPPED' | 'DELIVERED' | 'COMPLETED' | 'CANCELLED' | 'DISPUTED' | 'FAILED';

export type StepName =
  | 'reserve_stock'
  | 'debit_buyer'
  | 'credit_seller'
  | 'release_funds'
  | 'credit_fee'
  | 'void_pending'
  | 'refund_buyer'
  | 'release_stock'
  | 'notify_checkout';

/** A step only orders journaled before the stats moved to the read model started (see above). */
export type LegacyStepName = `stat_${OrderOutcome}`;

/** How a shipment is followed: the carrier's name and its tracking number, as the seller typed them. */
export interface ShipmentTracking {
  readonly carrier: string;
  readonly trackingNumber: string;
}

export type CancelReason = 'buyer_cancelled' | 'seller_cancelled' | 'ship_by_expired' | 'checkout_failed' | 'dispute_refunded' | 'admin_cancelled';
export type ReleaseReason = 'buyer_confirmed' | 'auto_release' | 'dispute_released';

export interface OrderPolicy {
  /** Platform fee in basis points of the order total, taken on release. */
  readonly platformFeeBps: number;
  /** Escrow auto-release delay after shipping (default 7 days). */
  readonly releaseAfterMs: number;
  /** An order not shipped within this window after payment is cancelled and refunded. */
  readonly shipByMs: number;
  /** A step still unfinished after this long is retried by a wake-up timer (after a crash). */
  readonly stepRetryMs: number;
}

export type Actor =
  | { readonly role: 'BUYER'; readonly userId: string }
  | { readonly role: 'SELLER'; readonly userId: string }
  | { readonly role: 'ADMIN'; readonly userId: string }
  | { readonly role: 'SYSTEM' };

export type OrderCommand =
  /** commandId `place`. Sent by the checkout saga. */
  | {
      readonly type: 'PlaceOrder';
      readonly orderId: string;
      readonly checkoutId: string;
      readonly buyerId: string;
      readonly sellerId: string;
      readonly items: readonly RequestedItem[];
      /** Where the order goes; absent for checkouts made without one (older clients, scripts). */
      readonly shipTo?: ShipToAddress;
    }
  /**
   * commandId `checkout-confirmed`. Sent by the checkout once all its orders are PAID: lifts the
   * checkout gate. A no-op for an order that is confirmed already, or cancelled or being cancelled.
   */
  | { readonly type: 'ConfirmCheckout'; readonly checkoutId: string }
  /** commandId `step:<stepId>`: a step's outcome, fed back by the runtime. */
  | { readonly type: 'StepCompleted'; readonly stepId: string; readonly outcome: EffectOutcome }
  | { readonly type: 'ShipOrder'; readonly commandId: string; readonly by: Actor; readonly tracking?: ShipmentTracking }
  | { readonly type: 'ConfirmDelivery'; readonly commandId: string; readonly by: Actor }
  | { readonly type: 'CancelOrder'; readonly commandId: string; readonly by: Actor; readonly reason: CancelReason }
  | { readonly type: 'OpenDispute'; readonly commandId: string; readonly by: Actor; readonly reason: string }
  | { readonly type: 'ResolveDispute'; readonly commandId: string; readonly by: Actor; readonly resolution: 'refund' | 'release' }
  /** Timer commands: commandId `timer:<timerId>`. Ignored when their reason has passed. */
  | { readonly type: 'ReleaseEscrow'; readonly timerId: string }
  | { readonly type: 'ExpireShipBy'; readonly timerId: string }
  | { readonly type: 'RetrySteps'; readonly timerId: string };

export type OrderEvent =
  | {
      readonly type: 'OrderPlaced';
      readonly orderId: string;
      readonly checkoutId: string;
      readonly buyerId: string;
      readonly sellerId: string;
      readonly items: readonly RequestedItem[];
      readonly platformFeeBps: number;
      readonly at: number;
      /** The ship-to address; absent on orders placed without one (and on every order placed before addresses existed). */
      readonly shipTo?: ShipToAddress;
    }
  | { readonly type: 'StepStarted'; readonly stepId: StepName | LegacyStepName; readonly target: string; readonly command: unknown; readonly at: number }
  | { readonly type: 'StepSucceeded'; readonly stepId: StepName | LegacyStepName; readonly at: number }
  | { readonly type: 'StepFailed'; readonly stepId: StepName | LegacyStepName; readonly code: string; readonly message: string; readonly at: number }
  /** The seller's prices, fixed at reservation: the only source of the order's amounts. */
  | { readonly type: 'OrderPriced'; readonly items: readonly PricedItem[]; readonly totalMinor: number; readonly feeMinor: number; readonly at: number }
  | { readonly type: 'OrderPaid'; readonly at: number }
  /** The order's checkout completed: the order may now ship, or be cancelled by its buyer or seller. */
  | { readonly type: 'CheckoutConfirmed'; readonly at: number }
  | { readonly type: 'OrderFailed'; readonly code: string; readonly message: string; readonly at: number }
  | { readonly type: 'OrderShipped'; readonly at: number; readonly releaseDueAt: number; readonly tracking?: ShipmentTracking }
  | { readonly type: 'DeliveryConfirmed'; readonly at: number }
  | { readonly type: 'ReleaseStarted'; readonly reason: ReleaseReason; readonly at: number }
  | { readonly type: 'OrderCompleted'; readonly reason: ReleaseReason; readonly releasedMinor: number; readonly feeMinor: number; readonly at: number }
  | { readonly type: 'CancellationStarted'; readonly reason: CancelReason; readonly at: number }
  | { readonly type: 'OrderCancelled'; readonly reason: CancelReason; readonly refundedMinor: number; readonly at: number }
  | { readonly type: 'DisputeOpened'; readonly reason: string; readonly at: number }
  | { readonly type: 'DisputeResolved'; readonly resolution: 'refund' | 'release'; readonly adminId: string; readonly at: number }
  | TimerScheduled
  | TimerCancelled;

export type OrderRejection =
  | 'order_exists'
  | 'unknown_order'
  | 'not_your_order'
  | 'forbidden'
  | 'invalid_transition'
  /** A PAID order whose checkout has not completed yet cannot ship, nor be cancelled by its buyer or seller. */
  | 'awaiting_checkout'
  | 'not_disputed'
  /** Disputes are for shipped or delivered orders; a buyer cancels an unshipped one instead. */
  | 'not_shipped'
  | 'unknown_step'
  | 'empty_order';

export interface StepState {
  readonly status: 'PENDING' | 'DONE' | 'FAILED';
  readonly target: string;
  readonly command: unknown;
  readonly startedAt: number;
}

export interface OrderState {
  readonly orderId: string;
  readonly checkoutId: string;
  readonly buyerId: string;
  readonly sellerId: string;
  readonly status: OrderStatus | 'NEW';
  /** The running saga path, or null when the order waits for people (ship, confirm, resolve). */
  readonly saga: 'placing' | 'releasing' | 'cancelling' | null;
  readonly requested: readonly RequestedItem[];
  /** Where the order goes, as placed; null when it was placed without an address. */
  readonly shipTo: ShipToAddress | null;
  readonly items: readonly PricedItem[];
  readonly totalMinor: number;
  readonly feeMinor: number;
  readonly platformFeeBps: number;
  readonly steps: Readonly<Record<string, StepState>>;
  readonly failure: { readonly code: string; readonly message: string } | null;
  readonly cancelReason: CancelReason | null;
  readonly releaseReason: ReleaseReason | null;
  readonly dispute: { readonly reason: string; readonly openedAt: number } | null;
  readonly shipped: boolean;
  /** Whether the order's checkout completed (ConfirmCheckout): until then it cannot ship, nor be cancelled by its buyer or seller. */
  readonly checkoutConfirmed: boolean;
  readonly placedAt: number;
  readonly paidAt: number | null;
  readonly shippedAt: number | null;
  readonly deliveredAt: number | null;
  readonly completedAt: number | null;
  readonly cancelledAt: number | null;
  readonly releaseDueAt: number | null;
  /** Timers scheduled and not cancelled or fired, by id (for operators and cancellation). */
  readonly timers: Readonly<Record<string, { readonly dueAt: number; readonly command: unknown }>>;
}

/** The report an order sends its checkout when it is PAID or FAILED (commandId `settled:<orderId>`).
 *  The order owns this message, so the checkout depends on the order's protocol and not both ways. */
export interface OrderSettled {
  readonly type: 'OrderSettled';
  readonly orderId: string;
  readonly outcome: 'PAID' | 'FAILED';
  readonly code: string | null;
  readonly message: string | null;
}
