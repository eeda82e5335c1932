/**
 * What the proof checks after every seed, each check a list of broken facts (empty when it
 * holds), so a failing seed shows everything that went wrong. The journal checks are SQL over
 * the seed's database (tables: persistence/adapters/migrations/001, 018, 019; `writer` and
 * `proof_lease_grants` are the proof's own records, cluster-world.ts).
 */
import type postgres from 'postgres';
import type { Db } from '../../../persistence/adapters/db.ts';
import { SqlJournal } from '../../../persistence/adapters/sql-journal.ts';
import { auditLedger, auditReadModels } from '../../../persistence/projections/readmodels/audit.ts';
import { snapshotTables } from '../../../persistence/projections/readmodels/readmodels.fixtures.ts';
import { rebuildReadModels } from '../../../persistence/projections/readmodels/rebuild.ts';
import { isDeepStrictEqual } from 'node:util';
import { escrowReleaseMs } from './nodes.ts';
import type { TrafficRecord } from './traffic.ts';

type Sql = postgres.Sql;

/** Rows as text, a few of them: enough to name what broke. */
const some = (rows: readonly unknown[]) => JSON.stringify(rows.slice(0, 5));

/** Every acknowledged command is in the journal exactly once (a checkout: started and completed once, each of its orders paid once). */
export async function checkAcknowledged(sql: Sql, record: TrafficRecord): Promise<string[]> {
  const problems: string[] = [];
  const commands = record.acknowledged.filter((ack) => ack.kind !== 'checkout');
  const counts = await sql<{ key: string; command_id: string; rows: number }[]>`
    SELECT a.key, a.command_id, (SELECT count(*)::int FROM journal j WHERE j.key = a.key AND j.command_id = a.command_id) AS rows
    FROM jsonb_to_recordset(${sql.json(commands.map((ack) => ({ key: ack.key, command_id: ack.commandId })))}::jsonb) AS a(key text, command_id text)`;
  const wrong = counts.filter((row) => row.rows !== 1);
  if (wrong.length > 0) problems.push(`${wrong.length} acknowledged commands not in the journal exactly once: ${some(wrong)}`);
  const checkouts = record.acknowledged.filter((ack) => ack.kind === 'checkout');
  const sagaRows = await sql<{ key: string; started: number; completed: number }[]>`
    SELECT a.key,
      (SELECT count(*)::int FROM journal j, json_array_elements(j.events) e WHERE j.key = a.key AND e->>'type' = 'CheckoutStarted') AS started,
      (SELECT count(*)::int FROM journal j, json_array_elements(j.events) e WHERE j.key = a.key AND e->>'type' = 'CheckoutCompleted') AS completed
    FROM jsonb_to_recordset(${sql.json(checkouts.map((ack) => ({ key: ack.key })))}::jsonb) AS a(key text)`;
  const unfinished = sagaRows.filter((row) => row.started !== 1 || row.completed !== 1);
  if (unfinished.length > 0) problems.push(`${unfinished.length} acknowledged checkouts not started and completed exactly once: ${some(unfinished)}`);
  const orderIds = checkouts.flatMap((ack) => ack.orderIds ?? []);
  const paid = await sql<{ order_id: string; paid: number }[]>`
    SELECT o.order_id, (SELECT count(*)::int FROM journal j, json_array_elements(j.events) e WHERE j.key = 'order:' || o.order_id AND e->>'type' = 'OrderPaid') AS paid
    FROM unnest(${orderIds}::text[]) AS o(order_id)`;
  const unpaid = paid.filter((row) => row.paid !== 1);
  if (unpaid.length > 0) problems.push(`${unpaid.length} orders of acknowledged checkouts not paid exactly once: ${some(unpaid)}`);
  return problems;
}

/** Seqs without gaps per key and per shard; every row fenced; one writer per (shard, epoch), the
 *  node it was granted to; epochs never decreasing along a key's seqs or a shard's sequence. */
export async function checkJournal(sql: Sql): Promise<string[]> {
  const problems: string[] = [];
  const queries: (readonly [string, PromiseLike<readonly unknown[]>])[] = [
    ['keys whose seqs are not 1..n', sql`SELECT key, count(*)::int AS rows, max(seq) AS last FROM journal GROUP BY key HAVING max(seq) <> count(*)`],
    ['shards whose shard_seq is not 1..n', sql`SELECT shard, count(*)::int AS rows, max(shard_seq) AS last FROM journal WHERE shard IS NOT NULL GROUP BY shard HAVING max(shard_seq) <> count(*)`],
    ['rows written without a fence', sql`SELECT key, seq FROM journal WHERE shard IS NULL`],
    ['(shard, epoch) pairs written by more than one node', sql`SELECT shard, epoch, array_agg(DISTINCT writer) AS writers FROM journal GROUP BY shard, epoch HAVING count(DISTINCT writer) > 1`],
    ['rows written by a node other than the one granted their (shard, epoch)', sql`
      SELECT j.key, j.seq, j.shard, j.epoch, j.writer, g.owner FROM journal j LEFT JOIN proof_lease_grants g ON g.shard = j.shard AND g.epoch = j.epoch
      WHERE g.owner IS NULL OR j.writer IS DISTINCT FROM 'bazaary-' || g.owner`],
    ['keys whose epoch decreases along their seqs', sql`
      SELECT key, seq, epoch, previous FROM (SELECT key, seq, epoch, lag(epoch) OVER (PARTITION BY key ORDER BY seq) AS previous FROM journal) t WHERE epoch < previous`],
    ['shards whose epoch decreases, or position goes back, along shard_seq', sql`
      SELECT shard, shard_seq, epoch, position FROM (
        SELECT shard, shard_seq, epoch, position, lag(epoch) OVER w AS previous_epoch, lag(position) OVER w AS previous_position
        FROM journal WHERE shard IS NOT NULL WINDOW w AS (PARTITION BY shard ORDER BY shard_seq)) t
      WHERE epoch < previous_epoch OR position < previous_position`],
  ];
  for (const [what, query] of queries) {
    const rows = await query;
    if (rows.length > 0) problems.push(`${rows.length} ${what}: ${some(rows)}`);
  }
  return problems;
}

export interface EscrowCounts {
  readonly byTimer: number;
  readonly byBuyer: number;
  readonly disputed: number;
}

/** Every escrow released at most once (order and seller wallet agree), and every shipped order
 *  neither disputed nor confirmed released by its timer. */
export async function checkEscrow(sql: Sql, record: TrafficRecord): Promise<{ problems: string[]; counts: EscrowCounts }> {
  const problems: string[] = [];
  const releases = await sql<{ order_id: string; completed: number; reasons: string[]; released_to_seller: number }[]>`
    WITH completed AS (
      SELECT substr(j.key, 7) AS order_id, count(*)::int AS completed, array_agg(e->>'reason') AS reasons
      FROM journal j, json_array_elements(j.events) e WHERE j.key LIKE 'order:%' AND e->>'type' = 'OrderCompleted' GROUP BY 1),
    released AS (
      SELECT e->>'orderId' AS order_id, count(*)::int AS released_to_seller
      FROM journal j, json_array_elements(j.events) e WHERE j.key LIKE 'wallet:%' AND e->>'type' = 'PendingReleased' GROUP BY 1)
    SELECT coalesce(c.order_id, r.order_id) AS order_id, coalesce(c.completed, 0) AS completed, coalesce(c.reasons, '{}') AS reasons, coalesce(r.released_to_seller, 0) AS released_to_seller
    FROM completed c FULL JOIN released r ON r.order_id = c.order_id`;
  const twice = releases.filter((row) => row.completed > 1 || row.released_to_seller > 1 || row.completed !== row.released_to_seller);
  if (twice.length > 0) problems.push(`${twice.length} escrows released more than once, or order and wallet disagree: ${some(twice)}`);
  const byOrder = new Map(releases.map((row) => [row.order_id, row]));
  const missing: string[] = [];
  for (const orderId of record.shipped.keys()) {
    if (record.disputed.has(orderId)) {
      if (byOrder.has(orderId)) problems.push(`disputed order ${orderId} was released: ${JSON.stringify(byOrder.get(orderId))}`);
    } else if (byOrder.get(orderId)?.completed !== 1) missing.push(orderId);
  }
  if (missing.length > 0) {
    const streams = await sql<{ key: string; seq: number; writer: string; epoch: number; command_id: string; types: string }[]>`
      SELECT key, seq, writer, epoch, at_ms, command_id, (SELECT string_agg(e->>'type', ',') FROM jsonb_array_elements(events) e) AS types
      FROM journal WHERE key = ANY(${missing.slice(0, 3).map((orderId) => `order:${orderId}`)}::text[]) ORDER BY key, seq`;
    const timers = await sql`SELECT id, due_at, fired_at, cancelled_at, indexed_by, created_at FROM timers WHERE target_key = ANY(${missing.slice(0, 3).map((orderId) => `order:${orderId}`)}::text[]) ORDER BY id`;
    problems.push(`${missing.length} shipped orders, neither disputed nor released, ${escrowReleaseMs} ms after shipping and the settle: ${some(missing)}; their journals: ${JSON.stringify(streams)}; their timers: ${JSON.stringify(timers)}`);
  }
  // A refused order action must have done nothing: no dispute opened or delivery confirmed that the buyer was told was refused.
  const happened = await sql<{ order_id: string; types: string[] }[]>`
    SELECT substr(j.key, 7) AS order_id, array_agg(e->>'type') AS types FROM journal j, json_array_elements(j.events) e
    WHERE j.key = ANY(${[...record.refused.keys()].map((orderId) => `order:${orderId}`)}::text[]) AND e->>'type' IN ('DisputeOpened', 'DeliveryConfirmed') GROUP BY 1`;
  for (const row of happened) {
    const refusal = record.refused.get(row.order_id) ?? '';
    if ((refusal.startsWith('dispute') && row.types.includes('DisputeOpened')) || (refusal.startsWith('confirm') && row.types.includes('DeliveryConfirmed'))) {
      problems.push(`order ${row.order_id}: answered "${refusal}", yet its journal holds ${row.types.join(', ')}`);
    }
  }
  const reasons = releases.flatMap((row) => row.reasons);
  return { problems, counts: { byTimer: reasons.filter((reason) => reason === 'auto_release').length, byBuyer: reasons.filter((reason) => reason === 'buyer_confirmed').length, disputed: record.disputed.size } };
}

/**
 * With every node stopped: the read models equal a rebuild of them from the journal (the same
 * rebuild `npm run projections:rebuild` runs), and the ledger audit is clean on the journal and
 * on the rebuilt read models.
 */
export async function checkProjectionsAndAudit(db: Db): Promise<string[]> {
  const problems: string[] = [];
  const journal = new SqlJournal(db, { batching: false, maxBatch: 1, maxWaitMs: 0 });
  try {
    const live = await snapshotTables(db);
    await rebuildReadModels(db, journal);
    const rebuilt = await snapshotTables(db);
    for (const table of Object.keys(rebuilt)) {
      if (!isDeepStrictEqual(live[table], rebuilt[table])) {
        const liveRows = live[table] ?? [];
        const rebuiltRows = rebuilt[table] ?? [];
        const differing = rebuiltRows.filter((row, index) => !isDeepStrictEqual(row, liveRows[index]));
        problems.push(`read model ${table} differs from its rebuild (${liveRows.length} rows live, ${rebuiltRows.length} rebuilt): rebuilt ${some(differing)} live ${some(liveRows.filter((row, index) => !isDeepStrictEqual(row, rebuiltRows[index])))}`);
      }
    }
    const journalAudit = await auditLedger(journal);
    if (!journalAudit.ok || journalAudit.inFlight.length > 0) problems.push(`ledger audit of the journal not clean: drift ${journalAudit.totals.driftMinor}, anomalies ${some(journalAudit.anomalies)}, in flight ${some(journalAudit.inFlight)}`);
    const readModelAudit = await auditReadModels(db, { journalAudit });
    if (!readModelAudit.ok) problems.push(`ledger audit of the read models not clean: ${some(readModelAudit.anomalies)}`);
  } finally {
    await journal.close();
  }
  return problems;
}
