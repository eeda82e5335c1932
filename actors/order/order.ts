/**
 * The order actor's pure core (`order:<orderId>`): one buyer's order with one seller, and the
 * saga that moves its money (order-messages.ts' header). `decide` judges people and timers here;
 * the saga's steps are in order-steps.ts, who may do what in order-rules.ts, evolve in
 * order-evolve.ts.
 *
 * Each decision is built on a Draft (order-steps.ts), then the running saga path is advanced
 * (its next step started, or its end emitted) and the retry wake-up timer is kept. A decision
 * with no events is an accepted no-op: a repeat, or a timer whose reason has passed.
 */
import { assertNever, reject, type Decider, type Decision, type EffectOutcome } from '../decider.ts';
import { actorKinds } from '../keys.ts';
import { ownEntry } from '../own-entry.ts';
import type { PricedItem } from '../seller/seller-messages.ts';
import { evolve, initialState } from './order-evolve.ts';
import { sameShipTo } from './ship-to.ts';
import type { OrderCommand, OrderEvent, OrderPolicy, OrderRejection, OrderState, LegacyStepName, ShipmentTracking, StepName } from './order-messages.ts';
import {
  checkBuyer,
  checkCanceller,
  checkCancellable,
  checkCheckoutConfirmed,
  checkPlaced,
  checkSeller,
  invalidTransition,
  isRefundedOrRefunding,
  isSettledIn,
  type OrderRejected,
} from './order-rules.ts';
import {
  advance,
  cancelTimers,
  draftOf,
  effects,
  emit,
  keepRetryTimer,
  releaseEscrowTimerId,
  scheduleTimer,
  shipByTimerId,
  type Draft,
} from './order-steps.ts';

export { evolve, initialState } from './order-evolve.ts';

export type OrderDecision = Decision<OrderEvent, OrderRejection>;
type CommandOf<Type extends OrderCommand['type']> = Extract<OrderCommand, { type: Type }>;

export function commandId(command: OrderCommand): string {
  switch (command.type) {
    case 'PlaceOrder':
      return 'place';
    case 'ConfirmCheckout':
      return 'checkout-confirmed';
    case 'StepCompleted':
      return `step:${command.stepId}`;
    case 'ShipOrder':
    case 'ConfirmDelivery':
    case 'CancelOrder':
    case 'OpenDispute':
    case 'ResolveDispute':
      return command.commandId;
    case 'ReleaseEscrow':
    case 'ExpireShipBy':
    case 'RetrySteps':
      return `timer:${command.timerId}`;
    default:
      return assertNever(command);
  }
}

export function createOrderDecider(policy: OrderPolicy): Decider<OrderState, OrderCommand, OrderEvent, OrderRejection> {
  checkPolicy(policy);
  return {
    kind: actorKinds.order,
    /** 2: checkoutConfirmed; 3: shipTo. An older snapshot lacks them, so it is replayed instead. */
    stateVersion: 3,
    initialState,
    decide: (state, command, now) => decide(policy, state, command, now),
    decideWithState: (state, command, now) => decideWithState(policy, state, command, now),
    evolve,
    commandId,
    process: {
      effects,
      stepCompleted: (stepId: string, outcome: EffectOutcome): OrderCommand => ({ type: 'StepCompleted', stepId, outcome }),
    },
    atRest: isOrderAtRest,
  };
}

/**
 * Waiting for its seller or buyer (paid and confirmed by its checkout, shipped, delivered), or
 * finished, with no saga running and no step pending: the next message is a person's, hours
 * or days away, or a durable timer's.
 */
export function isOrderAtRest(state: OrderState): boolean {
  if (state.saga !== null) return false;
  if (state.status === 'PAID' && !state.checkoutConfirmed) return false;
  if (state.status === 'NEW' || state.status === 'PLACED') return false;
  return Object.values(state.steps).every((step) => step.status !== 'PENDING');
}

/** A bad policy is a configuration bug; failing at start beats charging a wrong fee later. */
function checkPolicy(policy: OrderPolicy): void {
  const { platformFeeBps, releaseAfterMs, shipByMs, stepRetryMs } = policy;
  if (!Number.isSafeInteger(platformFeeBps) || platformFeeBps < 0 || platformFeeBps > 10_000) {
    throw new Error(`order policy: platformFeeBps must be a whole number from 0 to 10000, not ${platformFeeBps}`);
  }
  for (const [name, value] of Object.entries({ releaseAfterMs, shipByMs, stepRetryMs })) {
    if (!Number.isSafeInteger(value) || value <= 0) throw new Error(`order policy: ${name} must be a positive whole number, not ${value}`);
  }
}

export function decide(policy: OrderPolicy, state: OrderState, command: OrderCommand, now: number): OrderDecision {
  const decided = decideWithState(policy, state, command, now);
  return 'events' in decided ? decided.events : decided;
}

/** `decide`, with the state its events lead to: the draft's (Decider.decideWithState). */
export function decideWithState(policy: OrderPolicy, state: OrderState, command: OrderCommand, now: number): Draft | OrderRejected {
  const decided = decideDraft(policy, draftOf(state), command, now);
  if (!('events' in decided) || decided.events.length === 0) return decided;
  return keepRetryTimer(advance(decided, policy, now), policy, now);
}

function decideDraft(policy: OrderPolicy, draft: Draft, command: OrderCommand, now: number): Draft | OrderRejected {
  const state = draft.state;
  switch (command.type) {
    case 'PlaceOrder':
      return decidePlace(policy, draft, command, now);
    case 'ConfirmCheckout':
      return decideConfirmCheckout(draft, command, now);
    case 'StepCompleted':
      return decideStepCompleted(draft, command.stepId, command.outcome, now);
    case 'ShipOrder':
      return checkPlaced(state) ?? checkSeller(state, command.by, 'ship') ?? ship(policy, draft, now, command.tracking);
    case 'ConfirmDelivery':
      return checkPlaced(state) ?? checkBuyer(state, command.by, 'confirm delivery of') ?? confirm(draft, now);
    case 'CancelOrder':
      return checkPlaced(state) ?? checkCanceller(state, command.by, command.reason) ?? decideCancel(draft, command, now);
    case 'OpenDispute':
      return checkPlaced(state) ?? checkBuyer(state, command.by, 'dispute') ?? openDispute(draft, command.reason, now);
    case 'ResolveDispute':
      return decideResolve(draft, command, now);
    case 'ReleaseEscrow':
      // Frozen by a dispute, or moot after a confirmation, a cancellation or the completion.
      if (!isSettledIn(state, 'SHIPPED')) return draft;
      return cancelTimers(emit(draft, { type: 'ReleaseStarted', reason: 'auto_release', at: now }), releaseEscrowTimerId);
    case 'ExpireShipBy':
      // Moot once shipped, disputed, cancelled or already being cancelled.
      if (!isSettledIn(state, 'PAID')) return draft;
      return startCancelling(draft, 'ship_by_expired', now);
    case 'RetrySteps':
      // The runtime re-runs pending steps after every message; this timer only wakes the actor.
      // With steps still pending it arms the next wake-up, so a long outage keeps being retried.
      return keepRetryTimer(draft, policy, now);
    default:
      return assertNever(command);
  }
}

function decidePlace(policy: OrderPolicy, draft: Draft, command: CommandOf<'PlaceOrder'>, now: number): Draft | OrderRejected {
  const { orderId, checkoutId, buyerId, sellerId, items } = command;
  if (draft.state.status !== 'NEW') {
    if (samePlacement(draft.state, command)) return draft;
    return reject('order_exists', `Order ${orderId} was already placed with other details.`);
  }
  if (items.length === 0) return reject('empty_order', 'An order needs at least one item.');
  // The fee rate is fixed at placement, so a later policy change never reprices a placed order.
  const { platformFeeBps } = policy;
  // Recorded only when given, so an order placed without an address journals what it always did.
  const shipTo = command.shipTo === undefined ? {} : { shipTo: command.shipTo };
  return emit(draft, { type: 'OrderPlaced', orderId, checkoutId, buyerId, sellerId, items, platformFeeBps, at: now, ...shipTo });
}

/** Lifts the checkout gate of a paid order; moot once the order is cancelled or being cancelled. */
function decideConfirmCheckout(draft: Draft, command: CommandOf<'ConfirmCheckout'>, now: number): Draft | OrderRejected {
  const { state } = draft;
  const problem = checkPlaced(state);
  if (problem) return problem;
  if (command.checkoutId !== state.checkoutId) return reject('not_your_order', `Order ${state.orderId} belongs to another checkout.`);
  if (state.checkoutConfirmed || isRefundedOrRefunding(state)) return draft;
  // A checkout confirms only orders that told it they are PAID, so PLACED here is a bug upstream;
  // a status past PAID is an order shipped or disputed before the gate existed.
  if (state.status === 'PLACED') return invalidTransition(state, 'confirmed by its checkout');
  const confirmed = liftCheckoutGate(draft, now);
  if (confirmed === draft) return draft;
  // The checkout confirms only an order whose report (notify_checkout) it has taken, so that
  // step is done: recording it here saves the order an entry, and the step's own answer, which
  // usually comes after this, then finds nothing pending.
  const notify = ownEntry(state.steps, 'notify_checkout');
  return notify?.status === 'PENDING' ? emit(confirmed, { type: 'StepSucceeded', stepId: 'notify_checkout', at: now }) : confirmed;
}

/** Opens the checkout gate of a PAID order, unless it is open already or the order is being refunded. */
function liftCheckoutGate(draft: Draft, now: number): Draft {
  const { state } = draft;
  if (state.checkoutConfirmed || isRefundedOrRefunding(state) || state.status !== 'PAID') return draft;
  return emit(draft, { type: 'CheckoutConfirmed', at: now });
}

/** Whether the checkout's answer to this order's report holds its completion: the checkout then
 *  confirms this order by that answer alone (checkout.ts, startConfirmations). */
function answerCompletesCheckout(events: readonly unknown[]): boolean {
  return events.some((event) => typeof event === 'object' && event !== null && 'type' in event && event.type === 'CheckoutCompleted');
}

/**
 * The checkout's compensation must always end: its cancel of an order that is already cancelled,
 * being cancelled or failed is an accepted no-op rather than a rejection (isRefundedOrRefunding).
 */
function decideCancel(draft: Draft, command: CommandOf<'CancelOrder'>, now: number): Draft | OrderRejected {
  const { state } = draft;
  if (command.reason === 'checkout_failed' && isRefundedOrRefunding(state)) return draft;
  return checkCancellable(state, command.by) ?? startCancelling(draft, command.reason, now);
}

function samePlacement(state: OrderState, command: CommandOf<'PlaceOrder'>): boolean {
  const sameItems =
    state.requested.length === command.items.length &&
    state.requested.every((item, index) => item.productId === command.items[index]?.productId && item.qty === command.items[index]?.qty);
  return (
    sameItems &&
    sameShipTo(state.shipTo, command.shipTo ?? null) &&
    state.orderId === command.orderId &&
    state.checkoutId === command.checkoutId &&
    state.buyerId === command.buyerId &&
    state.sellerId === command.sellerId
  );
}

/** Records a step's outcome once; the saga's next move is `advance`'s. */
function decideStepCompleted(draft: Draft, stepId: string, outcome: EffectOutcome, now: number): Draft {
  const step = ownEntry(draft.state.steps, stepId);
  // An unknown or finished step is a stale or repeated report: nothing to do.
  if (step === undefined || step.status !== 'PENDING') return draft;
  // Only evolve adds keys to `steps`, and only StepStarted's step names.
  const name = stepId as StepName | LegacyStepName;
  // Undo steps that find nothing to undo succeed with a fence, so every rejection is a failure
  // here. That includes the old "nothing to undo" answers (unknown_order, unknown_reservation):
  // taking them as done would reopen the hole the fences close, and no target gives them to an
  // undo step any more.
  if (!outcome.ok) {
    return emit(draft, { type: 'StepFailed', stepId: name, code: outcome.code, message: outcome.message, at: now });
  }
  const succeeded = emit(draft, { type: 'StepSucceeded', stepId: name, at: now });
  if (name === 'reserve_stock') return emit(succeeded, priced(draft.state, outcome.events, now));
  if (name === 'notify_checkout' && answerCompletesCheckout(outcome.events)) return liftCheckoutGate(succeeded, now);
  return succeeded;
}

/** The order's amounts, from the seller's StockReserved: the only source of its prices. */
function priced(state: OrderState, events: readonly unknown[], now: number): OrderEvent {
  const reserved = events.find(
    (event): event is { type: 'StockReserved'; orderId: string; items: readonly PricedItem[] } =>
      typeof event === 'object' && event !== null && 'type' in event && event.type === 'StockReserved' &&
      'orderId' in event && event.orderId === state.orderId && 'items' in event && Array.isArray(event.items),
  );
  // EffectOutcome promises the target's original events on a retry (entity.ts resolveNoOp).
  // Without them the order has no price; failing loudly keeps the step pending until that is fixed.
  if (reserved === undefined) {
    throw new Error(`order invariant broken: reserve_stock of ${state.orderId} succeeded without its StockReserved event`);
  }
  const totalMinor = reserved.items.reduce((sum, item) => sum + item.qty * item.unitPriceMinor, 0);
  // BigInt, because total × rate may pass 2^53 even when the total does not.
  const feeMinor = Number((BigInt(totalMinor) * BigInt(state.platformFeeBps)) / 10_000n);
  return { type: 'OrderPriced', items: reserved.items, totalMinor, feeMinor, at: now };
}

function ship(policy: OrderPolicy, draft: Draft, now: number, tracking: ShipmentTracking | undefined): Draft | OrderRejected {
  if (!isSettledIn(draft.state, 'PAID')) return invalidTransition(draft.state, 'shipped');
  const gated = checkCheckoutConfirmed(draft.state, 'shipped');
  if (gated) return gated;
  const releaseDueAt = now + policy.releaseAfterMs;
  // The tracking is data for people; an order shipped without one behaves the same.
  const shipped: OrderEvent = tracking === undefined ? { type: 'OrderShipped', at: now, releaseDueAt } : { type: 'OrderShipped', at: now, releaseDueAt, tracking };
  const next = cancelTimers(emit(draft, shipped), shipByTimerId);
  return scheduleTimer(next, releaseEscrowTimerId, releaseDueAt, { type: 'ReleaseEscrow', timerId: releaseEscrowTimerId });
}

function confirm(draft: Draft, now: number): Draft | OrderRejected {
  if (!isSettledIn(draft.state, 'SHIPPED')) return invalidTransition(draft.state, 'confirmed as delivered');
  const confirmed = cancelTimers(emit(draft, { type: 'DeliveryConfirmed', at: now }), releaseEscrowTimerId);
  return emit(confirmed, { type: 'ReleaseStarted', reason: 'buyer_confirmed', at: now });
}

/**
 * Dispute freezes locked funds that are not yet being released: the release timer stops. Only a
 * shipped or delivered order is disputed; an unshipped one is cancelled by its buyer (refunded at
 * once), so a dispute can never stop the ship-by expiry and leave the money frozen.
 */
function openDispute(draft: Draft, reason: string, now: number): Draft | OrderRejected {
  if (isSettledIn(draft.state, 'PAID')) {
    return reject('not_shipped', `Order ${draft.state.orderId} has not shipped: cancel it instead, and you are refunded.`);
  }
  if (!isSettledIn(draft.state, 'SHIPPED', 'DELIVERED')) return invalidTransition(draft.state, 'disputed');
  return cancelTimers(emit(draft, { type: 'DisputeOpened', reason, at: now }), shipByTimerId, releaseEscrowTimerId);
}

function decideResolve(draft: Draft, command: CommandOf<'ResolveDispute'>, now: number): Draft | OrderRejected {
  const { state } = draft;
  const { by, resolution } = command;
  const problem = checkPlaced(state);
  if (problem) return problem;
  if (by.role !== 'ADMIN') return reject('forbidden', 'Only an admin can resolve a dispute.');
  if (state.status !== 'DISPUTED') return reject('not_disputed', `Order ${state.orderId} has no open dispute.`);
  if (state.saga !== null) return invalidTransition(state, 'resolved again');
  const resolved = emit(draft, { type: 'DisputeResolved', resolution, adminId: by.userId, at: now });
  if (resolution === 'refund') return startCancelling(resolved, 'dispute_refunded', now);
  return emit(resolved, { type: 'ReleaseStarted', reason: 'dispute_released', at: now });
}

/** Starts the refund path; the order's own timers have nothing left to do. */
function startCancelling(draft: Draft, reason: CommandOf<'CancelOrder'>['reason'], now: number): Draft {
  return cancelTimers(emit(draft, { type: 'CancellationStarted', reason, at: now }), shipByTimerId, releaseEscrowTimerId);
}
