/**
 * The order actor's state and `evolve`: applies facts that `decide` (order.ts) already judged.
 * The money facts (paid, released, refunded) each happen once per order; a second one, or one
 * out of turn, is a bug upstream, so evolve throws and names the broken fact.
 */
import { assertNever } from '../decider.ts';
import { ownEntry } from '../own-entry.ts';
import { evolveTimers } from '../saga-retry-timer.ts';
import type { LegacyStepName, OrderEvent, OrderState, StepName, StepState } from './order-messages.ts';

/** Frozen so that an accidental in-place update fails loudly instead of corrupting every order. */
export const initialState: OrderState = Object.freeze({
  orderId: '',
  checkoutId: '',
  buyerId: '',
  sellerId: '',
  status: 'NEW',
  saga: null,
  requested: Object.freeze([]),
  shipTo: null,
  items: Object.freeze([]),
  totalMinor: 0,
  feeMinor: 0,
  platformFeeBps: 0,
  steps: Object.freeze({}),
  failure: null,
  cancelReason: null,
  releaseReason: null,
  dispute: null,
  shipped: false,
  checkoutConfirmed: false,
  placedAt: 0,
  paidAt: null,
  shippedAt: null,
  deliveredAt: null,
  completedAt: null,
  cancelledAt: null,
  releaseDueAt: null,
  timers: Object.freeze({}),
});

/** Steps that only report (to the checkout; a legacy one to the seller's stats): their failure fails nothing. */
export function isSideStep(stepId: StepName | LegacyStepName): boolean {
  return stepId === 'notify_checkout' || stepId.startsWith('stat_');
}

export function evolve(state: OrderState, event: OrderEvent): OrderState {
  switch (event.type) {
    case 'OrderPlaced': {
      invariant(state.status === 'NEW', 'an order is placed once');
      const { orderId, checkoutId, buyerId, sellerId, items, platformFeeBps, at } = event;
      const shipTo = event.shipTo ?? null;
      return { ...state, orderId, checkoutId, buyerId, sellerId, requested: items, shipTo, platformFeeBps, placedAt: at, status: 'PLACED', saga: 'placing' };
    }
    case 'StepStarted': {
      invariant(!Object.hasOwn(state.steps, event.stepId), `step ${event.stepId} runs at most once`);
      const step: StepState = { status: 'PENDING', target: event.target, command: event.command, startedAt: event.at };
      return { ...state, steps: { ...state.steps, [event.stepId]: step } };
    }
    case 'StepSucceeded':
      return { ...state, steps: finishStep(state, event.stepId, 'DONE') };
    case 'StepFailed': {
      const steps = finishStep(state, event.stepId, 'FAILED');
      // The first failure of a saga step is why the order failed or why its saga stopped.
      const failure = state.failure ?? (isSideStep(event.stepId) ? null : { code: event.code, message: event.message });
      return { ...state, steps, failure };
    }
    case 'OrderPriced':
      invariant(state.status === 'PLACED' && state.items.length === 0, 'an order is priced once, while placing');
      invariant(Number.isSafeInteger(event.totalMinor) && event.totalMinor > 0, `the total is positive whole cents (${event.totalMinor})`);
      invariant(Number.isSafeInteger(event.feeMinor) && event.feeMinor >= 0, `the fee is whole cents (${event.feeMinor})`);
      invariant(event.feeMinor <= event.totalMinor, 'the fee is at most the total');
      return { ...state, items: event.items, totalMinor: event.totalMinor, feeMinor: event.feeMinor };
    case 'OrderPaid':
      invariant(state.status === 'PLACED' && state.saga === 'placing', 'an order is paid once, at the end of placing');
      invariant(state.totalMinor > 0, 'a paid order has a price');
      return { ...state, status: 'PAID', saga: null, paidAt: event.at };
    case 'CheckoutConfirmed':
      invariant(!state.checkoutConfirmed, 'an order is confirmed by its checkout once');
      invariant(state.status === 'PAID' && state.saga === null && state.cancelReason === null, 'only a paid order not being cancelled is confirmed');
      return { ...state, checkoutConfirmed: true };
    case 'OrderFailed':
      invariant(state.status === 'PLACED' && state.saga === 'placing', 'only an order being placed fails');
      return { ...state, status: 'FAILED', saga: null, failure: { code: event.code, message: event.message } };
    case 'OrderShipped':
      // The checkout gate (checkoutConfirmed) is decide's, not asserted here: orders shipped
      // before the gate existed have no CheckoutConfirmed, and their journals must still replay.
      invariant(state.status === 'PAID' && state.saga === null, 'only a paid, settled order ships');
      return { ...state, status: 'SHIPPED', shipped: true, shippedAt: event.at, releaseDueAt: event.releaseDueAt };
    case 'DeliveryConfirmed':
      invariant(state.status === 'SHIPPED' && state.saga === null, 'only a shipped order is confirmed');
      return { ...state, status: 'DELIVERED', deliveredAt: event.at };
    case 'ReleaseStarted':
      invariant(state.saga === null && state.releaseReason === null, 'the escrow is released once');
      invariant(state.cancelReason === null, 'a cancelled order is never released');
      return { ...state, saga: 'releasing', releaseReason: event.reason };
    case 'OrderCompleted':
      invariant(state.saga === 'releasing', 'an order completes at the end of releasing');
      return { ...state, status: 'COMPLETED', saga: null, completedAt: event.at };
    case 'CancellationStarted':
      invariant(state.saga === null && state.cancelReason === null, 'an order is refunded once');
      invariant(state.releaseReason === null, 'a released order is never refunded');
      invariant(state.paidAt !== null, 'only a paid order is cancelled');
      return { ...state, saga: 'cancelling', cancelReason: event.reason };
    case 'OrderCancelled':
      invariant(state.saga === 'cancelling', 'an order is cancelled at the end of cancelling');
      return { ...state, status: 'CANCELLED', saga: null, cancelledAt: event.at };
    case 'DisputeOpened':
      invariant(state.dispute === null, 'an order is disputed once');
      invariant((state.status === 'PAID' || state.status === 'SHIPPED') && state.saga === null, 'only locked, settled funds are disputed');
      return { ...state, status: 'DISPUTED', dispute: { reason: event.reason, openedAt: event.at } };
    case 'DisputeResolved':
      invariant(state.status === 'DISPUTED' && state.saga === null, 'only an open dispute is resolved');
      return state;
    case 'TimerScheduled':
    case 'TimerCancelled':
      return { ...state, timers: evolveTimers('order', state.timers, event) };
    default:
      return assertNever(event);
  }
}

function finishStep(state: OrderState, stepId: StepName | LegacyStepName, status: 'DONE' | 'FAILED'): OrderState['steps'] {
  const step = ownEntry(state.steps, stepId);
  invariant(step !== undefined, `finished step ${stepId} was started`);
  invariant(step.status === 'PENDING', `step ${stepId} finishes once`);
  return { ...state.steps, [stepId]: { ...step, status } };
}

function invariant(condition: boolean, fact: string): asserts condition {
  if (!condition) throw new Error(`order invariant broken: ${fact}`);
}
