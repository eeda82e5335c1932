/**
 * Reading actors' streams to load them: each key's snapshot and the first page of its journal
 * after it, for many keys at once (runtime/stream-loader.ts). `composedStreams` reads through the
 * journal and snapshot ports, a snapshot query and then a journal query; `SqlStreams`
 * (sql-streams.ts) does both in one statement when the journal and the snapshots share a SQL
 * database. Both answer the same, as the journal's contract suite checks.
 */
import type { Journal, JournalEntry } from './journal.ts';
import type { Snapshot, SnapshotStore } from './snapshots.ts';

export interface StoredStream {
  readonly snapshot: Snapshot | null;
  /** The first page of entries after the snapshot's seq (after 0 without one). */
  readonly entries: readonly JournalEntry[];
}

export interface StreamReader {
  /** Every key's stream; a key with neither snapshot nor entries maps to an empty stream. */
  loadStreams(keys: readonly string[], pageSize: number): Promise<Map<string, StoredStream>>;
}

export function composedStreams(journal: Journal, snapshots: SnapshotStore): StreamReader {
  return {
    async loadStreams(keys, pageSize) {
      const found = await snapshots.loadMany(keys);
      const entries = await journal.readStreams(keys.map((key) => ({ key, afterSeq: found.get(key)?.seq ?? 0 })), pageSize);
      return new Map(keys.map((key) => [key, { snapshot: found.get(key) ?? null, entries: entries.get(key) ?? [] }]));
    },
  };
}
