/**
 * Who may do what to an order, and in which state. Each check returns a rejection, or
 * undefined when the fact holds. A role that can never do the thing is `forbidden`; the right
 * role on someone else's order is `not_your_order`; the wrong moment is `invalid_transition`.
 */
import { assertNever, reject, type Rejected } from '../decider.ts';
import type { Actor, CancelReason, OrderRejection, OrderState } from './order-messages.ts';

export type OrderRejected = Rejected<OrderRejection>;

export function checkPlaced(state: OrderState): OrderRejected | undefined {
  return state.status === 'NEW' ? reject('unknown_order', 'There is no such order.') : undefined;
}

export function checkSeller(state: OrderState, by: Actor, action: string): OrderRejected | undefined {
  if (by.role !== 'SELLER') return reject('forbidden', `Only the order's seller can ${action} it.`);
  if (by.userId !== state.sellerId) return reject('not_your_order', `Order ${state.orderId} belongs to another seller.`);
  return undefined;
}

export function checkBuyer(state: OrderState, by: Actor, action: string): OrderRejected | undefined {
  if (by.role !== 'BUYER') return reject('forbidden', `Only the order's buyer can ${action} it.`);
  if (by.userId !== state.buyerId) return reject('not_your_order', `Order ${state.orderId} belongs to another buyer.`);
  return undefined;
}

/**
 * The reasons each role may give. `ship_by_expired` and `dispute_refunded` come only from the
 * order's own rules (its timer, a resolved dispute), so a command cannot claim them; a seller
 * cannot label its own cancellation as an admin's or the checkout's.
 */
const cancelReasonsByRole: Readonly<Record<Actor['role'], readonly CancelReason[]>> = {
  BUYER: ['buyer_cancelled'],
  SELLER: ['seller_cancelled'],
  ADMIN: ['admin_cancelled'],
  SYSTEM: ['checkout_failed', 'admin_cancelled'],
};

export function checkCanceller(state: OrderState, by: Actor, reason: CancelReason): OrderRejected | undefined {
  if (by.role === 'BUYER' && by.userId !== state.buyerId) return reject('not_your_order', `Order ${state.orderId} belongs to another buyer.`);
  if (by.role === 'SELLER' && by.userId !== state.sellerId) {
    return reject('not_your_order', `Order ${state.orderId} belongs to another seller.`);
  }
  if (!cancelReasonsByRole[by.role].includes(reason)) {
    return reject('forbidden', `A ${by.role.toLowerCase()} cannot cancel an order with the reason ${reason}.`);
  }
  return undefined;
}

/**
 * The rule between cancelling and disputing (README, "Orders"): a buyer or seller cancels a PAID
 * order that has not shipped, and the buyer is refunded; once shipped, the buyer disputes
 * instead. The buyer and the seller both wait until the checkout confirmed the order (its other
 * orders are paid): the seller does not see the order before then (the reads hide it) and may not
 * ship it, so it may not cancel it either, and neither cancel races the checkout's own
 * compensation. The checkout (SYSTEM) and an admin may cancel in that window, and may still refund
 * a shipped order.
 */
export function checkCancellable(state: OrderState, by: Actor): OrderRejected | undefined {
  const shipped = state.status === 'SHIPPED';
  const peer = by.role === 'SELLER' || by.role === 'BUYER';
  if (state.saga === null && state.status === 'PAID' && peer) return checkCheckoutConfirmed(state, 'cancelled');
  if (state.saga === null && (state.status === 'PAID' || (shipped && !peer))) return undefined;
  if (shipped && state.saga === null) {
    const instead = by.role === 'BUYER' ? 'open a dispute instead' : 'only an admin can cancel it now';
    return reject('invalid_transition', `Order ${state.orderId} has shipped, so ${instead}.`);
  }
  return invalidTransition(state, 'cancelled');
}

/**
 * The checkout gate (order-messages.ts' header): a PAID order waits for its checkout to complete
 * before its buyer or seller can ship or cancel it, so that a failing checkout can still cancel
 * and refund it.
 */
export function checkCheckoutConfirmed(state: OrderState, done: string): OrderRejected | undefined {
  if (state.status !== 'PAID' || state.checkoutConfirmed) return undefined;
  return reject('awaiting_checkout', `Order ${state.orderId} cannot be ${done} yet: the rest of this checkout is still being paid.`);
}

/**
 * Whether a checkout's compensation has nothing left to ask of this order: it was cancelled, is
 * being cancelled (the refund is on its way, owned by the order), or failed (it holds no money).
 * Such a cancel is an accepted no-op, so every rejection the checkout gets is a real failure.
 */
export function isRefundedOrRefunding(state: OrderState): boolean {
  return state.status === 'CANCELLED' || state.status === 'FAILED' || state.cancelReason !== null;
}

/** Whether the order is in one of these statuses with no saga running (it waits for people or timers). */
export function isSettledIn(state: OrderState, ...statuses: OrderState['status'][]): boolean {
  return state.saga === null && statuses.includes(state.status);
}

export function invalidTransition(state: OrderState, done: string): OrderRejected {
  return reject('invalid_transition', `Order ${state.orderId} is ${describe(state)}, so it cannot be ${done}.`);
}

function describe(state: OrderState): string {
  switch (state.saga) {
    case 'placing':
      return 'still being placed';
    case 'releasing':
      return 'being paid out to the seller';
    case 'cancelling':
      return 'being cancelled and refunded';
    case null:
      return describeStatus(state.status);
    default:
      return assertNever(state.saga);
  }
}

function describeStatus(status: OrderState['status']): string {
  switch (status) {
    case 'NEW':
      return 'not placed';
    case 'PLACED':
      return 'still being placed';
    case 'PAID':
      return 'paid and not shipped yet';
    case 'SHIPPED':
      return 'already shipped';
    case 'DELIVERED':
      return 'already delivered';
    case 'COMPLETED':
      return 'completed';
    case 'CANCELLED':
      return 'cancelled';
    case 'DISPUTED':
      return 'disputed';
    case 'FAILED':
      return 'failed';
    default:
      return assertNever(status);
  }
}
