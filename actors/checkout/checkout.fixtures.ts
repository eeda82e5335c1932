/**
 * Test fixtures for the checkout decider: one two-seller cart written out by hand, the events and
 * commands the tests build from it, and its start. Used by checkout.test.ts and
 * checkout.compensation.test.ts.
 */
import type { OrderCommand } from '../order/order-messages.ts';
import { deciderSpecification } from '../testing/decider-spec.ts';
import type { CartLine, CheckoutCommand, CheckoutEvent, PlannedOrder } from './checkout-messages.ts';
import { checkoutDecider, defaultCheckoutPolicy } from './checkout.ts';

// ---------------------------------------------------------------------------------------------
// Given (events) / When (command) / Then (events or rejection)

export const now = Date.UTC(2026, 0, 1);
export const retryMs = defaultCheckoutPolicy.stepRetryMs;

export const { given, stateOf } = deciderSpecification(checkoutDecider, { now });

// A cart over two sellers, lines out of order and one product twice.
export const lines: CartLine[] = [
  { sellerId: 'zed', productId: 'pen', qty: 1 },
  { sellerId: 'amy', productId: 'tea', qty: 2 },
  { sellerId: 'amy', productId: 'mug', qty: 1 },
  { sellerId: 'amy', productId: 'tea', qty: 3 },
];
export const orders: PlannedOrder[] = [
  { orderId: 'k1-1', sellerId: 'amy', items: [{ productId: 'mug', qty: 1 }, { productId: 'tea', qty: 5 }] },
  { orderId: 'k1-2', sellerId: 'zed', items: [{ productId: 'pen', qty: 1 }] },
];

export const placeCommand = (order: PlannedOrder): OrderCommand => ({
  type: 'PlaceOrder',
  orderId: order.orderId,
  checkoutId: 'k1',
  buyerId: 'b1',
  sellerId: order.sellerId,
  items: order.items,
});
export const cancelCommand: OrderCommand = { type: 'CancelOrder', commandId: 'checkout-cancel', by: { role: 'SYSTEM' }, reason: 'checkout_failed' };
export const confirmCommand: OrderCommand = { type: 'ConfirmCheckout', checkoutId: 'k1' };

export const ev = {
  started: (): CheckoutEvent => ({ type: 'CheckoutStarted', checkoutId: 'k1', buyerId: 'b1', orders, at: now }),
  placing: (order: PlannedOrder): CheckoutEvent => ({
    type: 'StepStarted',
    stepId: `place:${order.orderId}`,
    target: `order:${order.orderId}`,
    command: placeCommand(order),
    at: now,
  }),
  cancelling: (orderId: string): CheckoutEvent => ({ type: 'StepStarted', stepId: `cancel:${orderId}`, target: `order:${orderId}`, command: cancelCommand, at: now }),
  confirming: (orderId: string): CheckoutEvent => ({ type: 'StepStarted', stepId: `confirm:${orderId}`, target: `order:${orderId}`, command: confirmCommand, at: now }),
  completed: (): CheckoutEvent => ({ type: 'CheckoutCompleted', at: now }),
  succeeded: (stepId: string, at = now): CheckoutEvent => ({ type: 'StepSucceeded', stepId, at }),
  failed: (stepId: string, code: string, message: string): CheckoutEvent => ({ type: 'StepFailed', stepId, code, message, at: now }),
  paid: (orderId: string, at = now): CheckoutEvent => ({ type: 'CheckoutOrderSettled', orderId, outcome: 'PAID', code: null, message: null, at }),
  /** The retry wake-up timer `retry-<id>`, scheduled at `at`, `rearms` times re-armed without progress. */
  retry: (id: string, at = now, rearms = 0): CheckoutEvent => ({
    type: 'TimerScheduled',
    timerId: `retry-${id}`,
    dueAt: at + retryMs * 2 ** rearms,
    command: { type: 'RetrySteps', timerId: `retry-${id}` },
  }),
  timerCancelled: (timerId: string): CheckoutEvent => ({ type: 'TimerCancelled', timerId }),
  failedOrder: (orderId: string, code: string | null, message: string | null): CheckoutEvent => ({
    type: 'CheckoutOrderSettled',
    orderId,
    outcome: 'FAILED',
    code,
    message,
    at: now,
  }),
};

export const cmd = {
  start: (cart: CartLine[] = lines, buyerId = 'b1'): CheckoutCommand => ({ type: 'StartCheckout', checkoutId: 'k1', buyerId, lines: cart }),
  paid: (orderId: string): CheckoutCommand => ({ type: 'OrderSettled', orderId, outcome: 'PAID', code: null, message: null }),
  failed: (orderId: string, code: string | null = 'insufficient_funds', message: string | null = 'No money.'): CheckoutCommand => ({
    type: 'OrderSettled',
    orderId,
    outcome: 'FAILED',
    code,
    message,
  }),
  ok: (stepId: string): CheckoutCommand => ({ type: 'StepCompleted', stepId, outcome: { ok: true, events: [] } }),
  fail: (stepId: string, code: string, message: string): CheckoutCommand => ({ type: 'StepCompleted', stepId, outcome: { ok: false, code, message } }),
  retrySteps: (id: string): CheckoutCommand => ({ type: 'RetrySteps', timerId: `retry-${id}` }),
};

export const [amyOrder, zedOrder] = orders as [PlannedOrder, PlannedOrder];
/** Two place steps pending (progress 2), so the first retry timer is `retry-2`. */
export const started = [ev.started(), ev.placing(amyOrder), ev.placing(zedOrder), ev.retry('2')];
