/**
 * A small account used as a saga target by the runtime's tests: debits and credits are
 * idempotent by transfer, as the wallet is by `(orderId, step)`. A repeated Debit or Credit
 * decides no events, so the runtime answers it with the original entry (entity.ts).
 */
import type { Decider } from '../../actors/decider.ts';
import { assertNever, reject } from '../../actors/decider.ts';

export type AccountCommand =
  | { readonly type: 'Deposit'; readonly commandId: string; readonly amountMinor: number }
  /** commandId `debit:<transferId>`. */
  | { readonly type: 'Debit'; readonly transferId: string; readonly amountMinor: number }
  /** commandId `credit:<transferId>`. */
  | { readonly type: 'Credit'; readonly transferId: string; readonly amountMinor: number };

export type AccountEvent =
  | { readonly type: 'Deposited'; readonly amountMinor: number }
  | { readonly type: 'Debited'; readonly transferId: string; readonly amountMinor: number; readonly balanceAfterMinor: number }
  | { readonly type: 'Credited'; readonly transferId: string; readonly amountMinor: number; readonly balanceAfterMinor: number };

export interface AccountState {
  readonly balanceMinor: number;
  readonly debits: Readonly<Record<string, true>>;
  readonly credits: Readonly<Record<string, true>>;
}

export const accountDecider: Decider<AccountState, AccountCommand, AccountEvent, 'insufficient_funds'> = {
  kind: 'account',
  stateVersion: 1,
  initialState: { balanceMinor: 0, debits: {}, credits: {} },
  commandId(command) {
    switch (command.type) {
      case 'Deposit':
        return command.commandId;
      case 'Debit':
        return `debit:${command.transferId}`;
      case 'Credit':
        return `credit:${command.transferId}`;
      default:
        return assertNever(command);
    }
  },
  decide(state, command) {
    switch (command.type) {
      case 'Deposit':
        return [{ type: 'Deposited', amountMinor: command.amountMinor }];
      case 'Debit': {
        if (state.debits[command.transferId]) return [];
        const balanceAfterMinor = state.balanceMinor - command.amountMinor;
        if (balanceAfterMinor < 0) return reject('insufficient_funds', `balance ${state.balanceMinor} < ${command.amountMinor}`);
        return [{ type: 'Debited', transferId: command.transferId, amountMinor: command.amountMinor, balanceAfterMinor }];
      }
      case 'Credit': {
        if (state.credits[command.transferId]) return [];
        const balanceAfterMinor = state.balanceMinor + command.amountMinor;
        return [{ type: 'Credited', transferId: command.transferId, amountMinor: command.amountMinor, balanceAfterMinor }];
      }
      default:
        return assertNever(command);
    }
  },
  evolve(state, event) {
    switch (event.type) {
      case 'Deposited':
        return { ...state, balanceMinor: state.balanceMinor + event.amountMinor };
      case 'Debited':
        return { ...state, balanceMinor: event.balanceAfterMinor, debits: { ...state.debits, [event.transferId]: true } };
      case 'Credited':
        return { ...state, balanceMinor: event.balanceAfterMinor, credits: { ...state.credits, [event.transferId]: true } };
      default:
        return assertNever(event);
    }
  },
};
