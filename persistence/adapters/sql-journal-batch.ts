/**
 * The ordered log's batch on SQL (journal.ts, `commit`; sql-journal.ts runs it): its two
 * statements, plain and fenced, and how a batch's entries and guards are spelled as their
 * parameters.
 */
import type { EntryPosition, JournalEntry } from './journal.ts';
import type { FencedBatch } from './journal-fence.ts';

/** Separates the rows' events texts in a batch's last parameter (`batchRow`): U+001E, chr(30). */
const eventsSeparator = '\u001e';

/**
 * A batch row's parts that the plain and the fenced batch share. The rows come in two
 * parameters, zipped row by row (ROWS FROM): `$1`, a JSON array of each row's small fields, and
 * one text of every row's events JSON, in the same order, separated by U+001E (`eventsSeparator`),
 * which JSON.stringify never writes raw. Inside the JSON array, json_to_recordset ran its
 * parser, with its per-field callbacks, over every token of every entry's events before keeping
 * their text; split out, the events are only validated, once, as they enter the `json` column.
 * Backend CPU per entry on PostgreSQL 15, 375-entry batches of ~500-byte events: 21.8 → 13.3 µs;
 * at 49-entry batches about the same (the statement's fixed costs dominate there).
 */
const batchRow = {
  columns: 'ord bigint, key text, seq integer, first boolean, guard boolean, command_id text, at_ms bigint',
  names: 'ord, key, seq, first, guard, command_id, at_ms',
  events: (parameter: string) => `unnest(string_to_array(${parameter}::text, chr(30)))`,
  seq: `CASE WHEN v.guard THEN -1
              WHEN v.first AND v.seq - 1 <> (SELECT coalesce(max(j.seq), 0) FROM journal j WHERE j.key = v.key) THEN -v.seq
              ELSE v.seq END`,
  kept: 'NOT v.guard OR v.seq <> (SELECT coalesce(max(j.seq), 0) FROM journal j WHERE j.key = v.key)',
};

/**
 * What a batch answers: its entries' positions as one row, not a row each. An entry's position
 * is the head's base plus its place in the batch (`ord`, 1 to n), so the inserted positions are
 * consecutive, and `commit` checks that they are (journal-checks.ts, `positionsOf`). A batch
 * with no entry inserted (only guards passed, or the fence held it back) answers a count of 0.
 */
const insertedRange = 'SELECT count(*)::integer AS count, min(position) AS first, max(position) AS last FROM inserted';

/**
 * The ordered log's batch (journal.ts, `commit`): one statement, so one implicit transaction.
 * The head row's lock orders it after every batch that reserved positions before it. A key's
 * first row in the batch must follow the stored max seq exactly; a gap turns its seq negative,
 * which the CHECK refuses, so the whole statement fails as a stale seq (a unique violation) does.
 * A guard row (journal.ts) is kept only when its key's stored max seq differs, and then fails
 * the same CHECK; a passing guard writes nothing.
 */
export const commitBatchSql = `
  WITH head AS (
    UPDATE journal_head SET position = position + $2::bigint RETURNING position - $2::bigint AS base
  ),
  inserted AS (
    INSERT INTO journal (position, key, seq, command_id, events, at_ms)
    SELECT head.base + v.ord, v.key, ${batchRow.seq}, v.command_id, v.events::json, v.at_ms
    FROM head, ROWS FROM (json_to_recordset($1::json) AS (${batchRow.columns}), ${batchRow.events('$3')}) AS v(${batchRow.names}, events)
    WHERE ${batchRow.kept}
    RETURNING position
  )
  ${insertedRange}`;

/**
 * The same batch under a shard fence (journal.ts, ShardFence), still one statement. `leases`
 * reads the lease rows of the shards the batch writes ($3, ascending, with the epochs held in
 * $4) FOR SHARE, in shard order: a takeover's update of such a row (shard-leases.ts, claim) waits
 * until this transaction ends, so no batch of the old owner commits after the new owner's claim;
 * and renewals, which lock in the same order, cannot deadlock with it. The head moves only if
 * every shard is still owned at the held epoch (a released row has no owner); otherwise the head
 * CTE yields no row, nothing is inserted, and `commit` reports the batch fenced. The check sits
 * in the head's UPDATE so that it runs before any row is inserted: a fenced batch is told apart
 * from a seq conflict its stale rows might also cause. Each shard's rows are numbered on from its
 * stored max shard_seq (019_shards.sql says why no counter).
 */
export const commitFencedBatchSql = `
  WITH leases AS MATERIALIZED (
    SELECT l.shard, l.epoch, l.owner FROM shard_leases l WHERE l.shard = ANY($3::int[]) ORDER BY l.shard FOR SHARE
  ),
  held AS (
    SELECT h.shard, h.epoch FROM unnest($3::int[], $4::bigint[]) AS h(shard, epoch)
  ),
  head AS (
    UPDATE journal_head SET position = position + $2::bigint
    WHERE (SELECT count(*) FROM leases l JOIN held h ON h.shard = l.shard AND h.epoch = l.epoch WHERE l.owner IS NOT NULL) = cardinality($3::int[])
    RETURNING position - $2::bigint AS base
  ),
  shard_heads AS MATERIALIZED (
    SELECT h.shard, h.epoch, (SELECT coalesce(max(j.shard_seq), 0) FROM journal j WHERE j.shard = h.shard) AS shard_seq FROM held h
  ),
  inserted AS (
    INSERT INTO journal (position, key, seq, command_id, events, at_ms, shard, epoch, shard_seq)
    SELECT head.base + v.ord, v.key, ${batchRow.seq}, v.command_id, v.events::json, v.at_ms, s.shard, s.epoch, s.shard_seq + v.shard_ord
    FROM head, ROWS FROM (json_to_recordset($1::json) AS (${batchRow.columns}, shard integer, shard_ord bigint), ${batchRow.events('$5')})
      AS v(${batchRow.names}, shard, shard_ord, events)
    LEFT JOIN shard_heads s ON s.shard = v.shard
    WHERE ${batchRow.kept}
    RETURNING position
  )
  ${insertedRange}`;

/** A batch's parameters: its rows' small fields as a JSON array, and their events texts. */
export interface BatchParameters {
  readonly batchJson: string;
  readonly eventsText: string;
}

/**
 * The parameters of a batch of `entries` (checked by checkBatch) and of the guards it checks.
 * `eventsJsonOf` gives an entry's events as JSON (the journal's cache of what `unstorable` wrote).
 */
export function batchParameters(
  entries: readonly JournalEntry[],
  checks: readonly EntryPosition[],
  fenced: FencedBatch | null,
  eventsJsonOf: (events: readonly unknown[]) => string,
): BatchParameters {
  const seen = new Set<string>();
  const events: string[] = [];
  const rows = entries.map((entry, index) => {
    const first = !seen.has(entry.key);
    seen.add(entry.key);
    const eventsJson = eventsJsonOf(entry.events);
    // A separator inside would shift every later row onto another's events. JSON.stringify
    // escapes every control character, so only a bug upstream could put one there.
    if (eventsJson.includes(eventsSeparator)) throw new Error(`an entry of ${entry.key} has events JSON holding U+001E`);
    events.push(eventsJson);
    // Spelled out rather than an object through JSON.stringify: the numbers are checked
    // integers (checkBatch), so only the two strings need JSON's quoting.
    const shard = fenced?.rows[index];
    const sharded = shard === undefined ? '' : `,"shard":${shard.shard},"shard_ord":${shard.shardOrd}`;
    return `{"ord":${index + 1},"key":${JSON.stringify(entry.key)},"seq":${entry.seq},"first":${first},"guard":false,"command_id":${JSON.stringify(entry.commandId)},"at_ms":${entry.at}${sharded}}`;
  });
  for (const { key, seq } of checks) {
    rows.push(JSON.stringify({ ord: 0, key, seq, first: false, guard: true, command_id: '', at_ms: 0 }));
    events.push('[]');
  }
  return { batchJson: `[${rows.join(',')}]`, eventsText: events.join(eventsSeparator) };
}
