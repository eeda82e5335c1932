/**
 * The wallet actor's messages, state and idempotency keys (DESIGN.md §2, §3). `decide` lives in
 * wallet.ts and `evolve` in wallet-evolve.ts; see wallet.ts for the rules they follow.
 */
import { assertNever, type Decision, type Rejected } from '../decider.ts';

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

export type CommandOf<Type extends WalletCommand['type']> = Extract<WalletCommand, { type: Type }>;
export type EventOf<Type extends WalletEvent['type']> = Extract<WalletEvent, { type: Type }>;

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
