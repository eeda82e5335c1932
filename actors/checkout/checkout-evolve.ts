/**
 * The checkout actor's state and `evolve`: applies facts that `decide` (checkout.ts) already
 * judged. A fact out of turn means a bug upstream, so evolve throws and names the broken fact.
 */
import { assertNever } from '../decider.ts';
import { ownEntry } from '../own-entry.ts';
import { evolveTimers } from '../saga-retry-timer.ts';
import type { CheckoutEvent, CheckoutState } from './checkout-messages.ts';

/** Frozen so that an accidental in-place update fails loudly instead of corrupting every checkout. */
export const initialState: CheckoutState = Object.freeze({
  checkoutId: '',
  buyerId: '',
  status: 'NEW',
  orders: Object.freeze([]),
  shipTo: null,
  settled: Object.freeze({}),
  steps: Object.freeze({}),
  failure: null,
  timers: Object.freeze({}),
});

export function evolve(state: CheckoutState, event: CheckoutEvent): CheckoutState {
  switch (event.type) {
    case 'CheckoutStarted':
      invariant(state.status === 'NEW', 'a checkout starts once');
      invariant(event.orders.length > 0, 'a checkout plans at least one order');
      return { ...state, checkoutId: event.checkoutId, buyerId: event.buyerId, orders: event.orders, shipTo: event.shipTo ?? null, status: 'PLACING' };
    case 'StepStarted': {
      invariant(!Object.hasOwn(state.steps, event.stepId), `step ${event.stepId} runs at most once`);
      const step = { status: 'PENDING' as const, target: event.target, command: event.command };
      return { ...state, steps: { ...state.steps, [event.stepId]: step } };
    }
    case 'StepSucceeded':
      return finishStep(state, event.stepId, 'DONE');
    case 'StepFailed':
      return finishStep(state, event.stepId, 'FAILED');
    case 'CheckoutOrderSettled': {
      const { orderId, outcome, code, message } = event;
      invariant(state.orders.some((order) => order.orderId === orderId), `settled order ${orderId} is part of the checkout`);
      invariant(!Object.hasOwn(state.settled, orderId), `order ${orderId} settles once`);
      return { ...state, settled: { ...state.settled, [orderId]: { outcome, code, message } } };
    }
    case 'CompensationStarted':
      invariant(state.status === 'PLACING', 'compensation starts once, after placing');
      return { ...state, status: 'COMPENSATING', failure: { code: event.code, message: event.message } };
    case 'CheckoutCompleted':
      invariant(state.status === 'PLACING', 'only a placing checkout completes');
      return { ...state, status: 'COMPLETED' };
    case 'CheckoutFailed':
      invariant(state.status === 'COMPENSATING', 'a checkout fails once its compensation is done');
      return { ...state, status: 'FAILED', failure: { code: event.code, message: event.message } };
    case 'TimerScheduled':
    case 'TimerCancelled':
      return { ...state, timers: evolveTimers('checkout', state.timers, event) };
    default:
      return assertNever(event);
  }
}

function finishStep(state: CheckoutState, stepId: string, status: 'DONE' | 'FAILED'): CheckoutState {
  const step = ownEntry(state.steps, stepId);
  invariant(step !== undefined, `finished step ${stepId} was started`);
  invariant(step.status === 'PENDING', `step ${stepId} finishes once`);
  return { ...state, steps: { ...state.steps, [stepId]: { ...step, status } } };
}

function invariant(condition: boolean, fact: string): asserts condition {
  if (!condition) throw new Error(`checkout invariant broken: ${fact}`);
}
