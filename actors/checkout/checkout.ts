/**
 * The checkout actor's pure core (`checkout:<checkoutId>`): places one order per seller, waits
 * for every order to settle, and then either completes or cancels the paid orders and fails
 * (checkout-messages.ts' header). The plan is in checkout-plan.ts, evolve in checkout-evolve.ts.
 *
 * Steps: `place:<orderId>` sends PlaceOrder; `cancel:<orderId>` sends CancelOrder. An order
 * reports its settlement itself (OrderSettled), so a place step's success only means the order
 * accepted the placement; its rejection means the order never started, which is a failure.
 */
import { assertNever, reject, type Decider, type Decision, type EffectOutcome } from '../../runtime/decider.ts';
import type { OrderCommand } from '../order/order-messages.ts';
import { evolve, initialState, lookup } from './checkout-evolve.ts';
import type { CheckoutCommand, CheckoutEvent, CheckoutRejection, CheckoutState, PlannedOrder } from './checkout-messages.ts';
import { planOrders, samePlan } from './checkout-plan.ts';

export { evolve, initialState } from './checkout-evolve.ts';

export type CheckoutDecision = Decision<CheckoutEvent, CheckoutRejection>;
type CommandOf<Type extends CheckoutCommand['type']> = Extract<CheckoutCommand, { type: Type }>;

interface Draft {
  readonly state: CheckoutState;
  readonly events: readonly CheckoutEvent[];
}

function emit(draft: Draft, ...events: CheckoutEvent[]): Draft {
  return { state: events.reduce(evolve, draft.state), events: [...draft.events, ...events] };
}

const placePrefix = 'place:';
const cancelPrefix = 'cancel:';

export function commandId(command: CheckoutCommand): string {
  switch (command.type) {
    case 'StartCheckout':
      return 'start';
    case 'StepCompleted':
      return `step:${command.stepId}`;
    case 'OrderSettled':
      return `settled:${command.orderId}`;
    default:
      return assertNever(command);
  }
}

export function decide(state: CheckoutState, command: CheckoutCommand, now: number): CheckoutDecision {
  const draft: Draft = { state, events: [] };
  switch (command.type) {
    case 'StartCheckout':
      return decideStart(draft, command, now);
    case 'StepCompleted':
      return conclude(stepCompleted(draft, command.stepId, command.outcome, now), now).events;
    case 'OrderSettled':
      return decideSettled(draft, command, now);
    default:
      return assertNever(command);
  }
}

function decideStart(draft: Draft, command: CommandOf<'StartCheckout'>, now: number): CheckoutDecision {
  const { checkoutId, buyerId } = command;
  const planned = planOrders(checkoutId, command.lines);
  if (draft.state.status !== 'NEW') {
    const same =
      Array.isArray(planned) && samePlan(planned, draft.state.orders) && buyerId === draft.state.buyerId && checkoutId === draft.state.checkoutId;
    return same ? [] : reject('checkout_exists', `Checkout ${checkoutId} was already started with another cart.`);
  }
  if (!Array.isArray(planned)) return planned;
  let next = emit(draft, { type: 'CheckoutStarted', checkoutId, buyerId, orders: planned, at: now });
  for (const order of planned) {
    const place: OrderCommand = { type: 'PlaceOrder', orderId: order.orderId, checkoutId, buyerId, sellerId: order.sellerId, items: order.items };
    next = startStep(next, `${placePrefix}${order.orderId}`, order.orderId, place, now);
  }
  return next.events;
}

function startStep(draft: Draft, stepId: string, orderId: string, command: OrderCommand, now: number): Draft {
  return emit(draft, { type: 'StepStarted', stepId, target: `order:${orderId}`, command, at: now });
}

function stepCompleted(draft: Draft, stepId: string, outcome: EffectOutcome, now: number): Draft {
  const step = lookup(draft.state.steps, stepId);
  // An unknown or finished step is a stale or repeated report: nothing to do.
  if (step === undefined || step.status !== 'PENDING') return draft;
  if (outcome.ok) return emit(draft, { type: 'StepSucceeded', stepId, at: now });
  const { code, message } = outcome;
  if (stepId.startsWith(cancelPrefix) && code === 'invalid_transition') {
    // The order is past being cancelled (already cancelled, failed, disputed or released):
    // there is nothing left for this checkout to undo there.
    return emit(draft, { type: 'StepSucceeded', stepId, at: now });
  }
  const failed = emit(draft, { type: 'StepFailed', stepId, code, message, at: now });
  const orderId = stepId.slice(placePrefix.length);
  if (!stepId.startsWith(placePrefix) || Object.hasOwn(failed.state.settled, orderId)) return failed;
  // The order refused the placement, so it will never settle by itself.
  return emit(failed, { type: 'CheckoutOrderSettled', orderId, outcome: 'FAILED', code, message, at: now });
}

function decideSettled(draft: Draft, command: CommandOf<'OrderSettled'>, now: number): CheckoutDecision {
  const { state } = draft;
  const { orderId, outcome, code, message } = command;
  if (state.status === 'NEW') return reject('unknown_checkout', 'There is no such checkout.');
  if (!state.orders.some((order) => order.orderId === orderId)) {
    return reject('unknown_checkout', `Order ${orderId} is not part of checkout ${state.checkoutId}.`);
  }
  if (Object.hasOwn(state.settled, orderId)) return [];
  return conclude(emit(draft, { type: 'CheckoutOrderSettled', orderId, outcome, code, message, at: now }), now).events;
}

/** Moves the checkout on once every order has settled, and once every cancellation is done. */
function conclude(draft: Draft, now: number): Draft {
  let next = draft;
  const { state } = next;
  if (state.status === 'PLACING' && state.orders.every((order) => Object.hasOwn(state.settled, order.orderId))) {
    const failed = state.orders.find((order) => lookup(state.settled, order.orderId)?.outcome === 'FAILED');
    if (failed === undefined) return emit(next, { type: 'CheckoutCompleted', at: now });
    next = startCompensation(next, failed, now);
  }
  const after = next.state;
  const cancelSteps = Object.entries(after.steps).filter(([stepId]) => stepId.startsWith(cancelPrefix));
  if (after.status === 'COMPENSATING' && after.failure !== null && cancelSteps.every(([, step]) => step.status === 'DONE')) {
    next = emit(next, { type: 'CheckoutFailed', code: after.failure.code, message: after.failure.message, at: now });
  }
  return next;
}

/** Fails with the first failed order's reason and cancels (refunds) every paid order. */
function startCompensation(draft: Draft, failed: PlannedOrder, now: number): Draft {
  const { state } = draft;
  const settlement = lookup(state.settled, failed.orderId);
  const code = settlement?.code ?? 'order_failed';
  const message = settlement?.message ?? `Order ${failed.orderId} of this checkout failed.`;
  let next = emit(draft, { type: 'CompensationStarted', code, message, at: now });
  for (const order of state.orders) {
    if (lookup(state.settled, order.orderId)?.outcome !== 'PAID') continue;
    const cancel: OrderCommand = {
      type: 'CancelOrder',
      commandId: 'checkout-cancel',
      by: { role: 'SYSTEM' },
      reason: 'checkout_failed',
    };
    next = startStep(next, `${cancelPrefix}${order.orderId}`, order.orderId, cancel, now);
  }
  return next;
}

export const checkoutDecider: Decider<CheckoutState, CheckoutCommand, CheckoutEvent, CheckoutRejection> = {
  kind: 'checkout',
  stateVersion: 1,
  initialState,
  decide,
  evolve,
  commandId,
  process: {
    effects: (state) =>
      Object.entries(state.steps)
        .filter(([, step]) => step.status === 'PENDING')
        .map(([stepId, step]) => ({ stepId, target: step.target, command: step.command })),
    stepCompleted: (stepId, outcome): CheckoutCommand => ({ type: 'StepCompleted', stepId, outcome }),
  },
};
