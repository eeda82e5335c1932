/**
 * The actor runtime: spreads entity actors over many small nact parents (shards), routes asks
 * to them by key, spawns them on demand (rehydrating on their first message), passivates idle
 * ones, bounds mailboxes and resident count, and supervises crashes. It also drives the sagas of
 * actors with a process manager (saga.ts) and answers `waitFor` (waiters.ts).
 */
import { performance } from 'node:perf_hooks';
import type { Decider } from '../actors/decider.ts';
import type { Failure } from './ask.ts';
import { askWithTimeout, failure } from './ask.ts';
import { CommitLog } from './commit-log.ts';
import { StreamLoader } from './stream-loader.ts';
import { composedStreams } from '../persistence/adapters/streams.ts';
import type { CommandResult, EntityContext, EntityDeps, EntityMessage, Inspection, TicketedReply } from './entity.ts';
import type { EntityHooks } from './entity-actor.ts';
import { createEntityBehaviour } from './entity-actor.ts';
import type { Resident } from './resident.ts';
import type { ActorRef, SystemRef } from './nact.ts';
import { actorNameOf, send, spawnActor, spawnParent, startSystem, stopActor } from './nact.ts';
import { SagaDriver } from './saga.ts';
import { shardOf as placementShardOf } from '../persistence/cluster/shards.ts';
import { Waiters } from './waiters.ts';
import { Forwarder, type ForwardStats, type OwnerDirectory, type RemoteAsk } from './cluster/forwarding.ts';
import { isNotOwner } from './cluster/ownership.ts';

type AnyDecider = Decider<unknown, unknown, unknown, string>;


export interface ResidentInfo {
  readonly key: string;
  readonly kind: string;
  readonly mailboxDepth: number;
  readonly lastSeq: number;
  readonly idleMs: number;
  readonly restarts: number;
  /** Saga steps this actor has running against other actors (saga.ts). */
  readonly effectsInFlight: number;
}

export interface EntityKind<S, C, E> {
  readonly kind: string;
  key(id: string): string;
  ask(id: string, command: C, timeoutMs?: number): Promise<CommandResult<E, S>>;
  inspect(id: string, timeoutMs?: number): Promise<Inspection<S> | Failure>;
  /** Resolves once the actor's state satisfies `predicate` (see ActorRuntime.waitFor). */
  waitFor(id: string, predicate: (state: S) => boolean, timeoutMs: number): Promise<Inspection<S> | Failure>;
}

export interface RuntimeDeps extends EntityDeps {
  /** Cluster mode with forwarding: a command (a saga's included) for a key another node serves
   *  is sent there (cluster/forwarding.ts) instead of being answered `not_owner`. */
  readonly forwarding?: { readonly directory: OwnerDirectory; readonly remote: RemoteAsk };
}

let systemNumber = 0;
/** nact keeps systems in a process-wide map by name, so every runtime needs a distinct one. */
function nextSystemNumber(): number {
  systemNumber += 1;
  return systemNumber;
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
  private readonly saga: SagaDriver;
  private readonly waiters: Waiters;
  private readonly context: EntityContext;
  /** The commit pipeline (commit-log.ts): every entry of every actor goes through it, in order. */
  readonly log: CommitLog;
  /** Cluster mode with forwarding only: sends commands for other nodes' keys to their owners. */
  private readonly forwarder: Forwarder | undefined;
  private stopped = false;

  constructor(readonly deps: RuntimeDeps, name = `bazaary-${process.pid}-${nextSystemNumber()}`) {
    const ownership = deps.ownership;
    this.log =
      ownership === undefined
        ? new CommitLog(deps.journal, deps.limits.journalMaxBatch, deps.logger)
        : new CommitLog(deps.journal, deps.limits.journalMaxBatch, deps.logger, () => ownership.fence());
    const onJournaled = deps.onJournaled;
    if (onJournaled !== undefined) this.log.onCommitted((entries) => entries.forEach((entry) => onJournaled(entry.key, entry.seq)));
    this.context = { ...deps, log: this.log, loader: new StreamLoader(deps.streams ?? composedStreams(deps.journal, deps.snapshots), deps.limits.rehydratePageSize, deps.knownKeys) };
    this.saga = new SagaDriver(
      {
        ask: (key, command, effectStep, dependsOn) => this.askFromSaga(key, command, effectStep, dependsOn),
        whenDurable: (ticket) => this.log.whenDurable(ticket),
        isLost: (ticket) => this.log.lostReason(ticket) !== null,
        resume: (key) => void this.inspect(key),
      },
      deps.limits,
      deps.logger,
    );
    this.waiters = new Waiters(deps.limits, (ticket) => this.log.whenDurable(ticket));
    this.forwarder = deps.forwarding === undefined ? undefined : new Forwarder(deps.forwarding.directory, deps.forwarding.remote, deps.limits, deps.logger);
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
      waitFor: (id, predicate, timeoutMs) =>
        this.waitFor(key(id), predicate as (state: unknown) => boolean, timeoutMs) as Promise<Inspection<S> | Failure>,
    };
  }

  /**
   * Sends a command to the actor with this key. Unknown kinds and overflow are answered at once.
   * The answer leaves the process only once every entry it depends on is durable; if that entry
   * is rolled back instead, the caller gets `unavailable` (or `conflict`), and a retry with the
   * same command id is safe.
   */
  async ask(key: string, command: unknown, timeoutMs = this.deps.limits.askTimeoutMs): Promise<CommandResult<unknown, unknown>> {
    const startedAt = performance.now();
    const result = await this.askHere(key, command, timeoutMs);
    if (this.forwarder === undefined || !isNotOwner(result)) return result;
    // Cluster mode: another node serves the key; its answer is durable there before it is sent.
    const leftMs = timeoutMs - (performance.now() - startedAt);
    return this.forwarder.forward(key, command, result, leftMs, (remainingMs) => this.askHere(key, command, remainingMs));
  }

  /** `ask` on this node only: a key it does not serve is answered `not_owner`, never forwarded.
   *  The internal endpoint answers forwards with it, so a forward is never forwarded again. */
  async askHere(key: string, command: unknown, timeoutMs = this.deps.limits.askTimeoutMs): Promise<CommandResult<unknown, unknown>> {
    // A `conflict` means another process moved a key this answer rested on and the actors
    // involved reload: decide again on the fresh state, as a bounded number of times.
    for (let attempt = 0; ; attempt += 1) {
      const result = await this.deliver<CommandResult<unknown, unknown>>(key, timeoutMs, (reply) => ({ type: 'command', command, reply }), (answer, ticket) => this.whenDurable(answer, ticket));
      if (result.ok || result.code !== 'conflict' || attempt >= this.deps.limits.conflictRetriesMax) return result;
    }
  }

  /** Reads an actor's state through its mailbox, so it is consistent with its commands; like an
   *  answer, it is released once the state it shows is durable. */
  inspect(key: string, timeoutMs = this.deps.limits.askTimeoutMs): Promise<Inspection<unknown> | Failure> {
    return this.deliver(key, timeoutMs, (reply) => ({ type: 'inspect', reply }), (result, ticket) => this.whenDurable(result, ticket)) as Promise<
      Inspection<unknown> | Failure
    >;
  }

  /** Writes everything handed to the log so far (for a clean stop). */
  flush(): Promise<void> {
    return this.log.flush();
  }

  private async whenDurable<T>(result: T | Failure, ticket: number): Promise<T | Failure> {
    if (this.log.isDurable(ticket)) return result;
    const lost = await this.log.whenDurable(ticket);
    return lost ?? result;
  }

  /**
   * Resolves with the actor's state once `predicate` holds for it: checked on its current state
   * (an inspect, which rehydrates a passivated actor) and then after every message it handles.
   * Resolves with a `timeout` Failure when it does not hold within `timeoutMs`; with
   * `unknown_actor_kind` at once for a key no kind serves; with `overloaded` when
   * `limits.waitersMax` callers already wait. A predicate that throws rejects the promise.
   */
  waitFor(key: string, predicate: (state: unknown) => boolean, timeoutMs: number): Promise<Inspection<unknown> | Failure> {
    if (this.stopped) return Promise.resolve(failure('unavailable', 'the runtime is stopping'));
    return this.waiters.wait(key, predicate, timeoutMs, () => this.inspect(key, Math.min(timeoutMs, this.deps.limits.askTimeoutMs)));
  }

  /** Between actors of this process answers flow at once, speculative, with their ticket: the
   *  log orders every effect after its cause, and a lost cause refuses the effect (entity.ts).
   *  A message for an actor on another node leaves the process only once every entry it rests
   *  on is durable (DESIGN.md §2a); the owner's answer is durable when it arrives (ticket 0). */
  private async askFromSaga(
    key: string,
    command: unknown,
    effectStep: string | undefined,
    dependsOn: readonly number[],
  ): Promise<{ readonly result: CommandResult<unknown, unknown>; readonly ticket: number }> {
    const here = await this.askFromSagaHere(key, command, effectStep, dependsOn, this.deps.limits.askTimeoutMs);
    const forwarder = this.forwarder;
    if (forwarder === undefined || !isNotOwner(here.result)) return here;
    const startedAt = performance.now();
    for (const ticket of dependsOn) {
      const lost = await this.log.whenDurable(ticket);
      if (lost !== null) return { result: forwarder.rolledBack(failure('rolled_back', `this saga message rests on an entry that was rolled back (${lost.code})`)), ticket: 0 };
    }
    const leftMs = this.deps.limits.askTimeoutMs - (performance.now() - startedAt);
    let localTicket = 0;
    const result = await forwarder.forward(key, command, here.result, leftMs, async (remainingMs) => {
      const local = await this.askFromSagaHere(key, command, effectStep, dependsOn, remainingMs);
      localTicket = local.ticket;
      return local.result;
    });
    return { result, ticket: localTicket };
  }

  private async askFromSagaHere(
    key: string,
    command: unknown,
    effectStep: string | undefined,
    dependsOn: readonly number[],
    timeoutMs: number,
  ): Promise<{ readonly result: CommandResult<unknown, unknown>; readonly ticket: number }> {
    let answeredTicket = 0;
    const result = await this.deliver<CommandResult<unknown, unknown>>(
      key,
      timeoutMs,
      (reply) => ({
        type: 'command',
        command,
        reply,
        ...(effectStep === undefined ? {} : { effectStep }),
        dependsOn,
      }),
      (answer, ticket) => {
        answeredTicket = ticket;
        return answer;
      },
    );
    return { result, ticket: answeredTicket };
  }

  private hooksFor(key: string, decider: AnyDecider): EntityHooks {
    const processManager = decider.process;
    // The actor's state after its latest message: a step that settles later (below) starts the
    // steps the per-actor bound held back, from this state, as a settle inside the message did
    // before answers waited for durability.
    let latest: { readonly state: unknown; readonly ticket: number } = { state: undefined, ticket: 0 };
    return {
      afterMessage: (cell, settledStep) => {
        latest = cell;
        // A step is settled once its record is durable; until then it stays in flight (and its
        // run re-runs it if the record is rolled back, saga.ts).
        if (settledStep !== null) {
          void this.log.whenDurable(cell.ticket).then((lost) => {
            if (lost !== null) return;
            this.saga.settle(key, settledStep);
            if (processManager !== undefined && this.residents.has(key)) this.saga.reconcile(key, processManager, latest.state, null, latest.ticket);
          });
        }
        if (processManager !== undefined) this.saga.reconcile(key, processManager, cell.state, settledStep, cell.ticket);
        this.waiters.notify(key, cell.state, cell.seq, cell.ticket);
      },
    };
  }

  private deliver<T>(
    key: string,
    timeoutMs: number,
    build: (reply: TicketedReply<T | Failure>) => EntityMessage<unknown, unknown, unknown>,
    release: (result: T | Failure, ticket: number) => (T | Failure) | Promise<T | Failure>,
  ): Promise<T | Failure> {
    if (this.stopped) return Promise.resolve(failure('unavailable', 'the runtime is stopping'));
    // Cluster mode: the one place a key is checked against this node's shards. Every ask, a
    // saga's included, comes through here before it reaches (or spawns) an actor.
    const refused = this.deps.ownership?.refusal(key);
    if (refused) return Promise.resolve(refused);
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
      const answer = (result: T | Failure, ticket: number) => {
        if (answered) return;
        answered = true;
        resident.unanswered.delete(cancel);
        resident.inFlight -= 1;
        resident.lastActiveMs = performance.now();
        const released = release(result, ticket);
        if (released instanceof Promise) void released.then(reply);
        else reply(released);
      };
      // Ticket 0 rests on nothing written, so the failure is released at once.
      const cancel = (reason: Failure) => answer(reason, 0);
      resident.unanswered.add(cancel);
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
      unanswered: new Set(),
      lastActiveMs: performance.now(),
      lastSeq: 0,
      crashes: [],
    };
    const behaviour = createEntityBehaviour(decider, this.context, resident, () => this.forget(resident), this.hooksFor(key, decider));
    Object.assign(resident, { ref: spawnActor(shard, actorNameOf(key), behaviour) });
    this.residents.set(key, resident);
    return resident;
  }

  /** Removes a stopped actor so that its next message spawns (and rehydrates) a fresh one. */
  private forget(resident: Resident): void {
    if (this.residents.get(resident.key) === resident) this.residents.delete(resident.key);
    stopActor(resident.ref);
  }

  /**
   * Cluster mode: stops every resident actor whose key falls in `shards` (of `shardCount`, the
   * cluster's placement shards, not this runtime's nact parents), answering each caller still
   * waiting on one with `reason`. Their entries not yet written stay in the commit log, where the
   * fence decides them. Returns how many actors stopped.
   */
  dropShards(shards: ReadonlySet<number>, shardCount: number, reason: Failure): number {
    let dropped = 0;
    for (const resident of [...this.residents.values()]) {
      if (!shards.has(placementShardOf(resident.key, shardCount))) continue;
      for (const cancel of [...resident.unanswered]) cancel(reason);
      this.forget(resident);
      dropped += 1;
    }
    return dropped;
  }

  /** Nothing queued for it, no saga step of its own running and nothing of it still to be
   *  written: safe to stop. */
  private isIdle(resident: Resident): boolean {
    return resident.inFlight === 0 && this.saga.inFlight(resident.key) === 0 && !this.log.hasPending(resident.key);
  }

  /** Stops actors idle for at least `idleMs` with empty mailboxes and no saga step in flight. Returns how many. */
  passivateIdle(idleMs: number = this.deps.limits.passivateAfterMs): number {
    const now = performance.now();
    let passivated = 0;
    for (const resident of [...this.residents.values()]) {
      if (this.isIdle(resident) && now - resident.lastActiveMs >= idleMs) {
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
      if (this.isIdle(resident)) {
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
      effectsInFlight: this.saga.inFlight(resident.key),
    }));
  }

  /** Forwarding counters (cluster mode with forwarding), for metrics; undefined otherwise. */
  forwardStats(): ForwardStats | undefined {
    return this.forwarder?.stats();
  }

  /** Saga and waiter totals for metrics: steps in flight (queued ones included) and waiting callers. */
  sagaStats(): { readonly effectsInFlight: number; readonly effectsQueued: number; readonly waiters: number } {
    return { effectsInFlight: this.saga.totalInFlight(), effectsQueued: this.saga.queued(), waiters: this.waiters.size() };
  }

  /** Resident actors per shard, for operators and for the test that they stay spread out. */
  shardSizes(): number[] {
    const sizes = new Array<number>(this.shards.length).fill(0);
    for (const resident of this.residents.values()) sizes[resident.shard] = (sizes[resident.shard] ?? 0) + 1;
    return sizes;
  }

  /** The decider of a registered kind, for operator replays (state as of a seq or time). */
  deciderOf(kind: string): AnyDecider | undefined {
    return this.deciders.get(kind);
  }

  kinds(): string[] {
    return [...this.deciders.keys()];
  }

  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    // Sagas first, so no effect starts or retries against actors that are going away.
    this.saga.stop();
    this.log.close();
    this.waiters.stopAll();
    clearInterval(this.sweepTimer);
    this.residents.clear();
    stopActor(this.system);
  }
}
