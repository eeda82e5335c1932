/**
 * A tiny decider used by the runtime's own tests, so they exercise the binding rather than
 * any business rule. `Boom` throws (a bug, not a rejection) to drive supervision.
 */
import type { Decider } from '../../actors/decider.ts';
import { assertNever, reject } from '../../actors/decider.ts';

export type CounterCommand =
  | { readonly type: 'Add'; readonly commandId: string; readonly amount: number }
  | { readonly type: 'AddTwice'; readonly commandId: string; readonly amount: number }
  | { readonly type: 'Take'; readonly commandId: string; readonly amount: number }
  | { readonly type: 'Boom'; readonly commandId: string };

export type CounterEvent =
  | { readonly type: 'Added'; readonly amount: number }
  | { readonly type: 'Taken'; readonly amount: number };

export interface CounterState {
  readonly total: number;
  readonly applied: number;
}

export const counterDecider: Decider<CounterState, CounterCommand, CounterEvent, 'not_enough'> = {
  kind: 'counter',
  stateVersion: 1,
  initialState: { total: 0, applied: 0 },
  commandId: (command) => command.commandId,
  decide(state, command) {
    switch (command.type) {
      case 'Add':
        return [{ type: 'Added', amount: command.amount }];
      case 'AddTwice':
        return [
          { type: 'Added', amount: command.amount },
          { type: 'Added', amount: command.amount },
        ];
      case 'Take':
        if (state.total < command.amount) return reject('not_enough', `only ${state.total} left`);
        return [{ type: 'Taken', amount: command.amount }];
      case 'Boom':
        throw new Error('boom: a bug in a decider');
      default:
        return assertNever(command);
    }
  },
  evolve(state, event) {
    switch (event.type) {
      case 'Added':
        return { total: state.total + event.amount, applied: state.applied + 1 };
      case 'Taken':
        return { total: state.total - event.amount, applied: state.applied + 1 };
      default:
        return assertNever(event);
    }
  },
};
