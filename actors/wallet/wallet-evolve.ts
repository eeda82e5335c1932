/**
 * The wallet's `evolve`: applies facts that `decide` (wallet.ts) already judged. A fact that
 * breaks an invariant (a negative balance, a sale released twice) is a bug upstream, so it throws
 * and names the broken fact.
 */
import { assertNever } from '../decider.ts';
import { ownEntry } from '../own-entry.ts';
import { withEntry } from '../shared-record.ts';
import type { EventOf, Purchase, Sale, WalletEvent, WalletState } from './wallet-messages.ts';
import { maxMinor } from './wallet-messages.ts';

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
    purchases: withEntry(state.purchases, event.orderId, purchase),
  };
}

function applyRefunded(state: WalletState, event: EventOf<'OrderRefunded'>): WalletState {
  const purchase = ownEntry(state.purchases, event.orderId);
  invariant(purchase !== undefined, `order ${event.orderId} is refunded only after it was debited`);
  invariant(purchase.refundedMinor === 0, `order ${event.orderId} is refunded only once`);
  invariant(event.amountMinor <= purchase.debitedMinor, `order ${event.orderId}'s refund is at most its debit`);
  return {
    ...state,
    balanceMinor: state.balanceMinor + event.amountMinor,
    purchases: withEntry(state.purchases, event.orderId, { ...purchase, refundedMinor: event.amountMinor }),
  };
}

function applyPendingCredited(state: WalletState, event: EventOf<'PendingCredited'>): WalletState {
  invariant(!Object.hasOwn(state.sales, event.orderId), `order ${event.orderId} is credited as pending only once`);
  invariant(!Object.hasOwn(state.fencedSales, event.orderId), `fenced order ${event.orderId} is never credited as pending`);
  const sale: Sale = { amountMinor: event.amountMinor, feeMinor: 0, status: 'LOCKED' };
  return {
    ...state,
    lockedMinor: state.lockedMinor + event.amountMinor,
    sales: withEntry(state.sales, event.orderId, sale),
  };
}

function applyPendingReleased(state: WalletState, event: EventOf<'PendingReleased'>): WalletState {
  const sale = lockedSale(state, event);
  invariant(event.feeMinor <= sale.amountMinor, `order ${event.orderId}'s fee is at most its amount`);
  return {
    ...state,
    lockedMinor: state.lockedMinor - event.amountMinor,
    balanceMinor: state.balanceMinor + event.amountMinor - event.feeMinor,
    sales: withEntry(state.sales, event.orderId, { ...sale, feeMinor: event.feeMinor, status: 'RELEASED' as const }),
  };
}

function applyPendingVoided(state: WalletState, event: EventOf<'PendingVoided'>): WalletState {
  const sale = lockedSale(state, event);
  return {
    ...state,
    lockedMinor: state.lockedMinor - event.amountMinor,
    sales: withEntry(state.sales, event.orderId, { ...sale, status: 'VOIDED' as const }),
  };
}

function applyFeeCredited(state: WalletState, event: EventOf<'FeeCredited'>): WalletState {
  invariant(!Object.hasOwn(state.fees, event.orderId), `order ${event.orderId}'s fee is credited only once`);
  return {
    ...state,
    balanceMinor: state.balanceMinor + event.amountMinor,
    fees: withEntry(state.fees, event.orderId, event.amountMinor),
  };
}

/** A fence closes a side of an order that never took effect here; it moves no money. */
function applyFenced(state: WalletState, event: EventOf<'OrderFenced'>): WalletState {
  const { orderId, side } = event;
  if (side === 'buyer') {
    invariant(!Object.hasOwn(state.purchases, orderId), `order ${orderId} is fenced only if this wallet never paid it`);
    invariant(!Object.hasOwn(state.fencedPurchases, orderId), `order ${orderId} is fenced as bought only once`);
    return { ...state, fencedPurchases: withEntry(state.fencedPurchases, orderId, true as const) };
  }
  invariant(!Object.hasOwn(state.sales, orderId), `order ${orderId} is fenced only if this wallet was never credited for it`);
  invariant(!Object.hasOwn(state.fencedSales, orderId), `order ${orderId} is fenced as sold only once`);
  return { ...state, fencedSales: withEntry(state.fencedSales, orderId, true as const) };
}

/** A release or void must leave exactly the escrowed amount of a still-locked sale. */
function lockedSale(state: WalletState, event: EventOf<'PendingReleased' | 'PendingVoided'>): Sale {
  const sale = ownEntry(state.sales, event.orderId);
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

