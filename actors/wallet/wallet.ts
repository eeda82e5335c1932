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
import { assertNever, reject, type Decider, type Decision, type Rejected } from '../../runtime/decider.ts';

// ---------------------------------------------------------------------------------------------
// Messages

export type WalletCommand =
  | { readonly type: 'Deposit'; readonly commandId: string; readonly amountMinor: number }
  | { readonly type: 'Withdraw'; readonly commandId: string; readonly amountMinor: number }
  | { readonly type: 'DebitForOrder'; readonly orderId: string; readonly amountMinor: number }
  | { readonly type: 'CreditPending'; readonly orderId: string; readonly amountMinor: number }
  | { readonly type: 'ReleasePending'; readonly orderId: string; readonly feeMinor: number }
  | { readonly type: 'VoidPending'; readonly orderId: string }
  | { readonly type: 'RefundOrder'; readonly orderId: string; readonly amountMinor: number }
  | { readonly type: 'CreditFee'; readonly orderId: string; readonly amountMinor: number };

export type WalletEvent =
  | { readonly type: 'Deposited'; readonly commandId: string; readonly amountMinor: number }
  | { readonly type: 'Withdrawn'; readonly commandId: string; readonly amountMinor: number }
  | { readonly type: 'DebitedForOrder'; readonly orderId: string; readonly amountMinor: number }
  | { readonly type: 'PendingCredited'; readonly orderId: string; readonly amountMinor: number }
  | {
      readonly type: 'PendingReleased';
      readonly orderId: string;
      /** The whole escrowed amount leaving `lockedMinor`; the seller keeps amount − fee. */
      readonly amountMinor: number;
      readonly feeMinor: number;
    }
  | { readonly type: 'PendingVoided'; readonly orderId: string; readonly amountMinor: number }
  | { readonly type: 'OrderRefunded'; readonly orderId: string; readonly amountMinor: number }
  | { readonly type: 'FeeCredited'; readonly orderId: string; readonly amountMinor: number }
  /** An undo found nothing of the order on this side: that side of the order is closed here. */
  | { readonly type: 'OrderFenced'; readonly orderId: string; readonly side: OrderSide };

/** Which part of an order a wallet plays: the buyer pays (debit), the seller is owed (pending). */
export type OrderSide = 'buyer' | 'seller';

export type WalletRejection =
  | 'amount_must_be_positive'
  | 'amount_not_integer'
  | 'fee_out_of_range'
  | 'insufficient_funds'
  | 'unknown_order'
  | 'already_released'
  | 'already_voided'
  | 'refund_exceeds_debit'
  | 'conflicting_retry'
  | 'balance_overflow'
  /** The order's payment or pending credit was already undone here (fenced), so it cannot happen now. */
  | 'order_closed';

export type WalletRejected = Rejected<WalletRejection>;
export type WalletDecision = Decision<WalletEvent, WalletRejection>;

type CommandOf<Type extends WalletCommand['type']> = Extract<WalletCommand, { type: Type }>;
type EventOf<Type extends WalletEvent['type']> = Extract<WalletEvent, { type: Type }>;

// ---------------------------------------------------------------------------------------------
// State: plain JSON data, because it is snapshotted as jsonb.

/** What this wallet paid for one order, as the buyer. `refundedMinor` is 0 until the one refund. */
export interface Purchase {
  readonly debitedMinor: number;
  readonly refundedMinor: number;
}

export type SaleStatus = 'LOCKED' | 'RELEASED' | 'VOIDED';

/** What this wallet is owed for one order, as the seller. `feeMinor` is 0 until released. */
export interface Sale {
  readonly amountMinor: number;
  readonly feeMinor: number;
  readonly status: SaleStatus;
}

export interface WalletState {
  readonly currency: 'USD';
  readonly balanceMinor: number;
  readonly lockedMinor: number;
  /** Lifetime totals, kept for the ledger audit's accounting identity. */
  readonly depositedMinor: number;
  readonly withdrawnMinor: number;
  readonly purchases: Readonly<Record<string, Purchase>>;
  readonly sales: Readonly<Record<string, Sale>>;
  /** Fees this (platform) wallet received, by order. */
  readonly fees: Readonly<Record<string, number>>;
  /** Orders refunded before this wallet ever paid them: never debited now (OrderFenced buyer). */
  readonly fencedPurchases: Readonly<Record<string, true>>;
  /** Orders voided before this wallet was ever credited: never credited now (OrderFenced seller). */
  readonly fencedSales: Readonly<Record<string, true>>;
}

/** Frozen so that an accidental in-place update fails loudly instead of corrupting every wallet. */
export const initialState: WalletState = Object.freeze({
  currency: 'USD',
  balanceMinor: 0,
  lockedMinor: 0,
  depositedMinor: 0,
  withdrawnMinor: 0,
  purchases: Object.freeze({}),
  sales: Object.freeze({}),
  fees: Object.freeze({}),
  fencedPurchases: Object.freeze({}),
  fencedSales: Object.freeze({}),
});

/**
 * The most a wallet may hold, and the most any lifetime total may reach. Beyond 2^53 − 1, number
 * arithmetic rounds silently, which would create or destroy cents.
 */
export const maxMinor = Number.MAX_SAFE_INTEGER;

// ---------------------------------------------------------------------------------------------
// Idempotency keys

export function commandId(command: WalletCommand): string {
  switch (command.type) {
    case 'Deposit':
    case 'Withdraw':
      return command.commandId;
    case 'DebitForOrder':
      return `debit:${command.orderId}`;
    case 'CreditPending':
      return `credit-pending:${command.orderId}`;
    case 'ReleasePending':
      return `release:${command.orderId}`;
    case 'VoidPending':
      return `void:${command.orderId}`;
    case 'RefundOrder':
      return `refund:${command.orderId}`;
    case 'CreditFee':
      return `fee:${command.orderId}`;
    default:
      return assertNever(command);
  }
}

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
  const purchase = lookup(state.purchases, orderId);
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
  const sale = lookup(state.sales, orderId);
  if (sale) return repeatOf(sale.amountMinor, amountMinor, `Order ${orderId} was already credited as pending`);
  return checkNotFenced(state, orderId, 'seller') ?? checkCredit(state, amountMinor) ?? [{ type: 'PendingCredited', orderId, amountMinor }];
}

function decideRelease(state: WalletState, command: CommandOf<'ReleasePending'>): WalletDecision {
  const { orderId, feeMinor } = command;
  const problem = checkFee(feeMinor);
  if (problem) return problem;
  const sale = lookup(state.sales, orderId);
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
  const sale = lookup(state.sales, orderId);
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
  const purchase = lookup(state.purchases, orderId);
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
  const fee = lookup(state.fees, orderId);
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
function lookup<Value>(record: Readonly<Record<string, Value>>, key: string): Value | undefined {
  return Object.hasOwn(record, key) ? record[key] : undefined;
}

// ---------------------------------------------------------------------------------------------
// evolve: applies facts. A fact that breaks an invariant means a bug upstream, so it throws.

export function evolve(state: WalletState, event: WalletEvent): WalletState {
  if (event.type !== 'OrderFenced') assertWholeCents(event.amountMinor, `${event.type} amount`);
  if (event.type === 'PendingReleased') assertWholeCents(event.feeMinor, 'PendingReleased fee');
  const next = applyEvent(state, event);
  assertHoldings(next, event);
  return next;
}

function applyEvent(state: WalletState, event: WalletEvent): WalletState {
  switch (event.type) {
    case 'Deposited':
      return {
        ...state,
        balanceMinor: state.balanceMinor + event.amountMinor,
        depositedMinor: state.depositedMinor + event.amountMinor,
      };
    case 'Withdrawn':
      return {
        ...state,
        balanceMinor: state.balanceMinor - event.amountMinor,
        withdrawnMinor: state.withdrawnMinor + event.amountMinor,
      };
    case 'DebitedForOrder':
      return applyDebited(state, event);
    case 'OrderRefunded':
      return applyRefunded(state, event);
    case 'PendingCredited':
      return applyPendingCredited(state, event);
    case 'PendingReleased':
      return applyPendingReleased(state, event);
    case 'PendingVoided':
      return applyPendingVoided(state, event);
    case 'FeeCredited':
      return applyFeeCredited(state, event);
    case 'OrderFenced':
      return applyFenced(state, event);
    default:
      return assertNever(event);
  }
}

function applyDebited(state: WalletState, event: EventOf<'DebitedForOrder'>): WalletState {
  invariant(!Object.hasOwn(state.purchases, event.orderId), `order ${event.orderId} is debited only once`);
  invariant(!Object.hasOwn(state.fencedPurchases, event.orderId), `fenced order ${event.orderId} is never debited`);
  const purchase: Purchase = { debitedMinor: event.amountMinor, refundedMinor: 0 };
  return {
    ...state,
    balanceMinor: state.balanceMinor - event.amountMinor,
    purchases: { ...state.purchases, [event.orderId]: purchase },
  };
}

function applyRefunded(state: WalletState, event: EventOf<'OrderRefunded'>): WalletState {
  const purchase = lookup(state.purchases, event.orderId);
  invariant(purchase !== undefined, `order ${event.orderId} is refunded only after it was debited`);
  invariant(purchase.refundedMinor === 0, `order ${event.orderId} is refunded only once`);
  invariant(event.amountMinor <= purchase.debitedMinor, `order ${event.orderId}'s refund is at most its debit`);
  return {
    ...state,
    balanceMinor: state.balanceMinor + event.amountMinor,
    purchases: { ...state.purchases, [event.orderId]: { ...purchase, refundedMinor: event.amountMinor } },
  };
}

function applyPendingCredited(state: WalletState, event: EventOf<'PendingCredited'>): WalletState {
  invariant(!Object.hasOwn(state.sales, event.orderId), `order ${event.orderId} is credited as pending only once`);
  invariant(!Object.hasOwn(state.fencedSales, event.orderId), `fenced order ${event.orderId} is never credited as pending`);
  const sale: Sale = { amountMinor: event.amountMinor, feeMinor: 0, status: 'LOCKED' };
  return {
    ...state,
    lockedMinor: state.lockedMinor + event.amountMinor,
    sales: { ...state.sales, [event.orderId]: sale },
  };
}

function applyPendingReleased(state: WalletState, event: EventOf<'PendingReleased'>): WalletState {
  const sale = lockedSale(state, event);
  invariant(event.feeMinor <= sale.amountMinor, `order ${event.orderId}'s fee is at most its amount`);
  return {
    ...state,
    lockedMinor: state.lockedMinor - event.amountMinor,
    balanceMinor: state.balanceMinor + event.amountMinor - event.feeMinor,
    sales: { ...state.sales, [event.orderId]: { ...sale, feeMinor: event.feeMinor, status: 'RELEASED' } },
  };
}

function applyPendingVoided(state: WalletState, event: EventOf<'PendingVoided'>): WalletState {
  const sale = lockedSale(state, event);
  return {
    ...state,
    lockedMinor: state.lockedMinor - event.amountMinor,
    sales: { ...state.sales, [event.orderId]: { ...sale, status: 'VOIDED' } },
  };
}

function applyFeeCredited(state: WalletState, event: EventOf<'FeeCredited'>): WalletState {
  invariant(!Object.hasOwn(state.fees, event.orderId), `order ${event.orderId}'s fee is credited only once`);
  return {
    ...state,
    balanceMinor: state.balanceMinor + event.amountMinor,
    fees: { ...state.fees, [event.orderId]: event.amountMinor },
  };
}

/** A fence closes a side of an order that never took effect here; it moves no money. */
function applyFenced(state: WalletState, event: EventOf<'OrderFenced'>): WalletState {
  const { orderId, side } = event;
  if (side === 'buyer') {
    invariant(!Object.hasOwn(state.purchases, orderId), `order ${orderId} is fenced only if this wallet never paid it`);
    invariant(!Object.hasOwn(state.fencedPurchases, orderId), `order ${orderId} is fenced as bought only once`);
    return { ...state, fencedPurchases: { ...state.fencedPurchases, [orderId]: true } };
  }
  invariant(!Object.hasOwn(state.sales, orderId), `order ${orderId} is fenced only if this wallet was never credited for it`);
  invariant(!Object.hasOwn(state.fencedSales, orderId), `order ${orderId} is fenced as sold only once`);
  return { ...state, fencedSales: { ...state.fencedSales, [orderId]: true } };
}

/** A release or void must leave exactly the escrowed amount of a still-locked sale. */
function lockedSale(state: WalletState, event: EventOf<'PendingReleased' | 'PendingVoided'>): Sale {
  const sale = lookup(state.sales, event.orderId);
  invariant(sale !== undefined, `order ${event.orderId} has pending funds`);
  invariant(sale.status === 'LOCKED', `order ${event.orderId}'s pending funds are still locked`);
  invariant(sale.amountMinor === event.amountMinor, `order ${event.orderId}'s ${event.type} moves the escrowed amount`);
  return sale;
}

function assertHoldings(state: WalletState, event: WalletEvent): void {
  const after = `after ${event.type}`;
  invariant(state.balanceMinor >= 0, `balanceMinor is never negative (${state.balanceMinor} ${after})`);
  invariant(state.lockedMinor >= 0, `lockedMinor is never negative (${state.lockedMinor} ${after})`);
  invariant(state.balanceMinor + state.lockedMinor <= maxMinor, `balance + locked is a safe integer ${after}`);
  invariant(state.depositedMinor <= maxMinor, `depositedMinor is a safe integer ${after}`);
  invariant(state.withdrawnMinor <= maxMinor, `withdrawnMinor is a safe integer ${after}`);
}

function assertWholeCents(amountMinor: number, what: string): void {
  invariant(Number.isSafeInteger(amountMinor), `the ${what} is a whole number of cents (${amountMinor})`);
  invariant(amountMinor >= 0, `the ${what} is not negative (${amountMinor})`);
}

function invariant(condition: boolean, fact: string): asserts condition {
  if (!condition) throw new Error(`wallet invariant broken: ${fact}`);
}

// ---------------------------------------------------------------------------------------------

export const walletDecider: Decider<WalletState, WalletCommand, WalletEvent, WalletRejection> = {
  kind: 'wallet',
  /** 2: fencedPurchases and fencedSales. A version-1 snapshot lacks them, so it is replayed instead. */
  stateVersion: 2,
  initialState,
  decide,
  evolve,
  commandId,
};
