/**
 * Application commands that span actors and wait for their outcome. The gateway, the
 * simulations and the benchmarks call these instead of talking to the saga actors directly.
 */
import type { CartLine, CheckoutState } from '../../actors/checkout/checkout-messages.ts';
import type { Failure } from '../../runtime/ask.ts';
import { failure } from '../../runtime/ask.ts';
import type { BazaarySystem } from './system.ts';

export interface CheckoutRequest {
  /** Chosen by the client, so a double click or a retry addresses the same checkout. */
  readonly checkoutId: string;
  readonly buyerId: string;
  readonly lines: readonly CartLine[];
}

export interface CheckoutSucceeded {
  readonly ok: true;
  readonly checkoutId: string;
  readonly orderIds: readonly string[];
}

/**
 * Done means every order is PAID and has been told its checkout completed (so its seller may
 * ship it), or the whole cart was compensated. No step of the checkout is still pending.
 */
function settled(state: CheckoutState): boolean {
  if (state.status === 'FAILED') return true;
  if (state.status !== 'COMPLETED') return false;
  return Object.values(state.steps).every((step) => step.status !== 'PENDING');
}

/**
 * Starts (or re-addresses) a checkout and waits until every order is PAID or the whole cart is
 * compensated. A `timeout` Failure means the saga is still running: retrying with the same
 * checkoutId waits for the same saga and never places the orders twice.
 */
export async function checkout(
  system: Pick<BazaarySystem, 'checkouts'>,
  request: CheckoutRequest,
  timeoutMs: number,
): Promise<CheckoutSucceeded | Failure> {
  const started = await system.checkouts.ask(request.checkoutId, { type: 'StartCheckout', ...request }, timeoutMs);
  if (!started.ok) return started;
  const outcome = await system.checkouts.waitFor(request.checkoutId, settled, timeoutMs);
  if (!outcome.ok) return outcome;
  const state = outcome.state;
  if (state.status === 'COMPLETED') {
    return { ok: true, checkoutId: request.checkoutId, orderIds: state.orders.map((order) => order.orderId) };
  }
  const reason = state.failure ?? { code: 'checkout_failed', message: 'the checkout could not be completed' };
  return failure(reason.code, reason.message);
}
