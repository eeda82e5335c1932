/**
 * The snapshot port on SQL (PostgreSQL or PGlite). Table: migrations/002_snapshots.sql.
 * Like SqlJournal, it never closes the Db it is given.
 */
import type { Db, Row } from './db.ts';
import type { Snapshot, SnapshotStore } from './snapshots.ts';
import { hashesFromBytes, hashesToBytes } from './command-id-hashes.ts';

export interface SnapshotRow extends Row {
  readonly key: string;
  readonly seq: number;
  readonly version: number;
  readonly state: unknown;
  readonly at_ms: number;
  readonly command_ids: Uint8Array | null;
}

/** A stored row as the port's snapshot (sql-streams.ts reads the same columns). */
export function snapshotOf<S>(row: SnapshotRow): Snapshot<S> {
  const snapshot = { key: row.key, seq: row.seq, version: row.version, state: row.state as S, at: row.at_ms };
  return row.command_ids === null ? snapshot : { ...snapshot, commandIdHashes: hashesFromBytes(row.command_ids) };
}

export class SqlSnapshotStore implements SnapshotStore {
  constructor(private readonly db: Db) {}

  async load<S>(key: string): Promise<Snapshot<S> | null> {
    const rows = await this.db.query<SnapshotRow>(
      'SELECT key, seq, version, state, at_ms, command_ids FROM snapshots WHERE key = $1',
      [key],
    );
    const row = rows[0];
    // The store holds whatever state its key's actor saved; that actor reads it back as S.
    return row === undefined ? null : snapshotOf<S>(row);
  }

  async loadMany(keys: readonly string[]): Promise<Map<string, Snapshot>> {
    if (keys.length === 0) return new Map();
    const rows = await this.db.query<SnapshotRow>(
      // One index probe per key (LATERAL … OFFSET 0): with statistics from when the table was
      // small, PostgreSQL planned `key = ANY($1)` as a scan of every snapshot.
      `SELECT s.key, s.seq, s.version, s.state, s.at_ms, s.command_ids FROM unnest($1::text[]) AS k(key)
       CROSS JOIN LATERAL (SELECT key, seq, version, state, at_ms, command_ids FROM snapshots WHERE snapshots.key = k.key OFFSET 0) s`,
      [[...keys]],
    );
    return new Map(rows.map((row) => [row.key, snapshotOf(row)]));
  }

  async save<S>(snapshot: Snapshot<S>): Promise<number> {
    if (!Number.isSafeInteger(snapshot.seq) || snapshot.seq < 1) {
      throw new RangeError(`a snapshot of ${snapshot.key} needs a seq >= 1, got ${snapshot.seq}`);
    }
    // Saves may finish out of order; the WHERE keeps the newest state and drops an older one.
    const state = JSON.stringify(snapshot.state);
    const commandIds = snapshot.commandIdHashes === undefined ? null : hashesToBytes(snapshot.commandIdHashes);
    await this.db.query(
      `INSERT INTO snapshots (key, seq, version, state, at_ms, command_ids) VALUES ($1, $2, $3, $4::json, $5, $6::bytea)
       ON CONFLICT (key) DO UPDATE
         SET seq = excluded.seq, version = excluded.version, state = excluded.state, at_ms = excluded.at_ms, command_ids = excluded.command_ids
         WHERE snapshots.seq < excluded.seq`,
      [snapshot.key, snapshot.seq, snapshot.version, state, snapshot.at, commandIds],
    );
    return Buffer.byteLength(state);
  }

  async deleteAll(): Promise<void> {
    await this.db.query('DELETE FROM snapshots');
  }
}
