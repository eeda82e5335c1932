/**
 * Test fixtures for the wallet decider: the clock, the Given/When/Then helper, and builders for
 * its events and commands. Used by wallet.test.ts and wallet-escrow.test.ts.
 */
import { deciderSpecification } from '../testing/decider-spec.ts';
import { walletDecider, type WalletCommand, type WalletEvent } from './wallet.ts';

// ---------------------------------------------------------------------------------------------
// Given (events) / When (command) / Then (events or rejection)

export const now = Date.UTC(2026, 0, 1);

export const { given, stateOf } = deciderSpecification(walletDecider, { now });

export const ev = {
  deposited: (amountMinor: number, commandId = 'dep-1'): WalletEvent => ({ type: 'Deposited', commandId, amountMinor }),
  withdrawn: (amountMinor: number, commandId = 'wd-1'): WalletEvent => ({ type: 'Withdrawn', commandId, amountMinor }),
  debited: (orderId: string, amountMinor: number): WalletEvent => ({ type: 'DebitedForOrder', orderId, amountMinor }),
  credited: (orderId: string, amountMinor: number): WalletEvent => ({ type: 'PendingCredited', orderId, amountMinor }),
  released: (orderId: string, amountMinor: number, feeMinor: number): WalletEvent => ({
    type: 'PendingReleased',
    orderId,
    amountMinor,
    feeMinor,
  }),
  voided: (orderId: string, amountMinor: number): WalletEvent => ({ type: 'PendingVoided', orderId, amountMinor }),
  refunded: (orderId: string, amountMinor: number): WalletEvent => ({ type: 'OrderRefunded', orderId, amountMinor }),
  feeCredited: (orderId: string, amountMinor: number): WalletEvent => ({ type: 'FeeCredited', orderId, amountMinor }),
  fenced: (orderId: string, side: 'buyer' | 'seller'): WalletEvent => ({ type: 'OrderFenced', orderId, side }),
};

export const cmd = {
  deposit: (amountMinor: number, commandId = 'dep-1'): WalletCommand => ({ type: 'Deposit', commandId, amountMinor }),
  withdraw: (amountMinor: number, commandId = 'wd-1'): WalletCommand => ({ type: 'Withdraw', commandId, amountMinor }),
  debit: (orderId: string, amountMinor: number): WalletCommand => ({ type: 'DebitForOrder', orderId, amountMinor }),
  creditPending: (orderId: string, amountMinor: number): WalletCommand => ({
    type: 'CreditPending',
    orderId,
    amountMinor,
  }),
  release: (orderId: string, feeMinor: number): WalletCommand => ({ type: 'ReleasePending', orderId, feeMinor }),
  void: (orderId: string): WalletCommand => ({ type: 'VoidPending', orderId }),
  refund: (orderId: string, amountMinor: number): WalletCommand => ({ type: 'RefundOrder', orderId, amountMinor }),
  creditFee: (orderId: string, amountMinor: number): WalletCommand => ({ type: 'CreditFee', orderId, amountMinor }),
};

/** Amounts that are not a whole, safely representable number of cents. */
export const notWholeCents = [1.5, 0.1, Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 2 ** 53, -(2 ** 53)];

/** Every command that takes a strictly positive amount, built with that amount. */
export const positiveAmountCommands: ReadonlyArray<[string, (amountMinor: number) => WalletCommand]> = [
  ['Deposit', (amountMinor) => cmd.deposit(amountMinor)],
  ['Withdraw', (amountMinor) => cmd.withdraw(amountMinor)],
  ['DebitForOrder', (amountMinor) => cmd.debit('o1', amountMinor)],
  ['CreditPending', (amountMinor) => cmd.creditPending('o1', amountMinor)],
  ['RefundOrder', (amountMinor) => cmd.refund('o1', amountMinor)],
];
