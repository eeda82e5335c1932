/**
 * The runtime's cluster seam (issue #16): where an ask, a saga message, an inspect or a wait for
 * a key this node does not serve turns into a forward to its owner (forwarding.ts), and which
 * resident actors a lost or handed-off shard takes with it. The runtime (runtime.ts) answers
 * everything on this node; it comes here only in cluster mode with forwarding, so a single node
 * never pays for any of it.
 *
 * Each path first runs on this node, as it always did: the one ownership check stays in the
 * runtime's delivery, next to the actor. Only its `not_owner` answer is forwarded. A wait also
 * checks ownership before it registers anything here, since a waiter on a key this node does not
 * serve would only sit until its timeout; and a wait here that the shard's loss or handoff ends
 * (`not_owner`, runtime.ts `dropShards`) goes on at the next owner with what is left of its time.
 */
import { performance } from 'node:perf_hooks';
import { shardOf } from '../../persistence/cluster/shards.ts';
import { failure, type Failure } from '../ask.ts';
import type { CommandResult } from '../entity.ts';
import type { Limits } from '../limits.ts';
import type { Logger } from '../logger.ts';
import { Forwarder, type ForwardStats, type OwnerDirectory, type ReadResult, type RemoteAsk } from './forwarding.ts';
import { isNotOwner } from './ownership.ts';

/** A saga's ask as the runtime answers it: the result and the log ticket it rests on. */
export interface SagaAnswer {
  readonly result: CommandResult<unknown, unknown>;
  readonly ticket: number;
}

/** What routing needs of the runtime: each call answers on this node only, never forwarding. */
export interface LocalRuntime {
  askHere(key: string, command: unknown, timeoutMs: number): Promise<CommandResult<unknown, unknown>>;
  askFromSagaHere(key: string, command: unknown, effectStep: string | undefined, dependsOn: readonly number[], timeoutMs: number): Promise<SagaAnswer>;
  inspectHere(key: string, timeoutMs: number): Promise<ReadResult>;
  waitHere(key: string, predicate: (state: unknown) => boolean, timeoutMs: number): Promise<ReadResult>;
  /** Resolves with null once a log ticket is durable, or with the failure that lost it. */
  whenDurableTicket(ticket: number): Promise<Failure | null>;
}

export interface ClusterRoutesOptions {
  readonly directory: OwnerDirectory;
  readonly remote: RemoteAsk;
  readonly limits: Limits;
  readonly logger: Logger;
}

export class ClusterRoutes {
  private readonly forwarder: Forwarder;

  constructor(
    private readonly options: ClusterRoutesOptions,
    private readonly local: LocalRuntime,
  ) {
    this.forwarder = new Forwarder(options.directory, options.remote, options.limits, options.logger);
  }

  /** A command: here, else at the owner, whose answer is durable there before it is sent. */
  async ask(key: string, command: unknown, timeoutMs: number): Promise<CommandResult<unknown, unknown>> {
    const startedAt = performance.now();
    const result = await this.local.askHere(key, command, timeoutMs);
    if (!isNotOwner(result)) return result;
    const leftMs = timeoutMs - (performance.now() - startedAt);
    return this.forwarder.forward(key, command, result, leftMs, (remainingMs) => this.local.askHere(key, command, remainingMs));
  }

  /** An inspect: here, else the owner's state, durable there, as of when it read it. */
  async inspect(key: string, timeoutMs: number): Promise<ReadResult> {
    const startedAt = performance.now();
    const result = await this.local.inspectHere(key, timeoutMs);
    if (!isNotOwner(result)) return result;
    const leftMs = timeoutMs - (performance.now() - startedAt);
    return this.forwarder.forwardRead(key, { kind: 'inspect' }, result, leftMs, (remainingMs) => this.local.inspectHere(key, remainingMs));
  }

  /**
   * A wait for the predicate the actor's kind registered as `name`: here when this node serves
   * the key, else the owner runs its own wait with the same predicate and answers once it holds
   * (or with its timeout), within what is left of `timeoutMs`.
   */
  async waitFor(key: string, name: string, predicate: (state: unknown) => boolean, timeoutMs: number): Promise<ReadResult> {
    const startedAt = performance.now();
    let refused = this.options.directory.refusal(key);
    if (refused === null) {
      const here = await this.local.waitHere(key, predicate, timeoutMs);
      if (!isNotOwner(here)) return here;
      refused = here;
    }
    const leftMs = timeoutMs - (performance.now() - startedAt);
    return this.forwarder.forwardRead(key, { kind: 'wait', predicate: name }, refused, leftMs, (remainingMs) => this.local.waitHere(key, predicate, remainingMs));
  }

  /** Between actors of this process answers flow at once, speculative, with their ticket: the
   *  log orders every effect after its cause, and a lost cause refuses the effect (entity.ts).
   *  A message for an actor on another node leaves the process only once every entry it rests
   *  on is durable (DESIGN.md §2a); the owner's answer is durable when it arrives (ticket 0). */
  async askFromSaga(key: string, command: unknown, effectStep: string | undefined, dependsOn: readonly number[], timeoutMs: number): Promise<SagaAnswer> {
    const here = await this.local.askFromSagaHere(key, command, effectStep, dependsOn, timeoutMs);
    if (!isNotOwner(here.result)) return here;
    const startedAt = performance.now();
    for (const ticket of dependsOn) {
      const lost = await this.local.whenDurableTicket(ticket);
      if (lost !== null) return { result: this.forwarder.rolledBack(failure('rolled_back', `this saga message rests on an entry that was rolled back (${lost.code})`)), ticket: 0 };
    }
    const leftMs = timeoutMs - (performance.now() - startedAt);
    let localTicket = 0;
    const result = await this.forwarder.forward(key, command, here.result, leftMs, async (remainingMs) => {
      const local = await this.local.askFromSagaHere(key, command, effectStep, dependsOn, remainingMs);
      localTicket = local.ticket;
      return local.result;
    });
    return { result, ticket: localTicket };
  }

  stats(): ForwardStats {
    return this.forwarder.stats();
  }
}

/** Whether a key falls in `shards` (of `shardCount`, the cluster's placement shards, not the
 *  runtime's nact parents): the keys a lost or handed-off shard takes with it. */
export function inShards(shards: ReadonlySet<number>, shardCount: number): (key: string) => boolean {
  return (key) => shards.has(shardOf(key, shardCount));
}
