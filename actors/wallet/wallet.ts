/**
 * The wallet actor's pure core (DESIGN.md §2, §3): one wallet per user, addressed as `wallet:<userId>`.
 *
 * Money is integer minor units (cents), USD only. `balanceMinor` is spendable; `lockedMinor` is a
 * seller's escrowed pending funds. Every order step is idempotent by (orderId, step), because the
 * order saga retries steps after crashes and lost replies: a repeat with the same arguments is
 * accepted with no new events, a repeat with different arguments is a `conflicting_retry`.
 *
 * Fences (a compensation that arrives before the step it undoes). A failing order undoes every
 * step it started, and an earlier attempt of the undone step may still be on its way (a retry
 * given up on and restarted, a duplicated message). So an undo that finds nothing to undo is not
 * a rejection: it closes that side of the order here, and the late attempt is then refused.
 * - `RefundOrder` for an order this wallet never paid → `OrderFenced{side:'buyer'}`, no money
 *   moves; a later `DebitForOrder` of that order → `order_closed`.
 * - `VoidPending` for an order this wallet holds no pending funds of → `OrderFenced{side:'seller'}`;
 *   a later `CreditPending` of that order → `order_closed`.
 * A repeated fencing undo is accepted with no new events. The two sides are fenced apart, because
 * one wallet may be both the buyer and the seller of an order.
 */
import { assertNever, reject, type Decider } from '../decider.ts';
import { actorKinds } from '../keys.ts';
import { ownEntry } from '../own-entry.ts';
import { evolve } from './wallet-evolve.ts';
import type { CommandOf, OrderSide, WalletCommand, WalletDecision, WalletEvent, WalletRejected, WalletRejection, WalletState } from './wallet-messages.ts';
import { commandId, initialState, maxMinor } from './wallet-messages.ts';

export * from './wallet-messages.ts';
export { evolve } from './wallet-evolve.ts';

// ---------------------------------------------------------------------------------------------
// decide

/** Wallet rules do not depend on time, so the runtime's `now` argument is not read. */
export function decide(state: WalletState, command: WalletCommand): WalletDecision {
  switch (command.type) {
    case 'Deposit':
      return decideDeposit(state, command);
    case 'Withdraw':
      return decideWithdraw(state, command);
    case 'DebitForOrder':
      return decideDebit(state, command);
    case 'CreditPending':
      return decideCreditPending(state, command);
    case 'ReleasePending':
      return decideRelease(state, command);
    case 'VoidPending':
      return decideVoid(state, command);
    case 'RefundOrder':
      return decideRefund(state, command);
    case 'CreditFee':
      return decideCreditFee(state, command);
    default:
      return assertNever(command);
  }
}

function decideDeposit(state: WalletState, command: CommandOf<'Deposit'>): WalletDecision {
  const { amountMinor } = command;
  const problem =
    checkAmount(amountMinor, 'deposit') ??
    checkCredit(state, amountMinor) ??
    checkLifetimeTotal(state.depositedMinor, amountMinor, 'deposits');
  if (problem) return problem;
  return [{ type: 'Deposited', commandId: command.commandId, amountMinor }];
}

function decideWithdraw(state: WalletState, command: CommandOf<'Withdraw'>): WalletDecision {
  const { amountMinor } = command;
  const problem =
    checkAmount(amountMinor, 'withdrawal') ??
    checkFunds(state, amountMinor, 'withdraw') ??
    checkLifetimeTotal(state.withdrawnMinor, amountMinor, 'withdrawals');
  if (problem) return problem;
  return [{ type: 'Withdrawn', commandId: command.commandId, amountMinor }];
}

function decideDebit(state: WalletState, command: CommandOf<'DebitForOrder'>): WalletDecision {
  const { orderId, amountMinor } = command;
  const problem = checkAmount(amountMinor, 'order payment');
  if (problem) return problem;
  // The repeat check comes before the funds check: after a successful debit the balance may be too
  // low to pay again, and a retry must still be told "done", not "insufficient funds".
  const purchase = ownEntry(state.purchases, orderId);
  if (purchase) return repeatOf(purchase.debitedMinor, amountMinor, `Order ${orderId} was already paid`);
  return (
    checkNotFenced(state, orderId, 'buyer') ??
    checkFunds(state, amountMinor, `pay order ${orderId}`) ??
    [{ type: 'DebitedForOrder', orderId, amountMinor }]
  );
}

function decideCreditPending(state: WalletState, command: CommandOf<'CreditPending'>): WalletDecision {
  const { orderId, amountMinor } = command;
  const problem = checkAmount(amountMinor, 'pending credit');
  if (problem) return problem;
  // Whatever happened to the sale since (released or voided), the credit step itself is done.
  const sale = ownEntry(state.sales, orderId);
  if (sale) return repeatOf(sale.amountMinor, amountMinor, `Order ${orderId} was already credited as pending`);
  return checkNotFenced(state, orderId, 'seller') ?? checkCredit(state, amountMinor) ?? [{ type: 'PendingCredited', orderId, amountMinor }];
}

function decideRelease(state: WalletState, command: CommandOf<'ReleasePending'>): WalletDecision {
  const { orderId, feeMinor } = command;
  const problem = checkFee(feeMinor);
  if (problem) return problem;
  const sale = ownEntry(state.sales, orderId);
  if (!sale) return unknownSale(orderId);
  switch (sale.status) {
    case 'VOIDED':
      return reject('already_voided', `Order ${orderId}'s pending funds were voided, so they cannot be released.`);
    case 'RELEASED':
      return repeatOf(sale.feeMinor, feeMinor, `Order ${orderId} was already released with a fee`);
    case 'LOCKED':
      if (feeMinor > sale.amountMinor) {
        return reject(
          'fee_out_of_range',
          `The fee of ${feeMinor} cents is more than order ${orderId}'s ${sale.amountMinor} cents.`,
        );
      }
      return [{ type: 'PendingReleased', orderId, amountMinor: sale.amountMinor, feeMinor }];
    default:
      return assertNever(sale.status);
  }
}

function decideVoid(state: WalletState, command: CommandOf<'VoidPending'>): WalletDecision {
  const { orderId } = command;
  const sale = ownEntry(state.sales, orderId);
  if (!sale) return fence(state, orderId, 'seller');
  switch (sale.status) {
    case 'RELEASED':
      return reject('already_released', `Order ${orderId}'s pending funds were released, so they cannot be voided.`);
    case 'VOIDED':
      return [];
    case 'LOCKED':
      return [{ type: 'PendingVoided', orderId, amountMinor: sale.amountMinor }];
    default:
      return assertNever(sale.status);
  }
}

function decideRefund(state: WalletState, command: CommandOf<'RefundOrder'>): WalletDecision {
  const { orderId, amountMinor } = command;
  const problem = checkAmount(amountMinor, 'refund');
  if (problem) return problem;
  const purchase = ownEntry(state.purchases, orderId);
  // The amount is not recorded with the fence: no money moved, so a retry with another amount
  // is still the same undo of nothing.
  if (!purchase) return fence(state, orderId, 'buyer');
  // One refund per order keeps "never refunded twice" a simple fact: refundedMinor is 0 or final.
  if (purchase.refundedMinor > 0) {
    return repeatOf(purchase.refundedMinor, amountMinor, `Order ${orderId} was already refunded`);
  }
  if (amountMinor > purchase.debitedMinor) {
    return reject(
      'refund_exceeds_debit',
      `A refund of ${amountMinor} cents is more than the ${purchase.debitedMinor} cents paid for order ${orderId}.`,
    );
  }
  return checkCredit(state, amountMinor) ?? [{ type: 'OrderRefunded', orderId, amountMinor }];
}

function decideCreditFee(state: WalletState, command: CommandOf<'CreditFee'>): WalletDecision {
  const { orderId, amountMinor } = command;
  // A zero fee is accepted and recorded, so the saga need not special-case it and a later retry
  // with a different fee is still caught as a conflict.
  const problem = checkFee(amountMinor);
  if (problem) return problem;
  const fee = ownEntry(state.fees, orderId);
  if (fee !== undefined) return repeatOf(fee, amountMinor, `The fee for order ${orderId} was already credited`);
  return checkCredit(state, amountMinor) ?? [{ type: 'FeeCredited', orderId, amountMinor }];
}

// ---------------------------------------------------------------------------------------------
// decide's checks: each returns a rejection, or undefined when the fact holds.

function checkAmount(amountMinor: number, what: string): WalletRejected | undefined {
  if (!Number.isSafeInteger(amountMinor)) {
    return reject('amount_not_integer', `The ${what} must be a whole number of cents, not ${amountMinor}.`);
  }
  if (amountMinor <= 0) {
    return reject('amount_must_be_positive', `The ${what} must be more than zero cents, not ${amountMinor}.`);
  }
  return undefined;
}

function checkFee(feeMinor: number): WalletRejected | undefined {
  if (!Number.isSafeInteger(feeMinor)) {
    return reject('amount_not_integer', `The fee must be a whole number of cents, not ${feeMinor}.`);
  }
  if (feeMinor < 0) return reject('fee_out_of_range', `The fee must be zero cents or more, not ${feeMinor}.`);
  return undefined;
}

function checkFunds(state: WalletState, amountMinor: number, purpose: string): WalletRejected | undefined {
  if (state.balanceMinor >= amountMinor) return undefined;
  return reject(
    'insufficient_funds',
    `The wallet has ${state.balanceMinor} cents available, not enough to ${purpose} (${amountMinor} cents).`,
  );
}

/** Checks balance + locked, which bounds each of them, so moving money between them never overflows. */
function checkCredit(state: WalletState, amountMinor: number): WalletRejected | undefined {
  if (amountMinor <= maxMinor - state.balanceMinor - state.lockedMinor) return undefined;
  return reject('balance_overflow', `Adding ${amountMinor} cents would take the wallet past its largest safe amount.`);
}

function checkLifetimeTotal(totalMinor: number, amountMinor: number, what: string): WalletRejected | undefined {
  if (amountMinor <= maxMinor - totalMinor) return undefined;
  return reject('balance_overflow', `The wallet's lifetime ${what} would pass the largest safe amount.`);
}

/** The step already happened: the same argument is a retry, a different one a conflict. */
function repeatOf(recordedMinor: number, requestedMinor: number, done: string): WalletDecision {
  if (recordedMinor === requestedMinor) return [];
  return reject('conflicting_retry', `${done} with ${recordedMinor} cents, not ${requestedMinor}.`);
}

/** Undoing a step that never happened here: closes that side of the order, once. */
function fence(state: WalletState, orderId: string, side: OrderSide): WalletDecision {
  if (Object.hasOwn(fencesOf(state, side), orderId)) return [];
  return [{ type: 'OrderFenced', orderId, side }];
}

function checkNotFenced(state: WalletState, orderId: string, side: OrderSide): WalletRejected | undefined {
  if (!Object.hasOwn(fencesOf(state, side), orderId)) return undefined;
  const done = side === 'buyer' ? 'refunded before it was paid' : 'voided before it was credited';
  return reject('order_closed', `Order ${orderId} was ${done} here, so it is closed.`);
}

function fencesOf(state: WalletState, side: OrderSide): Readonly<Record<string, true>> {
  return side === 'buyer' ? state.fencedPurchases : state.fencedSales;
}

function unknownSale(orderId: string): WalletRejected {
  return reject('unknown_order', `This wallet has no pending funds for order ${orderId}.`);
}

/** Order ids come from outside; an id like "constructor" must not find Object.prototype's members. */
// ---------------------------------------------------------------------------------------------

export const walletDecider: Decider<WalletState, WalletCommand, WalletEvent, WalletRejection> = {
  kind: actorKinds.wallet,
  /** 2: fencedPurchases and fencedSales. A version-1 snapshot lacks them, so it is replayed instead. */
  stateVersion: 2,
  initialState,
  decide,
  evolve,
  commandId,
};
