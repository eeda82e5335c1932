/**
 * The commit pipeline's log (DESIGN.md §2a). Actors hand it entries and go on at once; it writes
 * them to the journal in batches, one batch at a time and strictly in order, each batch one
 * transaction (Journal.commit). Every entry gets a ticket when it is handed in; the durable
 * ticket is the last one of the last committed batch, so what is durable is always a prefix of
 * what was handed in.
 *
 * Nothing leaves the process before it is durable: whoever answers outside (a reply to an HTTP or
 * WebSocket caller, a timer's acknowledgement) waits with `whenDurable` for the ticket its answer
 * depends on. When a batch fails, it and every entry handed in after it are lost: their tickets
 * are recorded as lost, their waiters are answered with the failure, and every actor whose latest
 * ticket is lost reloads from the store at its next message (entity-actor.ts). A retry with the
 * same command id is then safe: nothing of the lost entries was written.
 */
import type { EntryPosition, Journal, JournalEntry, LoggedEntry, ShardFence } from '../persistence/adapters/journal.ts';
import { BatchRefused } from '../persistence/adapters/journal.ts';
import type { Failure } from './ask.ts';
import { failure } from './ask.ts';
import type { Logger } from './logger.ts';

/** What a waiter learns: null when its ticket is durable, else why it was lost. */
export type Settled = Failure | null;

/** An entry to write, or a guard: a check that a key's stored seq is still the one a rejection
 *  or no-op was decided on (journal.ts, `commit`), so that answer too is known current. */
type Queued = { readonly ticket: number; readonly entry: JournalEntry } | { readonly ticket: number; readonly guard: EntryPosition };

interface LostRange {
  readonly from: number;
  readonly to: number;
  readonly reason: Failure;
}


export interface CommitLogStats {
  readonly batches: number;
  readonly entries: number;
  readonly largestBatch: number;
  readonly failedBatches: number;
  /** Batches refused because this node no longer leased a shard they wrote (cluster mode). */
  readonly fencedBatches: number;
  readonly queued: number;
}

/** An actor's state rests on a lost entry: it must reload before it decides anything. */
export class RolledBack extends Error {
  override readonly name = 'RolledBack';
  constructor(readonly key: string) {
    super(`${key} rests on an entry that was rolled back`);
  }
}

export class CommitLog {
  private queue: Queued[] = [];
  private nextTicket = 1;
  private durable = 0;
  private readonly lost: LostRange[] = [];
  /** Waiters by ticket: tickets are dense integers, so a batch settles exactly its own range. */
  private readonly waiting = new Map<number, ((settled: Settled) => void)[]>();
  /** Each key's latest ticket not yet settled (durable or lost), so a reload can wait for it. */
  private readonly pendingByKey = new Map<string, number>();
  private readonly listeners: ((entries: readonly LoggedEntry[]) => void)[] = [];
  private writing: Promise<void> | null = null;
  private closed = false;
  private scheduled = false;
  private batches = 0;
  private entries = 0;
  private largestBatch = 0;
  private failedBatches = 0;
  private fencedBatches = 0;

  /** `fence`, in cluster mode, gives the shard leases each batch is written under (journal.ts,
   *  ShardFence), read when the batch is sent; without it batches are written unfenced. */
  constructor(
    private readonly journal: Journal,
    private readonly maxBatch: number,
    private readonly logger: Logger,
    private readonly fence?: () => ShardFence | undefined,
  ) {
    if (!Number.isInteger(maxBatch) || maxBatch < 1) throw new RangeError(`maxBatch must be a positive integer, got ${maxBatch}`);
  }

  /** Calls `listener` with every committed batch, in log order, right after it committed. */
  onCommitted(listener: (entries: readonly LoggedEntry[]) => void): void {
    this.listeners.push(listener);
  }

  /**
   * Hands an entry to the log and returns its ticket. `basedOn` lists the tickets the entry's
   * decision rests on (the actor's previous entry, the saga answer it records); if any is lost,
   * the entry is refused, since it would journal an effect whose cause never happened.
   */
  append(entry: JournalEntry, basedOn: readonly number[]): number {
    for (const ticket of basedOn) if (this.lostReason(ticket) !== null) throw new RolledBack(entry.key);
    if (this.closed) throw new Error('the commit log is closed');
    const ticket = this.nextTicket;
    this.nextTicket += 1;
    this.queue.push({ ticket, entry });
    this.pendingByKey.set(entry.key, ticket);
    this.schedule();
    return ticket;
  }

  /** Hands in a guard for an answer decided on `key` at `seq` without writing (see Queued). */
  guard(key: string, seq: number, basedOn: readonly number[]): number {
    for (const ticket of basedOn) if (this.lostReason(ticket) !== null) throw new RolledBack(key);
    if (this.closed) throw new Error('the commit log is closed');
    const ticket = this.nextTicket;
    this.nextTicket += 1;
    this.queue.push({ ticket, guard: { key, seq } });
    this.pendingByKey.set(key, ticket);
    this.schedule();
    return ticket;
  }

  /** Null for a durable ticket (0 stands for "rests on nothing written here"), the failure for a lost one. */
  lostReason(ticket: number): Failure | null {
    // Batches fail rarely (a store outage, another process on the same key), so this list stays short.
    for (const range of this.lost) if (ticket >= range.from && ticket <= range.to) return range.reason;
    return null;
  }

  isDurable(ticket: number): boolean {
    return ticket <= this.durable && this.lostReason(ticket) === null;
  }

  /** Resolves with null once `ticket` is durable, or with the failure that lost it. */
  whenDurable(ticket: number): Promise<Settled> {
    const lost = this.lostReason(ticket);
    if (lost !== null) return Promise.resolve(lost);
    if (ticket <= this.durable) return Promise.resolve(null);
    return new Promise((settle) => {
      const list = this.waiting.get(ticket);
      if (list === undefined) this.waiting.set(ticket, [settle]);
      else list.push(settle);
    });
  }

  /** Resolves once every entry of `key` handed in so far is durable or lost. */
  async settledKey(key: string): Promise<void> {
    const ticket = this.pendingByKey.get(key);
    if (ticket !== undefined) await this.whenDurable(ticket);
  }

  /** Whether `key` has an entry or guard handed in and not yet settled (its actor must stay). */
  hasPending(key: string): boolean {
    return this.pendingByKey.has(key);
  }

  /**
   * Takes nothing more, and drops what is queued and not yet being written: nothing of it was
   * answered outside (answers wait for durability), so its waiters get `unavailable`. A batch
   * already being written finishes. Call `flush` first for a stop that writes everything.
   */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    const dropped = this.queue.splice(0);
    const first = dropped[0];
    if (first === undefined) return;
    const reason = failure('unavailable', 'the runtime is stopping; retry the command with the same id');
    const to = this.nextTicket - 1;
    this.lost.push({ from: first.ticket, to, reason });
    for (const queued of dropped) this.pendingByKey.delete('entry' in queued ? queued.entry.key : queued.guard.key);
    for (let ticket = first.ticket; ticket <= to; ticket += 1) this.settle(ticket, reason);
  }

  durableTicket(): number {
    return this.durable;
  }

  stats(): CommitLogStats {
    return {
      batches: this.batches,
      entries: this.entries,
      largestBatch: this.largestBatch,
      failedBatches: this.failedBatches,
      fencedBatches: this.fencedBatches,
      queued: this.queue.length,
    };
  }

  /** Resolves once everything handed in so far is durable or lost. */
  async flush(): Promise<void> {
    while (this.writing !== null || this.queue.length > 0) {
      if (this.writing === null) this.startWriting();
      await this.writing;
    }
  }

  private schedule(): void {
    if (this.scheduled || this.writing !== null) return;
    this.scheduled = true;
    // The write starts on the next turn, so entries handed in during this turn share a batch.
    setImmediate(() => this.startWriting());
  }

  private startWriting(): void {
    this.scheduled = false;
    if (this.writing !== null || this.queue.length === 0) return;
    this.writing = this.drain().finally(() => {
      this.writing = null;
      if (this.queue.length > 0) this.schedule();
    });
  }

  private async drain(): Promise<void> {
    while (this.queue.length > 0) {
      const batch = this.queue.splice(0, this.maxBatch);
      let positions: readonly number[];
      try {
        const guards = batch.flatMap((queued) => ('guard' in queued ? [queued.guard] : []));
        positions = this.fence === undefined ? await this.journal.commit(entriesOf(batch), guards) : await this.journal.commit(entriesOf(batch), guards, this.fence());
      } catch (error) {
        this.rollBack(batch, error);
        continue;
      }
      this.committed(batch, positions);
    }
  }

  private committed(batch: readonly Queued[], positions: readonly number[]): void {
    const last = batch.at(-1);
    if (last === undefined) return;
    this.batches += 1;
    this.entries += batch.length;  // guards included: they are what the batch checked
    this.largestBatch = Math.max(this.largestBatch, batch.length);
    this.durable = last.ticket;
    const entries = entriesOf(batch);
    for (const queued of batch) {
      const key = 'entry' in queued ? queued.entry.key : queued.guard.key;
      if (this.pendingByKey.get(key) === queued.ticket) this.pendingByKey.delete(key);
    }
    for (const { ticket } of batch) this.settle(ticket, null);
    if (entries.length === 0) return;
    const logged = entries.map((entry, index) => ({ ...entry, position: positions[index] ?? 0 }));
    for (const listener of this.listeners) {
      try {
        listener(logged);
      } catch (error) {
        this.logger.error({ err: error }, 'a committed-batch listener failed');
      }
    }
  }

  /** The batch and everything handed in after it are lost: nothing of them was written. */
  private rollBack(batch: readonly Queued[], error: unknown): void {
    const first = batch[0];
    if (first === undefined) return;
    this.failedBatches += 1;
    if (error instanceof BatchRefused && error.reason === 'fenced') this.fencedBatches += 1;
    const lostQueue = this.queue.splice(0);
    const to = this.nextTicket - 1;
    const reason = failureOf(error);
    this.lost.push({ from: first.ticket, to, reason });
    for (const queued of [...batch, ...lostQueue]) this.pendingByKey.delete('entry' in queued ? queued.entry.key : queued.guard.key);
    this.logger.warn({ err: error, lostEntries: batch.length + lostQueue.length }, 'journal batch failed; rolling back every entry after the durable log');
    for (let ticket = first.ticket; ticket <= to; ticket += 1) this.settle(ticket, reason);
  }

  private settle(ticket: number, settled: Settled): void {
    const list = this.waiting.get(ticket);
    if (list === undefined) return;
    this.waiting.delete(ticket);
    for (const settle of list) settle(settled);
  }
}

/** What a caller whose entry a failed batch lost is told. A fenced batch is `unavailable`, not a
 *  conflict: this node lost a shard's lease, and the same command retried (with its id) reaches
 *  the shard's new owner, which decides it on that owner's state. */
function failureOf(error: unknown): Failure {
  if (error instanceof BatchRefused && error.reason !== 'fenced') {
    return failure('conflict', 'another writer changed an actor this command rested on; retry it with the same id');
  }
  if (error instanceof BatchRefused) return failure('unavailable', 'this node no longer owns a shard this command wrote; retry it with the same id');
  return failure('unavailable', 'the journal did not take this command; retry it with the same id');
}

function entriesOf(batch: readonly Queued[]): JournalEntry[] {
  return batch.flatMap((queued) => ('entry' in queued ? [queued.entry] : []));
}
