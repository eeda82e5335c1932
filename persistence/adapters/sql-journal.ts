/**
 * The journal port on SQL (PostgreSQL or PGlite through the Db port), with group commit.
 * Tables: migrations/001_journal.sql.
 *
 * Ownership: the journal uses the Db it is given and never closes it; `close()` only writes
 * what is queued and stops taking appends. Whoever opened the Db closes it (open-stores.ts).
 */
import type { Db, Row } from './db.ts';
import type { GroupCommitStats, Outcome } from './group-commit.ts';
import { GroupCommit } from './group-commit.ts';
import type { AppendResult, EntryPosition, GroupCommitOptions, Journal, JournalEntry, NewEntry } from './journal.ts';
import { VersionConflict } from './journal.ts';
import type { PendingAppend } from './journal-batch.ts';
import { roundsByKey } from './journal-batch.ts';
import { submitAppend } from './journal-append.ts';
import { checkAscending, checkLimit, checkStreamPage } from './journal-checks.ts';

interface JournalRow extends Row {
  readonly key: string;
  readonly seq: number;
  readonly command_id: string;
  readonly events: unknown[];
  readonly at_ms: number;
}

const entryColumns = 'key, seq, command_id, events, at_ms';

/**
 * One statement appends a whole round. A row goes in only when its key's stored max seq is
 * exactly seq - 1, which refuses stale writers and gaps alike; the unique indexes then turn a
 * concurrent writer's race or a repeated commandId into a silently skipped row.
 */
const insertRoundSql = `
  INSERT INTO journal (key, seq, command_id, events, at_ms)
  SELECT v.key, v.seq, v.command_id, v.events, v.at_ms
  FROM jsonb_to_recordset($1::jsonb) AS v(key text, seq integer, command_id text, events jsonb, at_ms bigint)
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

  async readUnprocessed(limit: number): Promise<JournalEntry[]> {
    checkLimit(limit);
    const rows = await this.db.query<JournalRow>(
      `SELECT ${entryColumns} FROM journal WHERE NOT processed ORDER BY key, seq LIMIT $1`,
      [limit],
    );
    const entries = rows.map((row) => toEntry(row));
    checkAscending(null, entries);
    return entries;
  }

  async markProcessed(positions: readonly EntryPosition[]): Promise<void> {
    if (positions.length === 0) return;
    // One JSON parameter carries any number of positions, so there is no parameter limit to chunk for.
    await this.db.query(
      `UPDATE journal j SET processed = true
       FROM jsonb_to_recordset($1::jsonb) AS p(key text, seq integer)
       WHERE j.key = p.key AND j.seq = p.seq AND NOT j.processed`,
      [JSON.stringify(positions.map(({ key, seq }) => ({ key, seq })))],
    );
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
            `[${storable.map((append) => rowJson.get(append)).join(',')}]`,
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
  return /(?<!\\)(?:\\\\)*\\u0000/.test(json);
}

function toEntry<E = unknown>(row: JournalRow): JournalEntry<E> {
  if (!Array.isArray(row.events)) throw new Error(`journal row ${row.key}#${row.seq} holds non-array events`);
  return { key: row.key, seq: row.seq, events: row.events as E[], commandId: row.command_id, at: row.at_ms };
}

function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (char) => `\\${char}`);
}
