/**
 * The order saga as data (order-messages.ts' header): which step each path runs next, the exact
 * command each step sends, what a finished path emits, and the retry wake-up timer.
 *
 * Rules build their events on a Draft: each event is applied at once, so a later rule reads the
 * state the earlier events made (for example, which step comes after the one that just succeeded).
 */
import type { Effect } from '../decider.ts';
import { assertNever } from '../decider.ts';
import { checkoutKey, sellerKey, walletKey } from '../keys.ts';
import { ownEntry } from '../own-entry.ts';
import { planRetryTimer } from '../saga-retry-timer.ts';
import type { SellerCommand } from '../seller/seller-messages.ts';
import type { WalletCommand } from '../wallet/wallet.ts';
import { evolve } from './order-evolve.ts';
import type { OrderCommand, OrderEvent, OrderPolicy, OrderSettled, OrderState, StepName } from './order-messages.ts';

export interface Draft {
  readonly state: OrderState;
  readonly events: readonly OrderEvent[];
}

export function draftOf(state: OrderState): Draft {
  return { state, events: [] };
}

export function emit(draft: Draft, ...events: OrderEvent[]): Draft {
  return { state: events.reduce(evolve, draft.state), events: [...draft.events, ...events] };
}

/** The platform's own wallet, which receives each released order's fee. */
export const platformWalletId = 'platform';
export const platformWalletKey = walletKey(platformWalletId);

/** Each of these is scheduled at most once per order, so a fixed id is unique. */
export const shipByTimerId = 'ship-by';
export const releaseEscrowTimerId = 'release-escrow';

// ---------------------------------------------------------------------------------------------
// Steps and their commands

type StepCommand = WalletCommand | SellerCommand | OrderSettled;

/** The target and exact command of a step, from the state at the moment it starts. */
export function stepCommand(state: OrderState, step: StepName): { target: string; command: StepCommand } {
  const { orderId, buyerId, sellerId, totalMinor, feeMinor } = state;
  const buyerWallet = walletKey(buyerId);
  const sellerWallet = walletKey(sellerId);
  const seller = sellerKey(sellerId);
  switch (step) {
    case 'reserve_stock':
      return { target: seller, command: { type: 'ReserveStock', orderId, items: state.requested } };
    case 'debit_buyer':
      return { target: buyerWallet, command: { type: 'DebitForOrder', orderId, amountMinor: totalMinor } };
    case 'credit_seller':
      return { target: sellerWallet, command: { type: 'CreditPending', orderId, amountMinor: totalMinor } };
    case 'release_funds':
      return { target: sellerWallet, command: { type: 'ReleasePending', orderId, feeMinor } };
    case 'credit_fee':
      return { target: platformWalletKey, command: { type: 'CreditFee', orderId, amountMinor: feeMinor } };
    case 'void_pending':
      return { target: sellerWallet, command: { type: 'VoidPending', orderId } };
    case 'refund_buyer':
      return { target: buyerWallet, command: { type: 'RefundOrder', orderId, amountMinor: totalMinor } };
    case 'release_stock':
      return { target: seller, command: { type: 'ReleaseStock', orderId } };
    case 'notify_checkout':
      return { target: checkoutKey(state.checkoutId), command: settledCommand(state) };
    default:
      return assertNever(step);
  }
}

function settledCommand(state: OrderState): OrderSettled {
  const { orderId } = state;
  if (state.status === 'PAID') return { type: 'OrderSettled', orderId, outcome: 'PAID', code: null, message: null };
  if (state.status === 'FAILED' && state.failure !== null) {
    return { type: 'OrderSettled', orderId, outcome: 'FAILED', code: state.failure.code, message: state.failure.message };
  }
  throw new Error(`order invariant broken: the checkout hears only of a PAID or FAILED order, not ${state.status}`);
}

export function startStep(draft: Draft, step: StepName, now: number): Draft {
  return emit(draft, { type: 'StepStarted', stepId: step, ...stepCommand(draft.state, step), at: now });
}

// ---------------------------------------------------------------------------------------------
// Saga paths: the steps of the running path, in order, and what its end emits.

interface Path {
  readonly steps: readonly StepName[];
  finish(draft: Draft, policy: OrderPolicy, now: number): Draft;
}

function pathOf(state: OrderState): Path | null {
  switch (state.saga) {
    case null:
      return null;
    case 'placing':
      if (state.failure === null) return { steps: ['reserve_stock', 'debit_buyer', 'credit_seller'], finish: finishPaid };
      return { steps: placingUndo(state), finish: finishFailed };
    case 'releasing':
      return { steps: ['release_funds', 'credit_fee'], finish: finishCompleted };
    case 'cancelling':
      // Shipped goods are gone: their stock is not given back.
      return { steps: ['void_pending', 'refund_buyer', ...(state.shipped ? [] : ['release_stock' as const])], finish: finishCancelled };
    default:
      return assertNever(state.saga);
  }
}

/**
 * Undoes what placing may have done, newest first. Every step that was started is undone, even
 * one that reported a failure: a rejection is only the answer of one attempt, and a duplicated
 * or retried attempt of the same step may have succeeded after it (say, the buyer deposited in
 * between), or may still arrive after the undo. So an undo that finds nothing to undo succeeds
 * with a fence (OrderFenced, ReservationFenced) that makes the target refuse any later attempt
 * of the undone step (`order_closed`); undoing a step that really failed costs one round trip,
 * not money. The late attempt's answer reaches a step that has already finished, and is ignored.
 */
function placingUndo(state: OrderState): StepName[] {
  const started = (step: StepName): boolean => Object.hasOwn(state.steps, step);
  const undo: StepName[] = [];
  if (started('credit_seller')) undo.push('void_pending');
  if (started('debit_buyer')) undo.push('refund_buyer');
  if (started('reserve_stock')) undo.push('release_stock');
  return undo;
}

/**
 * Starts the running path's next step, or emits its end when every step is done. A pending step
 * means waiting; a failed one stops the path where it is, for an operator, because skipping a
 * money step would lose or create money.
 */
export function advance(draft: Draft, policy: OrderPolicy, now: number): Draft {
  const path = pathOf(draft.state);
  if (path === null) return draft;
  for (const step of path.steps) {
    const started = ownEntry(draft.state.steps, step);
    if (started === undefined) return startStep(draft, step, now);
    if (started.status !== 'DONE') return draft;
  }
  return path.finish(draft, policy, now);
}

function finishPaid(draft: Draft, policy: OrderPolicy, now: number): Draft {
  let next = emit(draft, { type: 'OrderPaid', at: now });
  next = scheduleTimer(next, shipByTimerId, now + policy.shipByMs, { type: 'ExpireShipBy', timerId: shipByTimerId });
  return startStep(next, 'notify_checkout', now);
}

function finishFailed(draft: Draft, _policy: OrderPolicy, now: number): Draft {
  const failure = draft.state.failure;
  if (failure === null) throw new Error('order invariant broken: a failing placement has a failure');
  const next = emit(draft, { type: 'OrderFailed', code: failure.code, message: failure.message, at: now });
  return startStep(next, 'notify_checkout', now);
}

function finishCompleted(draft: Draft, _policy: OrderPolicy, now: number): Draft {
  const { releaseReason, totalMinor, feeMinor } = draft.state;
  if (releaseReason === null) throw new Error('order invariant broken: a release has a reason');
  return emit(draft, { type: 'OrderCompleted', reason: releaseReason, releasedMinor: totalMinor, feeMinor, at: now });
}

function finishCancelled(draft: Draft, _policy: OrderPolicy, now: number): Draft {
  const { cancelReason, totalMinor } = draft.state;
  if (cancelReason === null) throw new Error('order invariant broken: a cancellation has a reason');
  return emit(draft, { type: 'OrderCancelled', reason: cancelReason, refundedMinor: totalMinor, at: now });
}

// ---------------------------------------------------------------------------------------------
// Timers

export function scheduleTimer(draft: Draft, timerId: string, dueAt: number, command: OrderCommand): Draft {
  return emit(draft, { type: 'TimerScheduled', timerId, dueAt, command });
}

/** Cancels those of the timers that are pending; the others need nothing. */
export function cancelTimers(draft: Draft, ...timerIds: string[]): Draft {
  const pending = timerIds.filter((timerId) => Object.hasOwn(draft.state.timers, timerId));
  return emit(draft, ...pending.map((timerId): OrderEvent => ({ type: 'TimerCancelled', timerId })));
}

/**
 * Keeps one wake-up timer due while any step is pending, so a saga whose runtime crashed, or
 * whose target stays down, is resumed; cancels it once nothing is pending. Its ids and delays are
 * saga-retry-timer.ts'.
 */
export function keepRetryTimer(draft: Draft, policy: OrderPolicy, now: number): Draft {
  const { timers, steps } = draft.state;
  const plan = planRetryTimer(timers, Object.values(steps), now, policy.stepRetryMs);
  const next = cancelTimers(draft, ...plan.cancel);
  if (plan.schedule === null) return next;
  const { timerId, dueAt } = plan.schedule;
  return scheduleTimer(next, timerId, dueAt, { type: 'RetrySteps', timerId });
}

// ---------------------------------------------------------------------------------------------

export function effects(state: OrderState): readonly Effect[] {
  return Object.entries(state.steps)
    .filter(([, step]) => step.status === 'PENDING')
    .map(([stepId, step]) => ({ stepId, target: step.target, command: step.command }));
}
