/**
 * The journal port on SQL (PostgreSQL or PGlite through the Db port), with group commit.
 * Tables: migrations/001_journal.sql, 018_journal_positions.sql, and 019_shards.sql for the fence.
 *
 * Ownership: the journal uses the Db it is given and never closes it; `close()` only writes
 * what is queued and stops taking appends. Whoever opened the Db closes it (open-stores.ts).
 */
import type { Db, Row } from './db.ts';
import type { GroupCommitStats, Outcome } from './group-commit.ts';
import { GroupCommit } from './group-commit.ts';
import type { AppendResult, ConsumerCheckpoint, EntryPosition, GroupCommitOptions, Journal, JournalEntry, LoggedEntry, NewEntry, ShardFence } from './journal.ts';
import { BatchRefused, VersionConflict } from './journal.ts';
import type { PendingAppend } from './journal-batch.ts';
import { roundsByKey } from './journal-batch.ts';
import { submitAppend } from './journal-append.ts';
import { fenceBatch } from './journal-fence.ts';
import { batchParameters, commitBatchSql, commitFencedBatchSql } from './sql-journal-batch.ts';
import { checkAppend, checkAppended, checkAscending, checkBatch, checkLimit, checkStreamPage, guardsToCheck, positionsOf, type InsertedRange } from './journal-checks.ts';

export interface JournalRow extends Row {
  readonly key: string;
  readonly seq: number;
  readonly command_id: string;
  readonly events: unknown[];
  readonly at_ms: number;
}

const entryColumns = 'key, seq, command_id, events, at_ms';

interface LoggedRow extends JournalRow {
  readonly position: number;
}

/**
 * One statement appends a whole round. A row goes in only when its key's stored max seq is
 * exactly seq - 1, which refuses stale writers and gaps alike; the unique indexes then turn a
 * concurrent writer's race or a repeated commandId into a silently skipped row.
 */
const insertRoundSql = `
  WITH head AS (
    UPDATE journal_head SET position = position + $2::bigint RETURNING position - $2::bigint AS base
  )
  INSERT INTO journal (position, key, seq, command_id, events, at_ms)
  SELECT head.base + v.ord, v.key, v.seq, v.command_id, v.events, v.at_ms
  FROM head, json_to_recordset($1::json) AS v(ord bigint, key text, seq integer, command_id text, events json, at_ms bigint)
  WHERE v.seq - 1 = (SELECT coalesce(max(j.seq), 0) FROM journal j WHERE j.key = v.key)
  ON CONFLICT DO NOTHING
  RETURNING key, seq`;

/** The stored entries of the refused rows' commandIds: present means duplicate, absent means conflict. */
const findRefusedSql = `
  SELECT j.key, j.seq, j.command_id, j.events, j.at_ms
  FROM jsonb_to_recordset($1::jsonb) AS r(key text, command_id text)
  JOIN journal j ON j.key = r.key AND j.command_id = r.command_id`;

export class SqlJournal implements Journal {
  private readonly commits: GroupCommit<PendingAppend, AppendResult>;
  /** Each entry's events as JSON, from `unstorable` (which the runtime calls on every entry
   *  before it hands it to the log), so `commit` does not serialise them a second time. */
  private readonly eventsJson = new WeakMap<readonly unknown[], string>();

  constructor(
    private readonly db: Db,
    options: GroupCommitOptions,
  ) {
    this.commits = new GroupCommit((appends) => this.writeBatch(appends), options);
  }

  append<E>(key: string, expectedSeq: number, entry: NewEntry<E>): Promise<AppendResult<E>> {
    return submitAppend(this.commits, key, expectedSeq, entry);
  }

  async read<E>(key: string, afterSeq: number, limit: number): Promise<JournalEntry<E>[]> {
    checkLimit(limit);
    const rows = await this.db.query<JournalRow>(
      `SELECT ${entryColumns} FROM journal WHERE key = $1 AND seq > $2 ORDER BY seq LIMIT $3`,
      [key, afterSeq, limit],
    );
    const entries = rows.map((row) => toEntry<E>(row));
    checkStreamPage(key, afterSeq, entries);
    return entries;
  }

  async readStreams(streams: readonly { readonly key: string; readonly afterSeq: number }[], limitPerKey: number): Promise<Map<string, JournalEntry[]>> {
    checkLimit(limitPerKey);
    if (streams.length === 0) return new Map();
    const rows = await this.db.query<JournalRow>(
      `SELECT j.key, j.seq, j.command_id, j.events, j.at_ms
       FROM jsonb_to_recordset($1::jsonb) AS s(key text, after_seq integer)
       CROSS JOIN LATERAL (
         SELECT ${entryColumns} FROM journal WHERE key = s.key AND seq > s.after_seq ORDER BY seq LIMIT $2
       ) j
       ORDER BY j.key, j.seq`,
      [JSON.stringify(streams.map(({ key, afterSeq }) => ({ key, after_seq: afterSeq }))), limitPerKey],
    );
    const byKey = new Map<string, JournalEntry[]>();
    for (const row of rows) {
      const list = byKey.get(row.key);
      if (list === undefined) byKey.set(row.key, [toEntry(row)]);
      else list.push(toEntry(row));
    }
    for (const { key, afterSeq } of streams) {
      const entries = byKey.get(key);
      if (entries !== undefined) checkStreamPage(key, afterSeq, entries);
    }
    return byKey;
  }

  async findByCommandId<E>(key: string, commandId: string): Promise<JournalEntry<E> | null> {
    const rows = await this.db.query<JournalRow>(
      `SELECT ${entryColumns} FROM journal WHERE key = $1 AND command_id = $2`,
      [key, commandId],
    );
    const row = rows[0];
    return row === undefined ? null : toEntry<E>(row);
  }

  async lastSeq(key: string): Promise<number> {
    const rows = await this.db.query<{ seq: number }>(
      'SELECT coalesce(max(seq), 0) AS seq FROM journal WHERE key = $1',
      [key],
    );
    return rows[0]?.seq ?? 0;
  }

  async readAll(after: EntryPosition | null, limit: number): Promise<JournalEntry[]> {
    checkLimit(limit);
    const rows =
      after === null
        ? await this.db.query<JournalRow>(`SELECT ${entryColumns} FROM journal ORDER BY key, seq LIMIT $1`, [limit])
        : await this.db.query<JournalRow>(
            `SELECT ${entryColumns} FROM journal WHERE (key, seq) > ($1, $2) ORDER BY key, seq LIMIT $3`,
            [after.key, after.seq, limit],
          );
    const entries = rows.map((row) => toEntry(row));
    checkAscending(after, entries);
    return entries;
  }

  unstorable(entry: JournalEntry): string | null {
    const json = this.eventsJsonOf(entry.events);
    return jsonHoldsNul(json) ? `an entry of ${entry.key} holds a NUL character, which SQL cannot store` : null;
  }

  private eventsJsonOf(events: readonly unknown[]): string {
    const cached = this.eventsJson.get(events);
    if (cached !== undefined) return cached;
    const json = JSON.stringify(events);
    this.eventsJson.set(events, json);
    return json;
  }

  async commit(entries: readonly JournalEntry[], guards: readonly EntryPosition[] = [], fence?: ShardFence): Promise<readonly number[]> {
    checkBatch(entries);
    const checks = guardsToCheck(entries, guards);
    if (entries.length === 0 && checks.length === 0) return [];
    // A batch of guards only writes nothing, so it needs no lease (journal.ts, `commit`).
    const fenced = fence === undefined || entries.length === 0 ? null : fenceBatch(entries, fence);
    const { batchJson, eventsText } = batchParameters(entries, checks, fenced, (events) => {
      // Written once, so the text is taken out of the cache, not kept: held by the events array
      // (which a resident actor keeps for retries), it outlived the commit, and its scavenges
      // copied it into the old generation. A miss serialises without caching.
      const json = this.eventsJson.get(events) ?? JSON.stringify(events);
      this.eventsJson.delete(events);
      return json;
    });
    let inserted: InsertedRange | undefined;
    try {
      const answer =
        fenced === null
          ? await this.db.query<InsertedRange>(commitBatchSql, [batchJson, entries.length, eventsText])
          : await this.db.query<InsertedRange>(commitFencedBatchSql, [batchJson, entries.length, fenced.shards, fenced.epochs, eventsText]);
      inserted = answer[0];
    } catch (error) {
      throw refusalOf(error) ?? error;
    }
    // Only the fence check inserts no row for a batch with entries (every entry row is kept).
    if (fenced !== null && inserted !== undefined && Number(inserted.count) === 0) {
      const held = fenced.shards.map((shard, index) => `${shard}@${fenced.epochs[index]}`).join(', ');
      throw new BatchRefused('fenced', `a lease this batch writes under was lost or released (shard@epoch held: ${held})`);
    }
    return positionsOf(entries.length, inserted);
  }

  async readAfter(after: number, limit: number): Promise<LoggedEntry[]> {
    checkLimit(limit);
    const rows = await this.db.query<LoggedRow>(
      `SELECT position, ${entryColumns} FROM journal WHERE position > $1 ORDER BY position LIMIT $2`,
      [after, limit],
    );
    return rows.map((row) => ({ ...toEntry(row), position: Number(row.position) }));
  }

  async headPosition(): Promise<number> {
    const rows = await this.db.query<{ position: number }>('SELECT coalesce(max(position), 0) AS position FROM journal');
    return Number(rows[0]?.position ?? 0);
  }

  async commandIds(key: string): Promise<string[]> {
    const rows = await this.db.query<{ command_id: string }>('SELECT command_id FROM journal WHERE key = $1', [key]);
    return rows.map((row) => row.command_id);
  }

  async checkpoint(consumer: string): Promise<number> {
    // A consumer new to a journal that predates checkpoints starts from the baseline the
    // migration left ('*': the last position every consumer of that time had handled).
    const rows = await this.db.query<{ position: number }>(
      `SELECT coalesce((SELECT position FROM consumer_checkpoints WHERE consumer = $1),
                       (SELECT position FROM consumer_checkpoints WHERE consumer = '*'), 0) AS position`,
      [consumer],
    );
    return Number(rows[0]?.position ?? 0);
  }

  async saveCheckpoints(checkpoints: readonly ConsumerCheckpoint[]): Promise<void> {
    if (checkpoints.length === 0) return;
    await this.db.query(
      `INSERT INTO consumer_checkpoints (consumer, position)
       SELECT c.consumer, c.position FROM jsonb_to_recordset($1::jsonb) AS c(consumer text, position bigint)
       ON CONFLICT (consumer) DO UPDATE SET position = greatest(consumer_checkpoints.position, excluded.position)`,
      [JSON.stringify(checkpoints.map(({ consumer, position }) => ({ consumer, position })))],
    );
  }

  async keys(prefix: string): Promise<string[]> {
    // Every key has exactly one seq 1 (seqs start at 1 with no gaps), so no DISTINCT is needed.
    const rows = await this.db.query<{ key: string }>(
      `SELECT key FROM journal WHERE key LIKE $1 AND seq = 1 ORDER BY key`,
      [`${escapeLike(prefix)}%`],
    );
    return rows.map((row) => row.key);
  }

  stats(): GroupCommitStats {
    return this.commits.stats();
  }

  close(): Promise<void> {
    return this.commits.close();
  }

  private async writeBatch(appends: readonly PendingAppend[]): Promise<Outcome<AppendResult>[]> {
    const outcomes: Outcome<AppendResult>[] = [];
    for (const round of roundsByKey(appends)) {
      const roundAppends = round.map((index) => appends[index] as PendingAppend);
      const roundOutcomes = await this.writeRound(roundAppends);
      round.forEach((appendIndex, roundIndex) => {
        outcomes[appendIndex] = roundOutcomes[roundIndex] as Outcome<AppendResult>;
      });
    }
    return outcomes;
  }

  /** Appends a round (each key at most once) in one statement, then explains the refused rows. */
  private async writeRound(appends: readonly PendingAppend[]): Promise<Outcome<AppendResult>[]> {
    const rowJson = new Map(appends.map((append) => [append, toRowJson(append)]));
    // PostgreSQL text and jsonb cannot hold NUL; one such row would fail the whole statement,
    // so it fails alone, before the statement.
    const storable = appends.filter((append) => !jsonHoldsNul(rowJson.get(append) ?? ''));
    const storableSet = new Set(storable);
    const inserted =
      storable.length === 0
        ? []
        : await this.db.query<{ key: string; seq: number }>(insertRoundSql, [
            `[${storable.map((append, index) => `{"ord":${index + 1},${(rowJson.get(append) ?? '{}').slice(1)}`).join(',')}]`,
            storable.length,
          ]);
    const insertedSeqByKey = new Map(inserted.map((row) => [row.key, row.seq]));
    const refused = storable.filter((append) => !insertedSeqByKey.has(append.key));
    const originals = await this.findOriginals(refused);
    return appends.map((append) => {
      if (!storableSet.has(append)) {
        return { ok: false, error: new TypeError(`an entry of ${append.key} holds a NUL character, which SQL cannot store`) };
      }
      const seq = insertedSeqByKey.get(append.key);
      if (seq !== undefined) {
        const { commandId, events, at } = append.entry;
        return { ok: true, value: { entry: { key: append.key, seq, events, commandId, at }, duplicate: false } };
      }
      const original = originals.get(append.key);
      if (original !== undefined && original.commandId === append.entry.commandId) {
        return { ok: true, value: { entry: original, duplicate: true } };
      }
      return { ok: false, error: new VersionConflict(append.key, append.expectedSeq) };
    });
  }

  private async findOriginals(refused: readonly PendingAppend[]): Promise<Map<string, JournalEntry>> {
    if (refused.length === 0) return new Map();
    const wanted = refused.map(({ key, entry }) => ({ key, command_id: entry.commandId }));
    const rows = await this.db.query<JournalRow>(findRefusedSql, [JSON.stringify(wanted)]);
    return new Map(rows.map((row) => [row.key, toEntry(row)]));
  }
}

function toRowJson({ key, expectedSeq, entry }: PendingAppend): string {
  return JSON.stringify({ key, seq: expectedSeq + 1, command_id: entry.commandId, events: entry.events, at_ms: entry.at });
}

/** JSON spells NUL `\u0000`; after an odd run of backslashes the same letters are literal text instead. */
function jsonHoldsNul(json: string): boolean {
  // The plain search first: it is far cheaper than the pattern, and almost never finds anything.
  return json.includes('\\u0000') && /(?<!\\)(?:\\\\)*\\u0000/.test(json);
}

export function toEntry<E = unknown>(row: JournalRow): JournalEntry<E> {
  if (!Array.isArray(row.events)) throw new Error(`journal row ${row.key}#${row.seq} holds non-array events`);
  return { key: row.key, seq: row.seq, events: row.events as E[], commandId: row.command_id, at: row.at_ms };
}

/** A unique or check violation means the batch was refused as a whole; anything else is a store fault. */
function refusalOf(error: unknown): BatchRefused | null {
  const { code, constraint_name: constraintName, constraint } = error as { code?: unknown; constraint_name?: unknown; constraint?: unknown };
  const name = String(constraintName ?? constraint ?? '');
  if (code === '23505') return new BatchRefused(name.includes('command_id') ? 'duplicate' : 'conflict', name);
  if (code === '23514') return new BatchRefused('conflict', 'a seq does not follow its key\'s stored seq');
  return null;
}

function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (char) => `\\${char}`);
}
