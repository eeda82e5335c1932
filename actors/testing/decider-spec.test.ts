import { describe, expect, it } from 'vitest';
import { reject, type Decider } from '../decider.ts';
import { deciderSpecification } from './decider-spec.ts';

// A counter small enough to read at a glance, with one decide that mutates state on purpose.
type Command = { readonly type: 'Add'; readonly by: number } | { readonly type: 'Stamp' } | { readonly type: 'Corrupt' };
type Event = { readonly type: 'Added'; readonly by: number; readonly at: number };
interface State {
  readonly total: number;
}

const counter: Decider<State, Command, Event, 'not_positive'> = {
  kind: 'counter',
  stateVersion: 1,
  initialState: { total: 0 },
  decide(state, command, now) {
    if (command.type === 'Stamp') return [{ type: 'Added', by: 0, at: now }];
    if (command.type === 'Corrupt') {
      (state as { total: number }).total = -1;
      return [];
    }
    return command.by > 0 ? [{ type: 'Added', by: command.by, at: now }] : reject('not_positive', `Add ${command.by}? Only positive amounts.`);
  },
  evolve: (state, event) => ({ total: state.total + event.by }),
  commandId: () => 'c',
};

const now = 1_000;
const { given, stateOf } = deciderSpecification(counter, { now });
const added = (by: number, at = now): Event => ({ type: 'Added', by, at });

describe('the decider specification', () => {
  it('passes exact events, returns the history after them, and folds histories into state', () => {
    const history = given(added(2)).when({ type: 'Add', by: 3 }).then(added(3));
    expect(history).toEqual([added(2), added(3)]);
    expect(stateOf(history)).toEqual({ total: 5 });
    expect(given(...history).state).toEqual({ total: 5 });
  });

  it('decides at the injected time, or at the one a when is given', () => {
    given().when({ type: 'Stamp' }).then(added(0, now));
    given().when({ type: 'Stamp' }, 7).then(added(0, 7));
  });

  it('fails when the events differ, or when a rejection was expected and the command was accepted', () => {
    expect(() => given().when({ type: 'Add', by: 3 }).then(added(4))).toThrow();
    expect(() => given().when({ type: 'Add', by: 3 }).then()).toThrow();
    expect(() => given().when({ type: 'Add', by: 3 }).thenRejects('not_positive')).toThrow();
  });

  it('checks a rejection by code, and its message as a sentence mentioning the given text', () => {
    given().when({ type: 'Add', by: 0 }).thenRejects('not_positive', 'Add 0');
    expect(() => given().when({ type: 'Add', by: 0 }).thenRejects('not_positive', 'Subtract')).toThrow();
    expect(() => given().when({ type: 'Add', by: 0 }).then()).toThrow();
    expect(() => given().when({ type: 'Add', by: 0 }).thenAccepts()).toThrow(/rejected: not_positive/);
  });

  it('hands accepted events to a partial check and returns the history after them', () => {
    const history = given().when({ type: 'Add', by: 4 }).thenAccepts((events) => expect(events).toHaveLength(1));
    expect(stateOf(history).total).toBe(4);
    expect(() => given().when({ type: 'Add', by: 4 }).thenAccepts((events) => expect(events).toHaveLength(2))).toThrow();
  });

  it('freezes the given state, so a decide that updates it in place throws', () => {
    expect(() => given(added(1)).when({ type: 'Corrupt' })).toThrow(TypeError);
  });
});
