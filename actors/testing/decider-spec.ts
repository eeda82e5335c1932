/**
 * Given (events) / When (command) / Then (events or rejection): the one way decider tests are
 * written (STYLE.md; Emmett's DeciderSpecification).
 *
 *   const { given } = deciderSpecification(walletDecider, { now });
 *   given(deposited(500)).when(withdraw(200)).then(withdrawn(200));
 *   given().when(withdraw(1)).thenRejects('insufficient_funds');
 *
 * Time stays injected: `now` is the default time of every `when`, and a test passes another as
 * `when`'s second argument. The given history is folded with the decider's own `evolve` and
 * frozen, so a decide or evolve that updates state in place throws instead of passing.
 */
import { expect } from 'vitest';
import { isRejected, type Decider, type Decision } from '../decider.ts';

/** The pure part of a decider a specification drives. */
export type PureDecider<State, Command, Event, Code extends string> = Pick<
  Decider<State, Command, Event, Code>,
  'initialState' | 'decide' | 'evolve' | 'decideWithState'
>;

export interface Then<Event, Code extends string> {
  /** Expects exactly these events (none: an accepted no-op) and returns the history after them, for the next step. */
  then(...expected: Event[]): Event[];
  /**
   * Expects the command accepted and hands its events to `check`, for a test that asserts only
   * part of them (the last event, one field) or that an earlier test asserted in full; returns
   * the history after them.
   */
  thenAccepts(check?: (events: readonly Event[]) => void): Event[];
  /** Expects a rejection with this code, and a message that is a sentence (mentioning the text, if given). */
  thenRejects(code: Code, mentioning?: string): void;
}

export interface Given<State, Command, Event, Code extends string> {
  /** The state the given history folds to, frozen. */
  readonly state: State;
  when(command: Command, now?: number): Then<Event, Code>;
}

export interface DeciderSpecification<State, Command, Event, Code extends string> {
  given(...history: Event[]): Given<State, Command, Event, Code>;
  /** The frozen state a history folds to. */
  stateOf(history: readonly Event[]): State;
}

export interface SpecificationOptions {
  /** The time every `when` decides at unless it is given another. */
  readonly now: number;
}

/** Frozen so that a decide or evolve that updates in place throws instead of passing. */
export function deepFreeze<Value>(value: Value): Value {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}

export function deciderSpecification<State, Command, Event, Code extends string>(
  decider: PureDecider<State, Command, Event, Code>,
  options: SpecificationOptions,
): DeciderSpecification<State, Command, Event, Code> {
  const stateOf = (history: readonly Event[]): State => deepFreeze(history.reduce(decider.evolve, decider.initialState));
  const given = (...history: Event[]): Given<State, Command, Event, Code> => {
    const state = stateOf(history);
    return {
      state,
      when(command: Command, now = options.now): Then<Event, Code> {
        const decision = decider.decide(state, command, now);
        expectSameWithState(decider, state, command, now, decision);
        // The accepted events must also apply to the frozen state without touching it.
        const after = (events: readonly Event[]) => {
          events.reduce(decider.evolve, state);
          return [...history, ...events];
        };
        return {
          then(...expected) {
            expect(decision).toEqual(expected);
            return after(expected);
          },
          thenAccepts(check) {
            if (isRejected(decision)) throw new Error(`expected the command accepted, but it was rejected: ${decision.rejected} (${decision.message})`);
            check?.(decision);
            return after(decision);
          },
          thenRejects(code, mentioning) {
            expect(isRejected(decision) ? decision.rejected : decision).toBe(code);
            if (!isRejected(decision)) return;
            expect(decision.message).toMatch(/^[A-Z].+\.$/);
            if (mentioning !== undefined) expect(decision.message).toContain(mentioning);
          },
        };
      },
    };
  };
  return { given, stateOf };
}

/**
 * A decider's `decideWithState`, where it has one, must make the same decision as `decide`, and
 * its state must be the one `evolve` folds the events to: the runtime keeps that state instead of
 * evolving the events itself (runtime/entity.ts).
 */
function expectSameWithState<State, Command, Event, Code extends string>(
  decider: PureDecider<State, Command, Event, Code>,
  state: State,
  command: Command,
  now: number,
  decision: Decision<Event, Code>,
): void {
  if (decider.decideWithState === undefined) return;
  const decided = decider.decideWithState(state, command, now);
  if (isRejected(decision)) {
    expect(decided).toEqual(decision);
    return;
  }
  expect('events' in decided ? decided.events : decided).toEqual(decision);
  if ('events' in decided) expect(decided.state).toEqual(decision.reduce(decider.evolve, state));
}
