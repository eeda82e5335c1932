/**
 * The journal (event store) port. One entry per accepted command holds every event that
 * command produced, so a command is atomic. DESIGN.md §2.
 *
 * Guarantees every adapter gives (journal.contract.ts checks them):
 * - `(key, seq)` is unique; seqs of a key are 1, 2, 3, … with no gaps. Appending with a stale
 *   `expectedSeq` rejects with `VersionConflict` (the optimistic-concurrency guard).
 * - `(key, commandId)` is unique; appending a commandId the key already holds resolves with
 *   the original entry and `duplicate: true`, whatever `expectedSeq` was (idempotency).
 * - Concurrent appends to different keys are grouped into one write (group commit), bounded
 *   by `maxBatch`; each caller still gets its own result or error.
 * - `readUnprocessed` returns entries not yet marked processed, ordered by `(key, seq)`;
 *   `markProcessed` is the checkpoint. Consumers are at-least-once and must be idempotent.
 */
export interface JournalEntry<E = unknown> {
  readonly key: string;
  readonly seq: number;
  readonly events: readonly E[];
  readonly commandId: string;
  /** Epoch milliseconds from the injected clock. */
  readonly at: number;
}

export interface NewEntry<E = unknown> {
  readonly events: readonly E[];
  readonly commandId: string;
  readonly at: number;
}

export interface AppendResult<E = unknown> {
  readonly entry: JournalEntry<E>;
  /** True when the commandId was already journaled and `entry` is the original. */
  readonly duplicate: boolean;
}

export interface EntryPosition {
  readonly key: string;
  readonly seq: number;
}

export class VersionConflict extends Error {
  override readonly name = 'VersionConflict';
  constructor(
    readonly key: string,
    readonly expectedSeq: number,
  ) {
    super(`version conflict on ${key}: expected seq ${expectedSeq} is stale`);
  }
}

export interface GroupCommitOptions {
  /** Largest number of entries written in one statement. */
  readonly maxBatch: number;
  /** How long the first queued append may wait for company before the batch is written. */
  readonly maxWaitMs: number;
  /** False writes every append on its own (the baseline the benchmark compares against). */
  readonly batching: boolean;
}

export interface Journal {
  append<E>(key: string, expectedSeq: number, entry: NewEntry<E>): Promise<AppendResult<E>>;
  /** Entries of one key with seq > afterSeq, ascending, at most `limit`. */
  read<E>(key: string, afterSeq: number, limit: number): Promise<JournalEntry<E>[]>;
  findByCommandId<E>(key: string, commandId: string): Promise<JournalEntry<E> | null>;
  /** The highest seq of a key, 0 when it has none. */
  lastSeq(key: string): Promise<number>;
  /** Entries not yet marked processed, in (key, seq) order, at most `limit`. */
  readUnprocessed(limit: number): Promise<JournalEntry[]>;
  markProcessed(positions: readonly EntryPosition[]): Promise<void>;
  /** Every entry after `after` in (key, seq) order: the source of projection rebuilds. */
  readAll(after: EntryPosition | null, limit: number): Promise<JournalEntry[]>;
  /** Every key with the given prefix (for example `wallet:`), for operators and audits. */
  keys(prefix: string): Promise<string[]>;
  close(): Promise<void>;
}
