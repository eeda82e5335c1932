/**
 * The actor runtime: spreads entity actors over many small nact parents (shards), routes asks
 * to them by key, spawns them on demand (rehydrating on their first message), passivates idle
 * ones, bounds mailboxes and resident count, and supervises crashes. It also drives the sagas of
 * actors with a process manager (saga.ts) and answers `waitFor` (waiters.ts). In cluster mode it
 * serves only the keys its node owns; cluster/cluster-routes.ts sends the rest to their owners.
 */
import { performance } from 'node:perf_hooks';
import type { Decider } from '../actors/decider.ts';
import type { Failure } from './ask.ts';
import { askWithTimeout, failure } from './ask.ts';
import { CommitLog } from './commit-log.ts';
import { StreamLoader } from './stream-loader.ts';
import { composedStreams } from '../persistence/adapters/streams.ts';
import type { CommandResult, EntityContext, EntityDeps, EntityMessage, Inspection, TicketedReply } from './entity.ts';
import { afterMessageHooks, type AfterMessageParts } from './after-message.ts';
import { createEntityBehaviour } from './entity-actor.ts';
import { newResident, parentShardOf, residentInfo, type Resident, type ResidentInfo } from './resident.ts';
import { bindEntityKind, kindOf, WaitPredicateRegistry, type EntityKind, type WaitPredicates } from './entity-kind.ts';
import type { ActorRef, SystemRef } from './nact.ts';
import { actorNameOf, send, spawnActor, spawnParent, startSystem, stopActor } from './nact.ts';
import { SagaDriver } from './saga.ts';
import { Waiters, type LatestState } from './waiters.ts';
import type { ForwardStats, OwnerDirectory, RemoteAsk } from './cluster/forwarding.ts';
import { ClusterRoutes, inShards } from './cluster/cluster-routes.ts';
import { notOwner } from './cluster/ownership.ts';

type AnyDecider = Decider<unknown, unknown, unknown, string>;
type AnyPredicate = (state: unknown) => boolean;

export { kindOf, type EntityKind, type WaitPredicates } from './entity-kind.ts';
export type { ResidentInfo } from './resident.ts';

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

export class ActorRuntime {
  private readonly system: SystemRef;
  private readonly shards: ActorRef<never>[];
  private readonly deciders = new Map<string, AnyDecider>();
  /** Every kind's named wait predicates, for waits other nodes forward here. */
  private readonly predicates = new WaitPredicateRegistry();
  /** In least-recently-used order: every ask moves its actor to the end. */
  private readonly residents = new Map<string, Resident>();
  private readonly sweepTimer: NodeJS.Timeout;
  private readonly saga: SagaDriver;
  private readonly waiters: Waiters;
  private readonly context: EntityContext;
  /** The commit pipeline (commit-log.ts): every entry of every actor goes through it, in order. */
  readonly log: CommitLog;
  /** Cluster mode with forwarding only: sends asks and reads for other nodes' keys to their owners. */
  private readonly routes: ClusterRoutes | undefined;
  private stopped = false;
  private readonly afterMessageParts: AfterMessageParts;

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
        ask: (key, command, effectStep, dependsOn) =>
          this.routes === undefined
            ? this.askFromSagaHere(key, command, effectStep, dependsOn, deps.limits.askTimeoutMs)
            : this.routes.askFromSaga(key, command, effectStep, dependsOn, deps.limits.askTimeoutMs),
        whenDurable: (ticket) => this.log.whenDurable(ticket),
        isLost: (ticket) => this.log.lostReason(ticket) !== null,
        resume: (key) => void this.inspectHere(key),
        stepsEnded: (key) => this.retireSoon(key),
      },
      deps.limits,
      deps.logger,
    );
    this.waiters = new Waiters(deps.limits, (ticket) => this.log.whenDurable(ticket));
    const isCurrent = (resident: Resident) => this.residents.get(resident.key) === resident;
    this.afterMessageParts = { log: this.log, saga: this.saga, waiters: this.waiters, isCurrent, retireSoon: (key) => this.retireSoon(key) };
    this.routes = deps.forwarding === undefined ? undefined : new ClusterRoutes({ ...deps.forwarding, limits: deps.limits, logger: deps.logger }, this);
    this.system = startSystem(name);
    this.shards = Array.from({ length: deps.limits.shardCount }, (_, index) => spawnParent(this.system, `shard-${index}`));
    this.sweepTimer = setInterval(() => this.passivateIdle(), deps.limits.passivationSweepMs);
    this.sweepTimer.unref();
  }

  /** Adds an actor kind; `predicates` are the states it may be awaited in by name. */
  register<S, C, E, Code extends string, Name extends string = never>(
    decider: Decider<S, C, E, Code>,
    predicates?: WaitPredicates<S, Name>,
  ): EntityKind<S, C, E, Name> {
    if (this.deciders.has(decider.kind)) throw new Error(`actor kind ${decider.kind} registered twice`);
    this.deciders.set(decider.kind, decider as unknown as AnyDecider);
    this.predicates.add(decider.kind, predicates);
    return bindEntityKind<S, C, E, Name>(decider.kind, predicates, this);
  }

  /**
   * Sends a command to the actor with this key. Unknown kinds and overflow are answered at once.
   * The answer leaves the process only once every entry it depends on is durable; if that entry
   * is rolled back instead, the caller gets `unavailable` (or `conflict`), and a retry with the
   * same command id is safe.
   */
  ask(key: string, command: unknown, timeoutMs = this.deps.limits.askTimeoutMs): Promise<CommandResult<unknown, unknown>> {
    // Cluster mode: a key another node serves is asked there (cluster/cluster-routes.ts).
    return this.routes === undefined ? this.askHere(key, command, timeoutMs) : this.routes.ask(key, command, timeoutMs);
  }

  /** `ask` on this node only: a key it does not serve is answered `not_owner`, never forwarded.
   *  The internal endpoint answers forwards with it, so a forward is never forwarded again. */
  async askHere(key: string, command: unknown, timeoutMs = this.deps.limits.askTimeoutMs): Promise<CommandResult<unknown, unknown>> {
    if (!this.residents.has(key)) this.prefetchRelated(key, command);
    // A `conflict` means another process moved a key this answer rested on and the actors
    // involved reload: decide again on the fresh state, as a bounded number of times.
    for (let attempt = 0; ; attempt += 1) {
      const result = await this.deliver<CommandResult<unknown, unknown>>(key, timeoutMs, (reply) => ({ type: 'command', command, reply }), (answer, ticket) => this.whenDurable(answer, ticket));
      if (result.ok || result.code !== 'conflict' || attempt >= this.deps.limits.conflictRetriesMax) return result;
    }
  }

  /** Reads an actor's state through its mailbox, so it is consistent with its commands; like an
   *  answer, it is released once the state it shows is durable. In cluster mode a key another
   *  node serves is read there. */
  inspect(key: string, timeoutMs = this.deps.limits.askTimeoutMs): Promise<Inspection<unknown> | Failure> {
    return this.routes === undefined ? this.inspectHere(key, timeoutMs) : this.routes.inspect(key, timeoutMs);
  }

  /** `inspect` on this node only (`not_owner` for a key it does not serve). */
  inspectHere(key: string, timeoutMs = this.deps.limits.askTimeoutMs): Promise<Inspection<unknown> | Failure> {
    return this.deliver<Inspection<unknown>>(key, timeoutMs, (reply) => ({ type: 'inspect', reply }), (result, ticket) => this.whenDurable(result, ticket));
  }

  /** Writes everything handed to the log so far (for a clean stop). */
  flush(): Promise<void> {
    return this.log.flush();
  }

  /** Resolves with null once a log ticket is durable, or with the failure that lost it. */
  whenDurableTicket(ticket: number): Promise<Failure | null> {
    return this.log.whenDurable(ticket);
  }

  private async whenDurable<T>(result: T | Failure, ticket: number): Promise<T | Failure> {
    return this.log.isDurable(ticket) ? result : ((await this.log.whenDurable(ticket)) ?? result);
  }

  /**
   * Resolves with the actor's state once `predicate` holds for it: checked on its current state
   * (an inspect, which rehydrates a passivated actor) and then after every message it handles.
   * Resolves with a `timeout` Failure when it does not hold within `timeoutMs`; with
   * `unknown_actor_kind` at once for a key no kind serves; with `overloaded` when
   * `limits.waitersMax` callers already wait. A predicate that throws rejects the promise.
   * In cluster mode a predicate with its registered `name` waits at the key's owner; without a
   * name, on a node that does not serve the key, it answers `not_owner`.
   */
  waitFor(key: string, predicate: AnyPredicate, timeoutMs: number, name?: string): Promise<Inspection<unknown> | Failure> {
    if (name !== undefined && this.routes !== undefined) return this.routes.waitFor(key, name, predicate, timeoutMs);
    return this.waitHere(key, predicate, timeoutMs);
  }

  /** `waitFor` on this node only. */
  waitHere(key: string, predicate: AnyPredicate, timeoutMs: number): Promise<Inspection<unknown> | Failure> {
    if (this.stopped) return Promise.resolve(failure('unavailable', 'the runtime is stopping'));
    return this.waiters.wait(key, predicate, timeoutMs, () => this.inspectHere(key, Math.min(timeoutMs, this.deps.limits.askTimeoutMs)), () => this.latestOf(key));
  }

  /** The state after a resident actor's latest message, unless it rests on a lost entry (the
   *  actor reloads at its next message, so only an inspect shows what it holds then). */
  private latestOf(key: string): LatestState | null {
    const latest = this.residents.get(key)?.latest;
    if (latest === undefined || this.log.lostReason(latest.ticket) !== null) return null;
    return latest;
  }

  /** A wait another node forwarded here, by the predicate's registered name (internal endpoint). */
  waitNamedHere(key: string, name: string, timeoutMs: number): Promise<Inspection<unknown> | Failure> {
    const predicate = this.predicates.find(key, name);
    if (predicate === undefined) return Promise.resolve(failure('unknown_predicate', `no predicate named ${name} is registered for ${key}`));
    return this.waitHere(key, predicate, timeoutMs);
  }

  /** A saga's ask on this node: answered at once, speculative, with its ticket (cluster-routes.ts
   *  says why, and what happens to a message for another node's actor). */
  async askFromSagaHere(
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
      (reply) => ({ type: 'command', command, reply, ...(effectStep === undefined ? {} : { effectStep }), dependsOn }),
      (answer, ticket) => {
        answeredTicket = ticket;
        return answer;
      },
    );
    return { result, ticket: answeredTicket };
  }

  /**
   * Stops an actor at rest (Decider.atRest) once it is idle: its entries durable (or lost, when
   * it would reload anyway), no message queued, no saga step of its own running. Tried when its
   * latest entry is durable and when its last saga step ends, whichever comes later. Its state
   * would otherwise stay in memory for `passivateAfterMs` while nothing uses it.
   */
  private retireSoon(key: string): void {
    // A turn later, so that a caller the same commit released (an answer, then its `waitFor`)
    // still finds the actor resident instead of loading it again.
    setImmediate(() => {
      const resident = this.residents.get(key);
      if (resident?.atRest === true && this.isIdle(resident)) this.forget(resident);
    });
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

  /** Reads ahead, with this actor's load, the actors its command will soon message
   *  (Decider.relatedKeys) that this node serves, with no actor here and nothing in flight:
   *  their stored history is then all there is (stream-loader.ts). */
  private prefetchRelated(key: string, command: unknown): void {
    for (const other of this.deciders.get(kindOf(key))?.relatedKeys?.(command) ?? []) {
      if (!this.residents.has(other) && !this.log.hasPending(other) && !this.deps.ownership?.refusal(other)) this.context.loader.prefetch(other);
    }
  }

  private residentFor(key: string): Resident | Failure {
    const existing = this.residents.get(key);
    if (existing) return existing;
    const decider = this.deciders.get(kindOf(key));
    if (!decider) return failure('unknown_actor_kind', `no actor kind serves the key ${key}`);
    if (this.residents.size >= this.deps.limits.residentActorsMax && this.evictIdle(1) === 0) {
      return failure('overloaded', 'too many busy actors are resident; retry later');
    }
    const shardIndex = parentShardOf(key, this.shards.length);
    const shard = this.shards[shardIndex];
    if (!shard) throw new Error('shard index out of range');
    const resident = newResident(key, decider.kind, shardIndex, performance.now());
    const behaviour = createEntityBehaviour(decider, this.context, resident, () => this.forget(resident), afterMessageHooks(resident, decider, this.afterMessageParts));
    Object.assign(resident, { ref: spawnActor(shard, actorNameOf(key), behaviour) });
    this.residents.set(key, resident);
    return resident;
  }

  /** Removes a stopped actor so that its next message spawns (and rehydrates) a fresh one. */
  private forget(resident: Resident): void {
    if (this.residents.get(resident.key) === resident) this.residents.delete(resident.key);
    this.saga.forgetParked(resident.key);
    stopActor(resident.ref);
  }

  /** Cluster mode: stops the resident actors of these placement shards (cluster-routes.ts),
   *  answering their waiting callers with `reason`; their entries not yet written stay in the
   *  commit log, where the fence decides them. Returns how many stopped. */
  dropShards(shards: ReadonlySet<number>, shardCount: number, reason: Failure): number {
    const dropped = inShards(shards, shardCount);
    // A wait there now ends elsewhere: `not_owner` sends a named one on to the next owner.
    this.waiters.settleWhere(dropped, (key) => notOwner(key, null));
    let stopped = 0;
    for (const resident of [...this.residents.values()]) {
      if (!dropped(resident.key)) continue;
      for (const cancel of [...resident.unanswered]) cancel(reason);
      this.forget(resident);
      stopped += 1;
    }
    return stopped;
  }

  /** Nothing queued for it, no saga step of its own running and nothing of it still to be
   *  written: safe to stop. */
  private isIdle(resident: Resident): boolean {
    return resident.inFlight === 0 && this.saga.asking(resident.key) === 0 && !this.log.hasPending(resident.key);
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
    return [...this.residents.values()].map((resident) => residentInfo(resident, now, this.saga.inFlight(resident.key)));
  }

  /** Forwarding counters (cluster mode with forwarding), for metrics; undefined otherwise. */
  forwardStats(): ForwardStats | undefined {
    return this.routes?.stats();
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
