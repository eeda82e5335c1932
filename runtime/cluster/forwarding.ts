/**
 * Forwarding (issue #16): a command for a key this node does not serve is sent to the node that
 * does, instead of being answered `not_owner`; so are reads through the actor's mailbox (an
 * inspect, or a wait until one of the kind's named predicates holds). The runtime knows only the
 * `RemoteAsk` port; the HTTP client that implements it, and the owner's internal endpoint that
 * answers, live in gateway/cluster/.
 *
 * One forward: look up the owner (the refusal's hint, then the lease cache), send the command
 * with the epoch this node saw and what is left of the caller's deadline, and return the owner's
 * answer as if the command had run here. The owner runs it through its own runtime, so the
 * answer it sends is durable (DESIGN.md §2a). A node that does not own the key answers
 * `misdirected` (HTTP 421) with its own view of the owner; a network failure or a timeout gives
 * `failed`. Either way this node re-reads the lease table and tries again, up to
 * `forwardAttemptsMax` sends, with the same command: its command id makes a repeat harmless at
 * the actor. Past them, or past the deadline, the caller gets `unavailable` (503, retry-safe).
 * A read follows the same loop; repeating one changes nothing at all.
 */
import { performance } from 'node:perf_hooks';
import { failure, type Failure } from '../ask.ts';
import type { CommandResult, Inspection } from '../entity.ts';
import type { Limits } from '../limits.ts';
import type { Logger } from '../logger.ts';
import type { NotOwner, ShardOwner } from './ownership.ts';

/** What travels to the owner. `deadlineMs` is a budget, not a time of day: nodes' clocks differ. */
export interface ForwardRequest {
  readonly key: string;
  readonly command: unknown;
  /** The lease epoch of the key's shard as this node last read it; null when it had none. An
   *  owner holding an older epoch knows it is about to lose the shard and answers misdirected. */
  readonly epochSeen: number | null;
  readonly deadlineMs: number;
}

/**
 * A read that travels. A function predicate cannot, so a wait names one of the predicates its
 * actor kind registered (runtime.ts, `register`) and the owner runs its own `waitFor` with it.
 */
export type ForwardedRead = { readonly kind: 'inspect' } | { readonly kind: 'wait'; readonly predicate: string };

/** A read sent to the owner; `epochSeen` and `deadlineMs` mean what they mean for a command. */
export interface ReadRequest {
  readonly key: string;
  readonly read: ForwardedRead;
  readonly epochSeen: number | null;
  readonly deadlineMs: number;
}

/** What a read answers: the owner's durable state, or a failure (a wait's `timeout` included). */
export type ReadResult = Inspection<unknown> | Failure;

export type RemoteAnswer<Result = CommandResult<unknown, unknown>> =
  /** The owner ran the command or read (its result may be a rejection or a runtime failure). */
  | { readonly kind: 'answered'; readonly result: Result }
  /** The node asked does not serve the key (421), naming who it thinks does. */
  | { readonly kind: 'misdirected'; readonly owner: ShardOwner | null }
  /** No answer: refused connection, reset, timeout, or a reply that is not one of the above. */
  | { readonly kind: 'failed'; readonly reason: string };

/** Sends one forward; each resolves within `timeoutMs` (then with `failed`), never rejects. */
export interface RemoteAsk {
  ask(address: string, request: ForwardRequest, timeoutMs: number): Promise<RemoteAnswer>;
  read(address: string, request: ReadRequest, timeoutMs: number): Promise<RemoteAnswer<ReadResult>>;
}

/** What forwarding needs of the cluster node: who owns a key, as of its lease cache. */
export interface OwnerDirectory {
  readonly node: string;
  refusal(key: string): NotOwner | null;
  ownerOf(key: string): ShardOwner | null;
  /** The epoch of the key's shard in the lease cache (whoever holds it), or null. */
  leaseEpochOf(key: string): number | null;
  /** Re-reads the lease table; concurrent callers share one read. */
  refreshOwners(): Promise<void>;
}

export type ForwardOutcome = 'answered' | 'local' | 'unavailable' | 'rolled_back';
export const forwardOutcomes: readonly ForwardOutcome[] = ['answered', 'local', 'unavailable', 'rolled_back'];

export interface ForwardStats {
  /** Commands (a saga's included), by how they ended. */
  readonly outcomes: Readonly<Record<ForwardOutcome, number>>;
  /** Reads (inspects and waits), by how they ended; never `rolled_back`. */
  readonly readOutcomes: Readonly<Record<ForwardOutcome, number>>;
  /** Sends answered 421 (each is followed by a lease read and, within the attempts, a resend). */
  readonly misdirected: number;
  /** Sends that got no answer (network, timeout). */
  readonly failedSends: number;
  /** Whole command forwards (every attempt) that ended `answered`: latency sum and count, and the
   *  latest. Reads are left out: a wait's time is mostly the wait. */
  readonly latencySumMs: number;
  readonly latencyCount: number;
  readonly lastLatencyMs: number | null;
}

type ForwardLimits = Pick<Limits, 'forwardAttemptsMax' | 'forwardRetryBackoffMs' | 'forwardReturnMarginMs' | 'forwardMinBudgetMs'>;

/**
 * The time the owner gets to answer: what is left of the caller's deadline less the way back,
 * or null when that is too little to be worth a send.
 */
export function ownerBudgetMs(remainingMs: number, limits: ForwardLimits): number | null {
  const budget = Math.floor(remainingMs - limits.forwardReturnMarginMs);
  return budget >= limits.forwardMinBudgetMs ? budget : null;
}

export type NextStep<Result = CommandResult<unknown, unknown>> =
  | { readonly kind: 'done'; readonly result: Result }
  | { readonly kind: 'retry'; readonly hint: ShardOwner | null; readonly backoffMs: number }
  | { readonly kind: 'give_up'; readonly reason: string };

/** What to do after the `attempt`-th send (1-based) got `answer`. */
export function nextStep<Result>(answer: RemoteAnswer<Result>, attempt: number, limits: ForwardLimits): NextStep<Result> {
  if (answer.kind === 'answered') return { kind: 'done', result: answer.result };
  const why = answer.kind === 'misdirected' ? `the node asked does not serve the key (hint: ${answer.owner?.node ?? 'none'})` : answer.reason;
  if (attempt >= limits.forwardAttemptsMax) return { kind: 'give_up', reason: `${why}, after ${attempt} attempts` };
  // A 421 is a fast, definite answer: the lease read that follows is the wait. A failed send may
  // be a node restarting or a handoff under way: back off a little before the next.
  if (answer.kind === 'misdirected') return { kind: 'retry', hint: answer.owner, backoffMs: 0 };
  return { kind: 'retry', hint: null, backoffMs: limits.forwardRetryBackoffMs * attempt };
}

/** The owner to send to: the hint unless it is this node or has no address, else the cache's. */
export function chooseOwner(hint: ShardOwner | null, cached: ShardOwner | null, self: string, refusedBy: string | null): ShardOwner | null {
  const usable = (owner: ShardOwner | null) => owner !== null && owner.address !== null && owner.node !== self;
  // A cache that still names the node that just refused is staler than that node's own hint.
  if (usable(cached) && cached?.node !== refusedBy) return cached;
  if (usable(hint)) return hint;
  return usable(cached) ? cached : null;
}

export function forwardUnavailable(reason: string): Failure {
  return failure('unavailable', `the node that serves this key could not be reached (${reason}); retry the command with the same id`);
}

type Operation = 'command' | 'read';

/** Sends one request to `address` with the owner's budget; the send itself is `budget + margin`. */
type Send<Result> = (address: string, epochSeen: number | null, budgetMs: number) => Promise<RemoteAnswer<Result>>;

export class Forwarder {
  private readonly outcomes: Record<Operation, Record<ForwardOutcome, number>> = {
    command: { answered: 0, local: 0, unavailable: 0, rolled_back: 0 },
    read: { answered: 0, local: 0, unavailable: 0, rolled_back: 0 },
  };
  private misdirected = 0;
  private failedSends = 0;
  private latencySumMs = 0;
  private latencyCount = 0;
  private lastLatencyMs: number | null = null;

  constructor(
    private readonly directory: OwnerDirectory,
    private readonly remote: RemoteAsk,
    private readonly limits: ForwardLimits,
    private readonly logger: Logger,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /**
   * Sends `command` to the owner of `key` and returns its answer. `here` runs the command on this
   * node, for when a lease read finds that this node serves the key after all.
   */
  forward(
    key: string,
    command: unknown,
    refusal: NotOwner,
    timeoutMs: number,
    here: (timeoutMs: number) => Promise<CommandResult<unknown, unknown>>,
  ): Promise<CommandResult<unknown, unknown>> {
    const margin = this.limits.forwardReturnMarginMs;
    return this.run('command', key, refusal, timeoutMs, here, (address, epochSeen, budgetMs) =>
      this.remote.ask(address, { key, command, epochSeen, deadlineMs: budgetMs }, budgetMs + margin),
    );
  }

  /** Sends a read of `key` to its owner and returns the owner's answer; `here` as for `forward`. */
  forwardRead(key: string, read: ForwardedRead, refusal: NotOwner, timeoutMs: number, here: (timeoutMs: number) => Promise<ReadResult>): Promise<ReadResult> {
    const margin = this.limits.forwardReturnMarginMs;
    return this.run('read', key, refusal, timeoutMs, here, (address, epochSeen, budgetMs) =>
      this.remote.read(address, { key, read, epochSeen, deadlineMs: budgetMs }, budgetMs + margin),
    );
  }

  private async run<Result>(
    operation: Operation,
    key: string,
    refusal: NotOwner,
    timeoutMs: number,
    here: (timeoutMs: number) => Promise<Result | Failure>,
    send: Send<Result>,
  ): Promise<Result | Failure> {
    const startedAt = this.now();
    const deadlineAt = startedAt + timeoutMs;
    let hint: ShardOwner | null = refusal.owner;
    let refusedBy: string | null = null;
    for (let attempt = 1; ; attempt += 1) {
      const owner = chooseOwner(hint, this.directory.ownerOf(key), this.directory.node, refusedBy);
      const budget = ownerBudgetMs(deadlineAt - this.now(), this.limits);
      if (budget === null) return this.end(operation, 'unavailable', forwardUnavailable('the deadline passed'));
      const answer: RemoteAnswer<Result> =
        owner === null || owner.address === null
          ? { kind: 'failed', reason: 'no live lease names an owner' }
          : await send(owner.address, this.directory.leaseEpochOf(key), budget);
      const step = nextStep(answer, attempt, this.limits);
      if (step.kind === 'done') return operation === 'command' ? this.answered(step.result, startedAt) : this.end(operation, 'answered', step.result);
      this.count(answer);
      if (step.kind === 'give_up') {
        this.logger.warn({ key, operation, owner: owner?.node ?? null, reason: step.reason }, 'forward gave up; the caller is told unavailable');
        return this.end(operation, 'unavailable', forwardUnavailable(step.reason));
      }
      if (step.backoffMs > 0) await sleep(Math.min(step.backoffMs, Math.max(0, deadlineAt - this.now())));
      await this.directory.refreshOwners().catch((error: unknown) => this.logger.warn({ err: error }, 'reading the lease table for a forward failed'));
      // The shard may have come here meanwhile (a claim, a handoff back).
      if (this.directory.refusal(key) === null) return this.end(operation, 'local', await here(Math.max(1, deadlineAt - this.now())));
      hint = step.hint;
      refusedBy = answer.kind === 'misdirected' ? (owner?.node ?? null) : null;
    }
  }

  /** A saga message whose cause was lost before it could leave the process (cluster-routes.ts). */
  rolledBack(result: Failure): Failure {
    return this.end('command', 'rolled_back', result);
  }

  stats(): ForwardStats {
    return {
      outcomes: { ...this.outcomes.command },
      readOutcomes: { ...this.outcomes.read },
      misdirected: this.misdirected,
      failedSends: this.failedSends,
      latencySumMs: this.latencySumMs,
      latencyCount: this.latencyCount,
      lastLatencyMs: this.lastLatencyMs,
    };
  }

  private answered<Result>(result: Result, startedAt: number): Result {
    const latencyMs = this.now() - startedAt;
    this.latencySumMs += latencyMs;
    this.latencyCount += 1;
    this.lastLatencyMs = latencyMs;
    return this.end('command', 'answered', result);
  }

  private count(answer: RemoteAnswer<unknown>): void {
    if (answer.kind === 'misdirected') this.misdirected += 1;
    else if (answer.kind === 'failed') this.failedSends += 1;
  }

  private end<T>(operation: Operation, outcome: ForwardOutcome, result: T): T {
    this.outcomes[operation][outcome] += 1;
    return result;
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}
