/**
 * Group commit: many callers' writes go to storage as one batch, so one round trip (and one
 * fsync) serves them all, while each caller still gets its own result or error.
 *
 * Items queue while a write is in flight; the next write takes up to `maxBatch` of them. The
 * queue itself has no bound of its own: every caller is an actor awaiting its append, and an
 * actor handles one message at a time, so at most one item per resident actor can wait here,
 * which the runtime's resident-actor limit already bounds. The batch size and wait are handed in
 * by whoever opens the journal (the composition root passes the runtime's limits).
 */
import type { GroupCommitOptions } from './journal.ts';

export type Outcome<R> = { readonly ok: true; readonly value: R } | { readonly ok: false; readonly error: unknown };

/** Writes a batch and reports every item's outcome, in the batch's order. It rejects only when
 *  the whole batch failed (a lost connection, say); every item then gets that error. */
export type BatchWriter<I, R> = (items: readonly I[]) => Promise<readonly Outcome<R>[]>;

export interface GroupCommitStats {
  readonly batches: number;
  readonly items: number;
  readonly largestBatch: number;
  /** Items waiting for the next write right now. */
  readonly queued: number;
}

export class GroupCommitClosed extends Error {
  override readonly name = 'GroupCommitClosed';
  constructor() {
    super('the journal is closed and takes no more appends');
  }
}

interface Waiting<I, R> {
  readonly item: I;
  readonly resolve: (value: R) => void;
  readonly reject: (error: unknown) => void;
}

export class GroupCommit<I, R> {
  private readonly queue: Waiting<I, R>[] = [];
  private readonly idleWaiters: (() => void)[] = [];
  private writing = false;
  private scheduled = false;
  private waitTimer: NodeJS.Timeout | undefined;
  private closed = false;
  private batches = 0;
  private items = 0;
  private largestBatch = 0;

  constructor(
    private readonly write: BatchWriter<I, R>,
    private readonly options: GroupCommitOptions,
  ) {
    if (!Number.isInteger(options.maxBatch) || options.maxBatch < 1) {
      throw new RangeError(`maxBatch must be a positive integer, got ${options.maxBatch}`);
    }
    if (!Number.isFinite(options.maxWaitMs) || options.maxWaitMs < 0) {
      throw new RangeError(`maxWaitMs must be zero or more, got ${options.maxWaitMs}`);
    }
  }

  submit(item: I): Promise<R> {
    if (this.closed) return Promise.reject(new GroupCommitClosed());
    return new Promise<R>((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      this.schedule();
    });
  }

  stats(): GroupCommitStats {
    return { batches: this.batches, items: this.items, largestBatch: this.largestBatch, queued: this.queue.length };
  }

  /** Refuses new items, writes every queued one, and resolves once the last write settled. */
  async close(): Promise<void> {
    this.closed = true;
    if (this.scheduled) this.startWriting();
    if (!this.writing) return;
    await new Promise<void>((resolve) => this.idleWaiters.push(resolve));
  }

  private schedule(): void {
    if (this.writing || this.scheduled) return;
    this.scheduled = true;
    const waitMs = this.options.batching ? this.options.maxWaitMs : 0;
    // Even with no wait, the write starts on the next turn of the event loop, so callers that
    // append in the same turn (a Promise.all, a burst of messages) share the first batch.
    if (waitMs > 0) this.waitTimer = setTimeout(() => this.startWriting(), waitMs);
    else setImmediate(() => this.startWriting());
  }

  private startWriting(): void {
    if (!this.scheduled) return;
    this.scheduled = false;
    clearTimeout(this.waitTimer);
    this.waitTimer = undefined;
    void this.drain();
  }

  private async drain(): Promise<void> {
    this.writing = true;
    const batchLimit = this.options.batching ? this.options.maxBatch : 1;
    try {
      while (this.queue.length > 0) await this.writeBatch(this.queue.splice(0, batchLimit));
    } finally {
      this.writing = false;
      for (const resolve of this.idleWaiters.splice(0)) resolve();
    }
  }

  private async writeBatch(batch: readonly Waiting<I, R>[]): Promise<void> {
    this.batches += 1;
    this.items += batch.length;
    this.largestBatch = Math.max(this.largestBatch, batch.length);
    let outcomes: readonly Outcome<R>[];
    try {
      outcomes = await this.write(batch.map((waiting) => waiting.item));
    } catch (error) {
      for (const waiting of batch) waiting.reject(error);
      return;
    }
    if (outcomes.length !== batch.length) {
      // A writer bug: no item can be trusted to have the right outcome.
      const error = new Error(`batch writer returned ${outcomes.length} outcomes for ${batch.length} items`);
      for (const waiting of batch) waiting.reject(error);
      return;
    }
    batch.forEach((waiting, index) => {
      const outcome = outcomes[index];
      if (outcome?.ok === true) waiting.resolve(outcome.value);
      else waiting.reject(outcome?.error);
    });
  }
}
