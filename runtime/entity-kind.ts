/**
 * What a registered actor kind offers its callers (ActorRuntime.register): typed asks, inspects
 * and waits by id. A wait names its predicate when it may have to travel: a function cannot reach
 * the node that owns the key in cluster mode (cluster/cluster-routes.ts), a name can, and the
 * owner looks the same predicate up in its own registry.
 */
import type { Failure } from './ask.ts';
import type { CommandResult, Inspection } from './entity.ts';

/** Named predicates a kind may be awaited with, registered with the kind. */
export type WaitPredicates<S, Name extends string> = Readonly<Record<Name, (state: S) => boolean>>;

export interface EntityKind<S, C, E, Name extends string = never> {
  readonly kind: string;
  key(id: string): string;
  ask(id: string, command: C, timeoutMs?: number): Promise<CommandResult<E, S>>;
  inspect(id: string, timeoutMs?: number): Promise<Inspection<S> | Failure>;
  /** Resolves once the actor's state satisfies `predicate` (see ActorRuntime.waitFor): one the
   *  kind registered by name, which in cluster mode waits at the key's owner, or a function,
   *  which waits on this node only (`not_owner` on a node that does not serve the key). */
  waitFor(id: string, predicate: Name | ((state: S) => boolean), timeoutMs: number): Promise<Inspection<S> | Failure>;
}

/** The kind of a key `<kind>:<id>`; '' when it has none. */
export function kindOf(key: string): string {
  const separator = key.indexOf(':');
  return separator <= 0 ? '' : key.slice(0, separator);
}

type AnyPredicate = (state: unknown) => boolean;

/** Every kind's named predicates, for waits another node forwarded here. */
export class WaitPredicateRegistry {
  private readonly byKind = new Map<string, ReadonlyMap<string, AnyPredicate>>();

  add<S, Name extends string>(kind: string, predicates: WaitPredicates<S, Name> | undefined): void {
    // A Map, not the record itself: a name like `constructor` must not find Object's.
    this.byKind.set(kind, new Map(Object.entries(predicates ?? {})) as unknown as ReadonlyMap<string, AnyPredicate>);
  }

  /** The predicate `name` of the key's kind, or undefined when its kind registered none by that name. */
  find(key: string, name: string): AnyPredicate | undefined {
    return this.byKind.get(kindOf(key))?.get(name);
  }
}

/** The runtime's key-addressed calls an EntityKind is bound to (ActorRuntime). */
export interface KeyedCalls {
  ask(key: string, command: unknown, timeoutMs?: number): Promise<CommandResult<unknown, unknown>>;
  inspect(key: string, timeoutMs?: number): Promise<Inspection<unknown> | Failure>;
  waitFor(key: string, predicate: AnyPredicate, timeoutMs: number, name?: string): Promise<Inspection<unknown> | Failure>;
}

/** A kind's typed face over the runtime's untyped calls: the decider's types are the kind's. */
export function bindEntityKind<S, C, E, Name extends string>(kind: string, predicates: WaitPredicates<S, Name> | undefined, calls: KeyedCalls): EntityKind<S, C, E, Name> {
  const key = (id: string) => `${kind}:${id}`;
  return {
    kind,
    key,
    ask: (id, command, timeoutMs) => calls.ask(key(id), command, timeoutMs) as Promise<CommandResult<E, S>>,
    inspect: (id, timeoutMs) => calls.inspect(key(id), timeoutMs) as Promise<Inspection<S> | Failure>,
    // A name costs one property read of the kind's own record; a function is used as it is.
    waitFor: (id, predicate, timeoutMs) =>
      (typeof predicate === 'function'
        ? calls.waitFor(key(id), predicate as AnyPredicate, timeoutMs)
        : calls.waitFor(key(id), (predicates as WaitPredicates<S, Name>)[predicate] as AnyPredicate, timeoutMs, predicate)) as Promise<Inspection<S> | Failure>,
  };
}
