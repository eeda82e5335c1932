/**
 * The actor runtime: spreads entity actors over many small nact parents (shards), routes asks
 * to them by key, spawns them on demand (rehydrating on their first message), passivates idle
 * ones, bounds mailboxes and resident count, and supervises crashes.
 */
import { performance } from 'node:perf_hooks';
import type { Decider } from './decider.ts';
import type { Failure } from './ask.ts';
import { askWithTimeout, failure } from './ask.ts';
import type { CommandResult, EntityDeps, EntityMessage, Inspection } from './entity.ts';
import { createEntityBehaviour } from './entity-actor.ts';
import type { ActorRef, SystemRef } from './nact.ts';
import { actorNameOf, send, spawnActor, spawnParent, startSystem, stopActor } from './nact.ts';

type AnyDecider = Decider<unknown, unknown, unknown, string>;

export interface Resident {
  readonly key: string;
  readonly kind: string;
  readonly shard: number;
  readonly ref: ActorRef<EntityMessage<unknown, unknown, unknown>>;
  /** Messages dispatched and not yet finished: the mailbox depth. */
  inFlight: number;
  lastActiveMs: number;
  lastSeq: number;
  readonly crashes: number[];
}

export interface ResidentInfo {
  readonly key: string;
  readonly kind: string;
  readonly mailboxDepth: number;
  readonly lastSeq: number;
  readonly idleMs: number;
  readonly restarts: number;
}

export interface EntityKind<S, C, E> {
  readonly kind: string;
  key(id: string): string;
  ask(id: string, command: C, timeoutMs?: number): Promise<CommandResult<E, S>>;
  inspect(id: string, timeoutMs?: number): Promise<Inspection<S> | Failure>;
}

export function kindOf(key: string): string {
  const separator = key.indexOf(':');
  return separator <= 0 ? '' : key.slice(0, separator);
}

function shardOf(key: string, shardCount: number): number {
  // FNV-1a: cheap, stable and well spread for short string keys.
  let hash = 0x811c9dc5;
  for (let index = 0; index < key.length; index += 1) {
    hash ^= key.charCodeAt(index);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0) % shardCount;
}

export class ActorRuntime {
  private readonly system: SystemRef;
  private readonly shards: ActorRef<never>[];
  private readonly deciders = new Map<string, AnyDecider>();
  /** In least-recently-used order: every ask moves its actor to the end. */
  private readonly residents = new Map<string, Resident>();
  private readonly sweepTimer: NodeJS.Timeout;
  private stopped = false;

  constructor(readonly deps: EntityDeps, name = `bazaary-${process.pid}-${Date.now().toString(36)}`) {
    this.system = startSystem(name);
    this.shards = Array.from({ length: deps.limits.shardCount }, (_, index) => spawnParent(this.system, `shard-${index}`));
    this.sweepTimer = setInterval(() => this.passivateIdle(), deps.limits.passivationSweepMs);
    this.sweepTimer.unref();
  }

  register<S, C, E, Code extends string>(decider: Decider<S, C, E, Code>): EntityKind<S, C, E> {
    if (this.deciders.has(decider.kind)) throw new Error(`actor kind ${decider.kind} registered twice`);
    this.deciders.set(decider.kind, decider as unknown as AnyDecider);
    const key = (id: string) => `${decider.kind}:${id}`;
    return {
      kind: decider.kind,
      key,
      ask: (id, command, timeoutMs) => this.ask(key(id), command, timeoutMs) as Promise<CommandResult<E, S>>,
      inspect: (id, timeoutMs) => this.inspect(key(id), timeoutMs) as Promise<Inspection<S> | Failure>,
    };
  }

  /** Sends a command to the actor with this key. Unknown kinds and overflow are answered at once. */
  ask(key: string, command: unknown, timeoutMs = this.deps.limits.askTimeoutMs): Promise<CommandResult<unknown, unknown>> {
    return this.deliver(key, timeoutMs, (reply) => ({ type: 'command', command, reply }));
  }

  /** Reads an actor's current state through its mailbox, so it is consistent with its commands. */
  inspect(key: string, timeoutMs = this.deps.limits.askTimeoutMs): Promise<Inspection<unknown> | Failure> {
    return this.deliver(key, timeoutMs, (reply) => ({ type: 'inspect', reply })) as Promise<Inspection<unknown> | Failure>;
  }

  private deliver<T>(
    key: string,
    timeoutMs: number,
    build: (reply: (result: T | Failure) => void) => EntityMessage<unknown, unknown, unknown>,
  ): Promise<T | Failure> {
    if (this.stopped) return Promise.resolve(failure('unavailable', 'the runtime is stopping'));
    const resident = this.residentFor(key);
    if (!('ref' in resident)) return Promise.resolve(resident);
    if (resident.inFlight >= this.deps.limits.mailboxMax) {
      return Promise.resolve(failure('mailbox_full', `${key} has ${resident.inFlight} messages waiting; retry later`));
    }
    resident.inFlight += 1;
    resident.lastActiveMs = performance.now();
    this.residents.delete(key);
    this.residents.set(key, resident);
    return askWithTimeout<T>((reply) => {
      let answered = false;
      // The mailbox count drops when the actor answers, before the caller resumes, so a caller
      // that passivates right after its ask sees an accurate, idle mailbox.
      const answer = (result: T | Failure) => {
        if (answered) return;
        answered = true;
        resident.inFlight -= 1;
        resident.lastActiveMs = performance.now();
        reply(result);
      };
      send(resident.ref, build(answer));
    }, timeoutMs);
  }

  private residentFor(key: string): Resident | Failure {
    const existing = this.residents.get(key);
    if (existing) return existing;
    const decider = this.deciders.get(kindOf(key));
    if (!decider) return failure('unknown_actor_kind', `no actor kind serves the key ${key}`);
    if (this.residents.size >= this.deps.limits.residentActorsMax && this.evictIdle(1) === 0) {
      return failure('overloaded', 'too many busy actors are resident; retry later');
    }
    const shardIndex = shardOf(key, this.shards.length);
    const shard = this.shards[shardIndex];
    if (!shard) throw new Error('shard index out of range');
    const resident: Resident = {
      key,
      kind: decider.kind,
      shard: shardIndex,
      ref: undefined as never,
      inFlight: 0,
      lastActiveMs: performance.now(),
      lastSeq: 0,
      crashes: [],
    };
    const behaviour = createEntityBehaviour(decider, this.deps, resident, () => this.forget(resident));
    Object.assign(resident, { ref: spawnActor(shard, actorNameOf(key), behaviour) });
    this.residents.set(key, resident);
    return resident;
  }

  /** Removes a stopped actor so that its next message spawns (and rehydrates) a fresh one. */
  private forget(resident: Resident): void {
    if (this.residents.get(resident.key) === resident) this.residents.delete(resident.key);
    stopActor(resident.ref);
  }

  /** Stops actors idle for at least `idleMs` with empty mailboxes. Returns how many. */
  passivateIdle(idleMs: number = this.deps.limits.passivateAfterMs): number {
    const now = performance.now();
    let passivated = 0;
    for (const resident of [...this.residents.values()]) {
      if (resident.inFlight === 0 && now - resident.lastActiveMs >= idleMs) {
        this.forget(resident);
        passivated += 1;
      }
    }
    return passivated;
  }

  private evictIdle(count: number): number {
    let evicted = 0;
    for (const resident of this.residents.values()) {
      if (evicted >= count) break;
      if (resident.inFlight === 0) {
        this.forget(resident);
        evicted += 1;
      }
    }
    return evicted;
  }

  isResident(key: string): boolean {
    return this.residents.has(key);
  }

  list(): ResidentInfo[] {
    const now = performance.now();
    return [...this.residents.values()].map((resident) => ({
      key: resident.key,
      kind: resident.kind,
      mailboxDepth: resident.inFlight,
      lastSeq: resident.lastSeq,
      idleMs: Math.round(now - resident.lastActiveMs),
      restarts: resident.crashes.length,
    }));
  }

  /** Resident actors per shard, for operators and for the test that they stay spread out. */
  shardSizes(): number[] {
    const sizes = new Array<number>(this.shards.length).fill(0);
    for (const resident of this.residents.values()) sizes[resident.shard] = (sizes[resident.shard] ?? 0) + 1;
    return sizes;
  }

  kinds(): string[] {
    return [...this.deciders.keys()];
  }

  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    clearInterval(this.sweepTimer);
    this.residents.clear();
    stopActor(this.system);
  }
}
