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
 * - One ordered log (DESIGN.md §2a): every entry gets a global `position` in commit order.
 *   `commit` writes a batch as one transaction, all or nothing; a batch committed after another
 *   has higher positions, so the durable log is always a prefix of what its writer handed it.
 *   A refused row (a stale or repeated `(key, seq)`, a repeated `(key, commandId)`, a gap)
 *   refuses the whole batch with `BatchRefused`, and nothing of it is written.
 * - Scale-out: a batch committed with a `ShardFence` is refused as `fenced` unless the writer
 *   still leases every shard it writes at the fence's epoch (SQL only so far; MongoDB refuses a
 *   fence it cannot honour).
 * - `readAfter` pages the log by position; `checkpoint`/`saveCheckpoints` keep each consumer's
 *   position. Consumers are at-least-once and must be idempotent.
 */
export interface JournalEntry<E = unknown> {
  readonly key: string;
  readonly seq: number;
  readonly events: readonly E[];
  readonly commandId: string;
  /** Epoch milliseconds from the injected clock. */
  readonly at: number;
}

/** An entry as the ordered log holds it: with its global position. */
export interface LoggedEntry<E = unknown> extends JournalEntry<E> {
  readonly position: number;
}

export interface ConsumerCheckpoint {
  readonly consumer: string;
  /** The highest position the consumer has handled. */
  readonly position: number;
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

/**
 * A batch the store refused as a whole: nothing of it was written. `conflict` means some row's
 * `(key, seq)` was taken or left a gap (another writer got there first); `duplicate` means some
 * row repeated a `(key, commandId)` the key already holds; `fenced` means the writer no longer
 * holds the lease of a shard the batch writes (ShardFence), so another node owns those keys now
 * and the caller should retry there.
 */
export class BatchRefused extends Error {
  override readonly name = 'BatchRefused';
  constructor(
    readonly reason: 'conflict' | 'duplicate' | 'fenced',
    detail: string,
  ) {
    super(`journal batch refused (${reason}): ${detail}`);
  }
}

/**
 * The shard leases a node holds (scale-out, issue #16; adapters/shard-leases.ts): for each shard
 * it owns, the epoch its claim got. A batch committed with a fence is written only if, in the
 * same transaction, every shard it writes is still leased at exactly that epoch; otherwise it is
 * refused as `fenced` and writes nothing. A node keeps one map, updated as it claims, renews
 * (dropping what it lost) and releases, and passes it with every batch.
 */
export interface ShardFence {
  /** The cluster's fixed shard count: `shardOf(key, shardCount)` (persistence/cluster/shards.ts). */
  readonly shardCount: number;
  /** Shard → the epoch this node holds it at. A batch that writes a shard missing here is fenced. */
  readonly epochs: ReadonlyMap<number, number>;
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
  /** For each `{ key, afterSeq }`, that key's entries with seq > afterSeq, ascending, at most
   *  `limitPerKey`: many actors loaded in one read. A key with none is absent from the map. */
  readStreams(streams: readonly { readonly key: string; readonly afterSeq: number }[], limitPerKey: number): Promise<Map<string, JournalEntry[]>>;
  findByCommandId<E>(key: string, commandId: string): Promise<JournalEntry<E> | null>;
  /** The highest seq of a key, 0 when it has none. */
  lastSeq(key: string): Promise<number>;
  /** Every entry after `after` in (key, seq) order: the source of projection rebuilds. */
  readAll(after: EntryPosition | null, limit: number): Promise<JournalEntry[]>;
  /**
   * Writes `entries` as one transaction after every batch committed before it; resolves with
   * each entry's position, ascending in the given order. Rejects with BatchRefused (nothing
   * written) or a store error (then the outcome is unknown only if the connection died during
   * COMMIT; a reload from the store tells). Each guard `{ key, seq }` writes nothing but refuses
   * the batch as a conflict unless the key's stored max seq is exactly `seq` (or an entry of the
   * batch brings it there): a rejection decided on that state is then known to be current.
   * With a `fence`, every entry's shard must still be leased at the fence's epoch, else the batch
   * is refused as `fenced`; the rows then also record shard, epoch and a gap-free per-shard seq.
   * Without one, the batch is written exactly as in single-node mode. Guards need no fence: their
   * seq check is what makes a rejection current, whoever owns the key.
   */
  commit(entries: readonly JournalEntry[], guards?: readonly EntryPosition[], fence?: ShardFence): Promise<readonly number[]>;
  /** Why this store could not hold `entry` (say, a NUL character in SQL), or null. The runtime
   *  asks before it hands an entry to `commit`, so one bad entry fails alone, not its batch. */
  unstorable(entry: JournalEntry): string | null;
  /** Entries with position > `after`, in position order, at most `limit`. */
  readAfter(after: number, limit: number): Promise<LoggedEntry[]>;
  /** The highest position committed so far (0 for an empty log). */
  headPosition(): Promise<number>;
  /** Every commandId `key` holds (the runtime's retry filter is built from it on a load). */
  commandIds(key: string): Promise<string[]>;
  /** A consumer's checkpoint: the highest position it handled, 0 when it has none. */
  checkpoint(consumer: string): Promise<number>;
  /** Moves consumers' checkpoints forward (never back), all in one write. */
  saveCheckpoints(checkpoints: readonly ConsumerCheckpoint[]): Promise<void>;
  /** Every key with the given prefix (for example `wallet:`), for operators and audits. */
  keys(prefix: string): Promise<string[]>;
  close(): Promise<void>;
}
