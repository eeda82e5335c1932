/**
 * The checkout actor's pure core (`checkout:<checkoutId>`): places one order per seller, waits
 * for every order to settle, and then either completes or cancels the paid orders and fails
 * (checkout-messages.ts' header). The plan is in checkout-plan.ts, evolve in checkout-evolve.ts.
 *
 * Steps: `place:<orderId>` sends PlaceOrder; `cancel:<orderId>` sends CancelOrder;
 * `confirm:<orderId>` sends ConfirmCheckout, except to the order whose report completed the
 * checkout, which reads the completion in the answer to that report (startConfirmations). An
 * order reports its settlement itself (OrderSettled), so a place step's success only means the
 * order accepted the placement; its rejection means the order never started, which is a failure.
 * A place step's success is therefore recorded by the order's report, not on its own
 * (Effect.finishedByReport): one entry fewer per order.
 *
 * The orders wait behind a gate: a PAID order cannot ship or be disputed until its checkout has
 * COMPLETED and confirmed it, so a compensating checkout only ever cancels PAID orders, which
 * always succeeds (an order already cancelled or failed accepts the cancel as a no-op). Any
 * rejection of a cancel or confirm step is therefore a real failure, left for an operator.
 *
 * Each decision is built on a Draft, then the retry wake-up timer is kept (saga-retry-timer.ts).
 * A decision with no events is an accepted no-op: a repeat, or a timer whose reason has passed.
 */
import { assertNever, reject, type Decider, type Decision, type EffectOutcome, type Rejected } from '../decider.ts';
import { actorKinds, orderKey } from '../keys.ts';
import type { OrderCommand } from '../order/order-messages.ts';
import { sameShipTo } from '../order/ship-to.ts';
import { ownEntry } from '../own-entry.ts';
import { planRetryTimer } from '../saga-retry-timer.ts';
import { evolve, initialState } from './checkout-evolve.ts';
import type { CheckoutCommand, CheckoutEvent, CheckoutPolicy, CheckoutRejection, CheckoutState, PlannedOrder } from './checkout-messages.ts';
import { isCheckoutAtRest } from './checkout-waits.ts';
import { cartFingerprint, planOrders, samePlan } from './checkout-plan.ts';

export { evolve, initialState } from './checkout-evolve.ts';

export type CheckoutDecision = Decision<CheckoutEvent, CheckoutRejection>;
type CheckoutRejected = Rejected<CheckoutRejection>;
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
const confirmPrefix = 'confirm:';

export function commandId(command: CheckoutCommand): string {
  switch (command.type) {
    case 'StartCheckout':
      return `start:${cartFingerprint(command.checkoutId, command.buyerId, command.lines, command.shipTo)}`;
    case 'StepCompleted':
      return `step:${command.stepId}`;
    case 'OrderSettled':
      return `settled:${command.orderId}`;
    case 'RetrySteps':
      return `timer:${command.timerId}`;
    default:
      return assertNever(command);
  }
}

/** A new checkout places one order per seller, each a new order actor: their keys, read with the
 *  checkout's own (Decider.relatedKeys), so placing them waits for no load of its own. */
export function relatedKeys(command: CheckoutCommand): readonly string[] {
  if (command.type !== 'StartCheckout') return [];
  const planned = planOrders(command.checkoutId, command.lines);
  return 'rejected' in planned ? [] : planned.map((order) => orderKey(order.orderId));
}

/** The default policy, matching the runtime's default STEP_RETRY_AFTER of 30 s. */
export const defaultCheckoutPolicy: CheckoutPolicy = { stepRetryMs: 30_000 };

export function createCheckoutDecider(policy: CheckoutPolicy): Decider<CheckoutState, CheckoutCommand, CheckoutEvent, CheckoutRejection> {
  checkPolicy(policy);
  return {
    kind: actorKinds.checkout,
    /** 2: timers; 3: shipTo. An older snapshot lacks them, so it is replayed instead. */
    stateVersion: 3,
    initialState,
    decide: (state, command, now) => decide(policy, state, command, now),
    decideWithState: (state, command, now) => decideWithState(policy, state, command, now),
    evolve,
    commandId,
    relatedKeys,
    process: {
      effects: (state) =>
        Object.entries(state.steps)
          .filter(([, step]) => step.status === 'PENDING')
          .map(([stepId, step]) => (stepId.startsWith(placePrefix) ? { stepId, target: step.target, command: step.command, finishedByReport: true } : { stepId, target: step.target, command: step.command })),
      stepCompleted: (stepId, outcome): CheckoutCommand => ({ type: 'StepCompleted', stepId, outcome }),
    },
    atRest: isCheckoutAtRest,
  };
}

/** A bad policy is a configuration bug; failing at start beats a checkout that is never retried. */
function checkPolicy(policy: CheckoutPolicy): void {
  const { stepRetryMs } = policy;
  if (!Number.isSafeInteger(stepRetryMs) || stepRetryMs <= 0) {
    throw new Error(`checkout policy: stepRetryMs must be a positive whole number, not ${stepRetryMs}`);
  }
}

export function decide(policy: CheckoutPolicy, state: CheckoutState, command: CheckoutCommand, now: number): CheckoutDecision {
  const decided = decideWithState(policy, state, command, now);
  return 'rejected' in decided ? decided : decided.events;
}

/** `decide`, with the state its events lead to: the draft's (Decider.decideWithState). */
export function decideWithState(policy: CheckoutPolicy, state: CheckoutState, command: CheckoutCommand, now: number): Draft | CheckoutRejected {
  const decided = decideDraft(policy, { state, events: [] }, command, now);
  if ('rejected' in decided || decided.events.length === 0) return decided;
  return keepRetryTimer(decided, policy, now);
}

function decideDraft(policy: CheckoutPolicy, draft: Draft, command: CheckoutCommand, now: number): Draft | CheckoutRejected {
  switch (command.type) {
    case 'StartCheckout':
      return decideStart(draft, command, now);
    case 'StepCompleted':
      return conclude(stepCompleted(draft, command.stepId, command.outcome, now), now);
    case 'OrderSettled':
      return decideSettled(draft, command, now);
    case 'RetrySteps':
      // The runtime re-runs pending steps after every message; this timer only wakes the actor.
      // With steps still pending it arms the next wake-up, so a long outage keeps being retried.
      return keepRetryTimer(draft, policy, now);
    default:
      return assertNever(command);
  }
}

function decideStart(draft: Draft, command: CommandOf<'StartCheckout'>, now: number): Draft | CheckoutRejected {
  const { checkoutId, buyerId } = command;
  const planned = planOrders(checkoutId, command.lines);
  if (draft.state.status !== 'NEW') {
    const { state } = draft;
    const same =
      Array.isArray(planned) &&
      samePlan(planned, state.orders) &&
      sameShipTo(command.shipTo ?? null, state.shipTo) &&
      buyerId === state.buyerId &&
      checkoutId === state.checkoutId;
    return same ? draft : reject('checkout_exists', `Checkout ${checkoutId} was already started with another cart.`);
  }
  if (!Array.isArray(planned)) return planned;
  // The address is recorded only when given, so a checkout without one journals what it always did.
  const shipTo = command.shipTo === undefined ? {} : { shipTo: command.shipTo };
  let next = emit(draft, { type: 'CheckoutStarted', checkoutId, buyerId, orders: planned, at: now, ...shipTo });
  for (const order of planned) {
    const place: OrderCommand = { type: 'PlaceOrder', orderId: order.orderId, checkoutId, buyerId, sellerId: order.sellerId, items: order.items, ...shipTo };
    next = startStep(next, `${placePrefix}${order.orderId}`, order.orderId, place, now);
  }
  return next;
}

function startStep(draft: Draft, stepId: string, orderId: string, command: OrderCommand, now: number): Draft {
  return emit(draft, { type: 'StepStarted', stepId, target: orderKey(orderId), command, at: now });
}

function stepCompleted(draft: Draft, stepId: string, outcome: EffectOutcome, now: number): Draft {
  const step = ownEntry(draft.state.steps, stepId);
  // An unknown or finished step is a stale or repeated report: nothing to do.
  if (step === undefined || step.status !== 'PENDING') return draft;
  if (outcome.ok) return emit(draft, { type: 'StepSucceeded', stepId, at: now });
  const { code, message } = outcome;
  const failed = emit(draft, { type: 'StepFailed', stepId, code, message, at: now });
  const orderId = stepId.slice(placePrefix.length);
  if (!stepId.startsWith(placePrefix) || Object.hasOwn(failed.state.settled, orderId)) return failed;
  // The order refused the placement, so it will never settle by itself.
  return emit(failed, { type: 'CheckoutOrderSettled', orderId, outcome: 'FAILED', code, message, at: now });
}

function decideSettled(draft: Draft, command: CommandOf<'OrderSettled'>, now: number): Draft | CheckoutRejected {
  const { state } = draft;
  const { orderId, outcome, code, message } = command;
  if (state.status === 'NEW') return reject('unknown_checkout', 'There is no such checkout.');
  if (!state.orders.some((order) => order.orderId === orderId)) {
    return reject('unknown_checkout', `Order ${orderId} is not part of checkout ${state.checkoutId}.`);
  }
  if (Object.hasOwn(state.settled, orderId)) return draft;
  const settled = emit(draft, { type: 'CheckoutOrderSettled', orderId, outcome, code, message, at: now });
  // A settled order took its placement: the report finishes the place step (finishedByReport).
  const place = ownEntry(state.steps, `${placePrefix}${orderId}`);
  const placed = place?.status === 'PENDING' ? emit(settled, { type: 'StepSucceeded', stepId: `${placePrefix}${orderId}`, at: now }) : settled;
  return conclude(placed, now, orderId);
}

/**
 * Moves the checkout on once every order has settled, and once every cancellation is done.
 * `reporting` is the order whose own report this decision answers, if any (startConfirmations).
 */
function conclude(draft: Draft, now: number, reporting: string | null = null): Draft {
  let next = draft;
  const { state } = next;
  if (state.status === 'PLACING' && state.orders.every((order) => Object.hasOwn(state.settled, order.orderId))) {
    const failed = state.orders.find((order) => ownEntry(state.settled, order.orderId)?.outcome === 'FAILED');
    if (failed === undefined) return startConfirmations(emit(next, { type: 'CheckoutCompleted', at: now }), now, reporting);
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
  const settlement = ownEntry(state.settled, failed.orderId);
  const code = settlement?.code ?? 'order_failed';
  const message = settlement?.message ?? `Order ${failed.orderId} of this checkout failed.`;
  let next = emit(draft, { type: 'CompensationStarted', code, message, at: now });
  for (const order of state.orders) {
    if (ownEntry(state.settled, order.orderId)?.outcome !== 'PAID') continue;
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

/**
 * Lifts every order's checkout gate, so their sellers may ship. The checkout stays COMPLETED
 * while these steps run; its effects and retry timer cover them like any other step.
 *
 * The order whose report completed the checkout (`reporting`) needs no ConfirmCheckout: the
 * answer to its report holds CheckoutCompleted, and the order lifts its gate when it records that
 * answer (order.ts, notify_checkout). Its confirm step is therefore done as it starts. The order
 * records the answer whatever happens: until it has, its report step stays pending in its own
 * journal and is re-run, and the repeated report is answered with these same events. For a
 * one-seller cart this saves the checkout a round trip and an entry, and the caller, who waits
 * for every confirm step (checkout-waits.ts), two hops.
 */
function startConfirmations(draft: Draft, now: number, reporting: string | null): Draft {
  const { checkoutId, orders } = draft.state;
  const confirm: OrderCommand = { type: 'ConfirmCheckout', checkoutId };
  return orders.reduce((next, order) => {
    const stepId = `${confirmPrefix}${order.orderId}`;
    const started = startStep(next, stepId, order.orderId, confirm, now);
    return order.orderId === reporting ? emit(started, { type: 'StepSucceeded', stepId, at: now }) : started;
  }, draft);
}

/** Whether every order of a completed checkout has been confirmed: only then may all of them ship. */
export function isConfirmed(state: CheckoutState): boolean {
  return state.status === 'COMPLETED' && state.orders.every((order) => ownEntry(state.steps, `${confirmPrefix}${order.orderId}`)?.status === 'DONE');
}

/**
 * Keeps one wake-up timer due while any step is pending (a place step whose reply was lost, a
 * cancel step whose order is unreachable), and cancels it once nothing is pending.
 */
function keepRetryTimer(draft: Draft, policy: CheckoutPolicy, now: number): Draft {
  const { timers, steps } = draft.state;
  const plan = planRetryTimer(timers, Object.values(steps), now, policy.stepRetryMs);
  const next = emit(draft, ...plan.cancel.map((timerId): CheckoutEvent => ({ type: 'TimerCancelled', timerId })));
  if (plan.schedule === null) return next;
  const { timerId, dueAt } = plan.schedule;
  const command: CheckoutCommand = { type: 'RetrySteps', timerId };
  return emit(next, { type: 'TimerScheduled', timerId, dueAt, command });
}

/** The checkout with the default policy; gateway/app/system.ts registers this one. */
export const checkoutDecider = createCheckoutDecider(defaultCheckoutPolicy);
