/**
 * The stream reader (streams.ts) for a journal and snapshots in one SQL database: the snapshots
 * of all keys and the first journal page after each in one statement, so loading an actor costs
 * one round trip instead of two (a checkout wakes a new checkout actor and a new order actor per
 * seller, each a load).
 */
import type { Db, Row } from './db.ts';
import type { JournalEntry } from './journal.ts';
import { checkLimit, checkStreamPage } from './journal-checks.ts';
import type { Snapshot } from './snapshots.ts';
import { toEntry, type JournalRow } from './sql-journal.ts';
import { snapshotOf } from './sql-snapshots.ts';
import type { StoredStream, StreamReader } from './streams.ts';

/** A snapshot row (`version` set) or a journal row (`version` null), with its body as JSON. */
interface StreamRow extends Row {
  readonly key: string;
  readonly seq: number;
  readonly version: number | null;
  readonly body: unknown;
  readonly at_ms: number;
  readonly command_id: string | null;
  /** A snapshot's command-id hashes (sql-snapshots.ts); null on journal rows. */
  readonly command_ids: Uint8Array | null;
}

const loadStreamsSql = `
  WITH wanted AS (SELECT DISTINCT w.key FROM unnest($1::text[]) AS w(key)),
  snap AS (
    SELECT s.key, s.seq, s.version, s.state, s.at_ms, s.command_ids FROM wanted
    CROSS JOIN LATERAL (SELECT key, seq, version, state, at_ms, command_ids FROM snapshots WHERE snapshots.key = wanted.key OFFSET 0) s
  )
  SELECT snap.key, snap.seq, snap.version, snap.state AS body, snap.at_ms, NULL::text AS command_id, snap.command_ids FROM snap
  UNION ALL
  SELECT j.key, j.seq, NULL::integer, j.events, j.at_ms, j.command_id, NULL::bytea
  FROM wanted LEFT JOIN snap ON snap.key = wanted.key
  CROSS JOIN LATERAL (
    SELECT key, seq, command_id, events, at_ms FROM journal
    WHERE journal.key = wanted.key AND journal.seq > coalesce(snap.seq, 0)
    ORDER BY seq LIMIT $2
  ) j`;

export class SqlStreams implements StreamReader {
  constructor(private readonly db: Db) {}

  async loadStreams(keys: readonly string[], pageSize: number): Promise<Map<string, StoredStream>> {
    checkLimit(pageSize);
    if (keys.length === 0) return new Map();
    const rows = await this.db.query<StreamRow>(loadStreamsSql, [[...keys], pageSize]);
    const snapshots = new Map<string, Snapshot>();
    const entries = new Map<string, JournalEntry[]>();
    for (const row of rows) {
      if (row.version !== null) {
        snapshots.set(row.key, snapshotOf({ key: row.key, seq: row.seq, version: row.version, state: row.body, at_ms: row.at_ms, command_ids: row.command_ids }));
        continue;
      }
      const journalRow: JournalRow = { key: row.key, seq: row.seq, command_id: row.command_id ?? '', events: row.body as unknown[], at_ms: row.at_ms };
      const entry = toEntry(journalRow);
      const list = entries.get(row.key);
      if (list === undefined) entries.set(row.key, [entry]);
      else list.push(entry);
    }
    return new Map(
      keys.map((key) => {
        const snapshot = snapshots.get(key) ?? null;
        const page = (entries.get(key) ?? []).sort((left, right) => left.seq - right.seq);
        checkStreamPage(key, snapshot?.seq ?? 0, page);
        return [key, { snapshot, entries: page }];
      }),
    );
  }
}
