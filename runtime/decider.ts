/**
 * The shape of every actor's business core (STYLE.md): pure functions, no nact, no I/O.
 * The runtime binds a Decider to a supervised nact actor (runtime/entity.ts).
 */
export interface Rejected<Code extends string = string> {
  readonly rejected: Code;
  readonly message: string;
}

export type Decision<Event, Code extends string> = readonly Event[] | Rejected<Code>;

export interface Decider<State, Command, Event, Code extends string> {
  /** The key prefix: an actor of this kind is addressed as `${kind}:${id}`. */
  readonly kind: string;
  /** Bump when State's shape changes, so older snapshots are ignored rather than misread. */
  readonly stateVersion: number;
  readonly initialState: State;
  decide(state: State, command: Command, now: number): Decision<Event, Code>;
  evolve(state: State, event: Event): State;
  /** The idempotency key of a command: a retried command with the same id has no new effect. */
  commandId(command: Command): string;
}

export function isRejected<Event, Code extends string>(
  decision: Decision<Event, Code>,
): decision is Rejected<Code> {
  return !Array.isArray(decision);
}

export function reject<Code extends string>(code: Code, message: string): Rejected<Code> {
  return { rejected: code, message };
}

/** Compile-time exhaustiveness check for switches over tagged unions. */
export function assertNever(value: never): never {
  throw new Error(`unhandled variant: ${JSON.stringify(value)}`);
}
