/**
 * `waitFor`: callers waiting for an actor's state to satisfy a predicate (for example the
 * gateway waiting for a checkout saga's final result). A waiter is checked against the state
 * an inspect returns and then against the state after every message the actor handles, so it
 * sees every state from the moment it registered, without polling.
 */
import type { Failure } from './ask.ts';
import { failure } from './ask.ts';
import type { Inspection } from './entity.ts';
import type { Limits } from './limits.ts';

/** An actor's state after its latest message, and the log ticket it rests on. */
export interface LatestState {
  readonly state: unknown;
  readonly seq: number;
  readonly ticket: number;
}

interface Waiter {
  readonly predicate: (state: unknown) => boolean;
  settle(result: Inspection<unknown> | Failure): void;
  fail(error: unknown): void;
}

export class Waiters {
  private readonly byKey = new Map<string, Set<Waiter>>();
  private count = 0;

  /** `whenDurable` resolves with null once a log ticket is durable, or with the failure that lost
   *  it: a waiter sees speculative states, but answers only with a durable one (commit-log.ts). */
  constructor(
    private readonly limits: Limits,
    private readonly whenDurable: (ticket: number) => Promise<Failure | null> = () => Promise.resolve(null),
  ) {}

  size(): number {
    return this.count;
  }

  /**
   * Resolves with the first state of `key` that satisfies `predicate`, or a `timeout` Failure.
   * `inspect` reads the current state; it is sent after the waiter is registered, so a state
   * reached in between is seen by one or the other. `latest`, when it knows the state after the
   * actor's latest message (a resident, loaded actor), stands in for `inspect` with no message:
   * every later state reaches the waiter through `notify`. A predicate that throws rejects (a bug).
   */
  wait(
    key: string,
    predicate: (state: unknown) => boolean,
    timeoutMs: number,
    inspect: () => Promise<Inspection<unknown> | Failure>,
    latest: () => LatestState | null = () => null,
  ): Promise<Inspection<unknown> | Failure> {
    if (this.count >= this.limits.waitersMax) {
      return Promise.resolve(failure('overloaded', `${this.count} callers are already waiting; retry later`));
    }
    return new Promise((resolve, reject) => {
      let done = false;
      const finish = () => {
        if (done) return false;
        done = true;
        clearTimeout(timer);
        this.remove(key, waiter);
        return true;
      };
      const waiter: Waiter = {
        predicate,
        settle: (result) => {
          if (finish()) resolve(result);
        },
        fail: (error) => {
          if (finish()) reject(error);
        },
      };
      const timer = setTimeout(
        () => waiter.settle(failure('timeout', `${key} did not reach the awaited state within ${timeoutMs} ms`)),
        timeoutMs,
      );
      this.add(key, waiter);
      const known = latest();
      if (known !== null) {
        this.check(waiter, known.state, known.seq, known.ticket);
        return;
      }
      inspect().then(
        (result) => {
          // An actor kind nobody serves will never change, and a key another node serves changes
          // there (cluster mode: cluster-routes.ts sends a named wait to it); anything else may
          // still pass.
          if (!result.ok) {
            if (result.code === 'unknown_actor_kind' || result.code === 'not_owner') waiter.settle(result);
            return;
          }
          this.check(waiter, result.state, result.seq, 0);
        },
        (error: unknown) => waiter.fail(error),
      );
    });
  }

  /** Called after every message `key` handled. Never throws: it runs in the actor's loop. */
  notify(key: string, state: unknown, seq: number, ticket: number): void {
    const waiting = this.byKey.get(key);
    if (waiting === undefined) return;
    for (const waiter of [...waiting]) this.check(waiter, state, seq, ticket);
  }

  /** Answers every waiter on a key `matches` at once with `answer(key)` (cluster mode: the keys
   *  of a shard this node no longer serves, whose states now change elsewhere). */
  settleWhere(matches: (key: string) => boolean, answer: (key: string) => Failure): void {
    for (const [key, waiting] of [...this.byKey]) {
      if (!matches(key)) continue;
      for (const waiter of [...waiting]) waiter.settle(answer(key));
    }
  }

  /** Answers every waiter at once, for a runtime that is stopping. */
  stopAll(): void {
    for (const waiting of [...this.byKey.values()]) {
      for (const waiter of [...waiting]) waiter.settle(failure('unavailable', 'the runtime is stopping'));
    }
  }

  private check(waiter: Waiter, state: unknown, seq: number, ticket: number): void {
    let holds: boolean;
    try {
      holds = waiter.predicate(state);
    } catch (error) {
      waiter.fail(error);
      return;
    }
    if (!holds) return;
    // Released once durable; a state that was rolled back answers with the rollback's failure.
    void this.whenDurable(ticket).then((lost) => waiter.settle(lost ?? { ok: true, state, seq }));
  }

  private add(key: string, waiter: Waiter): void {
    let waiting = this.byKey.get(key);
    if (waiting === undefined) {
      waiting = new Set();
      this.byKey.set(key, waiting);
    }
    waiting.add(waiter);
    this.count += 1;
  }

  private remove(key: string, waiter: Waiter): void {
    const waiting = this.byKey.get(key);
    if (waiting === undefined || !waiting.delete(waiter)) return;
    this.count -= 1;
    if (waiting.size === 0) this.byKey.delete(key);
  }
}
