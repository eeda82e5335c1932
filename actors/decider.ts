/**
 * The shape of every actor's business core (STYLE.md): pure functions, no nact, no I/O.
 * The runtime binds a Decider to a supervised nact actor (runtime/entity.ts).
 */
export interface Rejected<Code extends string = string> {
  readonly rejected: Code;
  readonly message: string;
}

export type Decision<Event, Code extends string> = readonly Event[] | Rejected<Code>;

/** An accepted decision with the state its events lead to (Decider.decideWithState). */
export interface Decided<State, Event> {
  readonly events: readonly Event[];
  readonly state: State;
}

export interface Decider<State, Command, Event, Code extends string> {
  /** The key prefix: an actor of this kind is addressed as `${kind}:${id}`. */
  readonly kind: string;
  /** Bump when State's shape changes, so older snapshots are ignored rather than misread. */
  readonly stateVersion: number;
  readonly initialState: State;
  decide(state: State, command: Command, now: number): Decision<Event, Code>;
  evolve(state: State, event: Event): State;
  /**
   * Optional, for a decider that builds its events on a draft, applying each with `evolve` as it
   * goes (the order, the checkout): the same decision as `decide`, with the state its events lead
   * to, which the draft already holds. The runtime then does not evolve the events a second time
   * (runtime/entity.ts). `state` must equal `events.reduce(evolve, state given)`; the decider
   * specification checks that on every decision a test makes (actors/testing/decider-spec.ts).
   */
  decideWithState?(state: State, command: Command, now: number): Decided<State, Event> | Rejected<Code>;
  /** The idempotency key of a command: a retried command with the same id has no new effect. */
  commandId(command: Command): string;
  /**
   * Optional: the keys of actors this command's decision will soon message, for a saga whose
   * first steps start actors of their own (a checkout's orders). The runtime reads their history
   * together with this actor's own, when it is not resident (runtime/stream-loader.ts,
   * `prefetch`), so the step finds it read instead of waiting for a load of its own. A hint
   * only: a key listed and never messaged costs one read, one never listed loads as usual.
   */
  relatedKeys?(command: Command): readonly string[];
  /** Present on actors that coordinate others (sagas); see ProcessManager below. */
  readonly process?: ProcessManager<State, Command>;
  /**
   * True when the actor now waits only for people, or for nothing at all (a checkout that
   * settled, an order paid and waiting for its seller to ship): the runtime stops it as soon as
   * its entries are durable and it is idle, instead of keeping it resident until it has been
   * idle for `passivateAfterMs`. Its next message loads it again, as after any passivation.
   * Absent: the actor stays resident while it is in use (wallets, sellers).
   */
  readonly atRest?: (state: State) => boolean;
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

// ---------------------------------------------------------------------------------------------
// Process managers (sagas) and durable timers. A decider that coordinates other actors
// (the order, the checkout) describes the steps it is waiting on as data; the runtime runs
// them (runtime/saga.ts) and feeds each outcome back as a command. Nothing here does I/O.

/** A cross-actor step the actor's current state is waiting on. */
export interface Effect {
  /** Unique within the actor and stable across retries: the step's idempotency key. */
  readonly stepId: string;
  /** The key of the actor that must receive `command`, e.g. `wallet:u1`. */
  readonly target: string;
  readonly command: unknown;
  /**
   * Set when the target reports back by itself, later, with a message that also finishes this
   * step (a placed order reports its settlement to its checkout). A success then needs no record
   * of its own: the runtime records only a rejection, and once the success is durable it waits,
   * without asking again, until the state no longer lists the step. A runtime that restarted
   * meanwhile asks again, and the target's idempotency gives the same answer.
   */
  readonly finishedByReport?: true;
}

/** The answer a step got: the target's events (original ones on a retry) or its rejection. */
export type EffectOutcome =
  | { readonly ok: true; readonly events: readonly unknown[] }
  | { readonly ok: false; readonly code: string; readonly message: string };

export interface ProcessManager<State, Command> {
  /** Every step the state is waiting on; empty when the saga is idle or finished. */
  effects(state: State): readonly Effect[];
  /** The command that records a step's outcome in this actor. */
  stepCompleted(stepId: string, outcome: EffectOutcome): Command;
}

/**
 * Durable timers are ordinary events of the actor that owns them (DESIGN.md §4): the event
 * processor indexes them in the `timers` table and the scheduler later delivers `command` to
 * the same actor. The command must carry `timerId` in its command id, so a timer delivered twice
 * takes effect once, and `decide` must ignore a timer whose reason has passed.
 */
export interface TimerScheduled {
  readonly type: 'TimerScheduled';
  readonly timerId: string;
  readonly dueAt: number;
  readonly command: unknown;
}
export interface TimerCancelled {
  readonly type: 'TimerCancelled';
  readonly timerId: string;
}
