/**
 * Messages of the checkout actor (`checkout:<checkoutId>`): one buyer's cart split into one
 * order per seller, all or nothing (DESIGN.md §3). It places every order, waits for each to
 * settle as PAID or FAILED, and if any failed it cancels the paid ones (each cancellation
 * refunds the buyer) and fails with the first failure's code. If all are PAID it completes and
 * confirms each order, which lets its seller ship it (the checkout gate, order-messages.ts). The client chooses the
 * checkoutId, so a double click or a retry addresses the same actor and gets the same result.
 *
 * Order ids are derived from the checkout id (`<checkoutId>-<n>`, sellers sorted), so a retried
 * checkout can never create a second set of orders.
 *
 * While any of its steps is pending, the checkout keeps a retry wake-up timer (RetrySteps) due,
 * like the order does: the runtime re-runs pending steps only when the actor handles a message,
 * so without it a checkout whose PlaceOrder, CancelOrder or ConfirmCheckout reply was lost would
 * wait forever.
 * A RetrySteps that finds steps still pending arms the next, later one (saga-retry-timer.ts).
 */
import type { EffectOutcome, TimerCancelled, TimerScheduled } from '../decider.ts';
import type { RequestedItem } from '../seller/seller-messages.ts';
import type { OrderSettled } from '../order/order-messages.ts';
import type { ShipToAddress } from '../order/ship-to.ts';

export interface CartLine {
  readonly sellerId: string;
  readonly productId: string;
  readonly qty: number;
}

export interface PlannedOrder {
  readonly orderId: string;
  readonly sellerId: string;
  readonly items: readonly RequestedItem[];
}

export type CheckoutStatus = 'NEW' | 'PLACING' | 'COMPENSATING' | 'COMPLETED' | 'FAILED';

export interface CheckoutPolicy {
  /** A step still unfinished after this long is retried by a wake-up timer (after a crash or a lost reply). */
  readonly stepRetryMs: number;
}

export type CheckoutCommand =
  /** commandId `start:<fingerprint>`. A cart with several lines of one product is merged; every order goes to `shipTo`. */
  | { readonly type: 'StartCheckout'; readonly checkoutId: string; readonly buyerId: string; readonly lines: readonly CartLine[]; readonly shipTo?: ShipToAddress }
  /** commandId `step:<stepId>`; steps are `place:<orderId>`, `cancel:<orderId>` and `confirm:<orderId>`. */
  | { readonly type: 'StepCompleted'; readonly stepId: string; readonly outcome: EffectOutcome }
  /** commandId `settled:<orderId>`: sent by an order when it is PAID or FAILED. */
  | OrderSettled
  /** commandId `timer:<timerId>`: the retry wake-up timer. Records nothing unless steps are still pending. */
  | { readonly type: 'RetrySteps'; readonly timerId: string };

export type CheckoutEvent =
  | {
      readonly type: 'CheckoutStarted';
      readonly checkoutId: string;
      readonly buyerId: string;
      readonly orders: readonly PlannedOrder[];
      readonly at: number;
      /** Absent when the checkout was started without an address. */
      readonly shipTo?: ShipToAddress;
    }
  | { readonly type: 'StepStarted'; readonly stepId: string; readonly target: string; readonly command: unknown; readonly at: number }
  | { readonly type: 'StepSucceeded'; readonly stepId: string; readonly at: number }
  | { readonly type: 'StepFailed'; readonly stepId: string; readonly code: string; readonly message: string; readonly at: number }
  | { readonly type: 'CheckoutOrderSettled'; readonly orderId: string; readonly outcome: 'PAID' | 'FAILED'; readonly code: string | null; readonly message: string | null; readonly at: number }
  | { readonly type: 'CompensationStarted'; readonly code: string; readonly message: string; readonly at: number }
  | { readonly type: 'CheckoutCompleted'; readonly at: number }
  | { readonly type: 'CheckoutFailed'; readonly code: string; readonly message: string; readonly at: number }
  | TimerScheduled
  | TimerCancelled;

export type CheckoutRejection = 'checkout_exists' | 'empty_cart' | 'invalid_quantity' | 'too_many_lines' | 'unknown_checkout' | 'unknown_step';

export interface CheckoutState {
  readonly checkoutId: string;
  readonly buyerId: string;
  readonly status: CheckoutStatus;
  readonly orders: readonly PlannedOrder[];
  /** Where every order of this checkout goes; null when started without an address. */
  readonly shipTo: ShipToAddress | null;
  readonly settled: Readonly<Record<string, { readonly outcome: 'PAID' | 'FAILED'; readonly code: string | null; readonly message: string | null }>>;
  readonly steps: Readonly<Record<string, { readonly status: 'PENDING' | 'DONE' | 'FAILED'; readonly target: string; readonly command: unknown }>>;
  readonly failure: { readonly code: string; readonly message: string } | null;
  /** Timers scheduled and not cancelled or fired, by id (for operators and cancellation). */
  readonly timers: Readonly<Record<string, { readonly dueAt: number; readonly command: unknown }>>;
}
