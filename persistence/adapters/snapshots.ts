/**
 * Snapshot port. A snapshot is a cache of an actor's state at a seq: deleting every snapshot
 * must never change any recovered state. Only the latest snapshot per key is kept, and a save
 * with a lower seq than the stored one is ignored (saves may finish out of order).
 */
export interface Snapshot<S = unknown> {
  readonly key: string;
  readonly seq: number;
  /** Version of the state's shape; a snapshot of another version is ignored on load. */
  readonly version: number;
  readonly state: S;
  readonly at: number;
  /** The hashes of the actor's command ids, ascending (runtime/command-ids.ts): at least every id
   *  up to `seq`. Absent on a snapshot saved without them; a load then reads the ids instead. */
  readonly commandIdHashes?: Uint32Array | undefined;
}

export interface SnapshotStore {
  load<S>(key: string): Promise<Snapshot<S> | null>;
  /** The snapshots of many keys in one read; a key without one is absent from the map. */
  loadMany(keys: readonly string[]): Promise<Map<string, Snapshot>>;
  /** Resolves with the size of the state as stored (bytes of its JSON), whether or not a newer
   *  snapshot kept it from being written. */
  save<S>(snapshot: Snapshot<S>): Promise<number>;
  deleteAll(): Promise<void>;
}
