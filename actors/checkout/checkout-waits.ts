/**
 * The states a checkout is awaited in, by name. The runtime registers them with the checkout kind
 * (runtime/entity-kind.ts), so a caller on any node can wait for one: a name travels to the node
 * that owns the checkout, where a function could not.
 */
import type { CheckoutState } from './checkout-messages.ts';

/**
 * Done means every order is PAID and has been told its checkout completed (so its seller may
 * ship it), or the whole cart was compensated. No step of the checkout is still pending. The
 * order whose report completed the checkout is told by the answer to that report, which it
 * records at once, in this process before this wait can end, since the wait ends only once
 * the answer is durable (checkout.ts, startConfirmations).
 */
export function isCheckoutSettled(state: CheckoutState): boolean {
  if (state.status === 'FAILED') return true;
  if (state.status !== 'COMPLETED') return false;
  return Object.values(state.steps).every((step) => step.status !== 'PENDING');
}

export const checkoutWaits = { settled: isCheckoutSettled } as const;

/** Settled with no step left, even a failed one's compensation: nothing but a retried command
 *  reaches it again, so the runtime stops it (Decider.atRest). */
export function isCheckoutAtRest(state: CheckoutState): boolean {
  return (state.status === 'COMPLETED' || state.status === 'FAILED') && Object.values(state.steps).every((step) => step.status !== 'PENDING');
}
