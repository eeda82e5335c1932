/**
 * The `timers` table (003_timers.sql): its row shape, written by the runtime's timer index and
 * read by its scheduler, and the operators' reads of it. One declaration, so the writer, the
 * reader and the inspector cannot drift apart.
 */
import { shardOf } from '../cluster/shards.ts';
import type { Db, Row } from './db.ts';

/** A timer row as the index writes it and the scheduler reads it. */
export interface TimerRow extends Row {
  /** `${targetKey}#${timerId}`. */
  readonly id: string;
  readonly target_key: string;
  readonly message: unknown;
  readonly due_at: number;
  readonly scheduled_seq: number;
  readonly created_at: number;
  /** The target key's shard in cluster mode (021_timer_shards.sql); null where there are no shards. */
  readonly shard: number | null;
}

export const pendingTimerColumns = 'id, target_key, message, due_at, scheduled_seq, created_at, shard';
/** A timer is pending until it fired or was cancelled. */
export const pendingTimerWhere = 'fired_at IS NULL AND cancelled_at IS NULL';

/** Timers one inspection lists for an actor. */
const maxTimersListed = 100;

export interface PendingTimerView {
  readonly id: string;
  readonly dueAt: number;
  readonly message: unknown;
}

/** The earliest pending timers of one actor, for the operator inspector. */
export async function pendingTimersOf(db: Db, targetKey: string): Promise<PendingTimerView[]> {
  const rows = await db.query<TimerRow>(
    `SELECT ${pendingTimerColumns} FROM timers WHERE target_key = $1 AND ${pendingTimerWhere} ORDER BY due_at, id LIMIT ${maxTimersListed}`,
    [targetKey],
  );
  return rows.map((row) => ({ id: row.id, dueAt: Number(row.due_at), message: row.message }));
}

/** Pending timers per actor key, for the operators' actor list. */
export async function pendingTimerCounts(db: Db): Promise<Map<string, number>> {
  const rows = await db.query(`SELECT target_key, count(*) AS pending FROM timers WHERE ${pendingTimerWhere} GROUP BY target_key`);
  return new Map(rows.map((row) => [String(row['target_key']), Number(row['pending'])]));
}

export interface TimerSummary {
  readonly pending: number;
  readonly overdue: number;
  readonly dueWithinHour: number;
  readonly nextDueAt: number | null;
}

/** Unfired timers: how many, how many overdue or due within the hour, and the next due time. */
export async function timerSummary(db: Pick<Db, 'query'>, now: number): Promise<TimerSummary> {
  const rows = await db.query(
    `SELECT count(*) AS pending,
            count(*) FILTER (WHERE due_at <= $1) AS overdue,
            count(*) FILTER (WHERE due_at <= $2) AS within_hour,
            min(due_at) AS next_due
       FROM timers WHERE fired_at IS NULL AND cancelled_at IS NULL`,
    [now, now + 3_600_000],
  );
  const row = rows[0] ?? {};
  const next = row['next_due'];
  return { pending: Number(row['pending'] ?? 0), overdue: Number(row['overdue'] ?? 0), dueWithinHour: Number(row['within_hour'] ?? 0), nextDueAt: next === null || next === undefined ? null : Number(next) };
}

/** Pending timers stamped with their shard per statement when cluster mode adopts older rows. */
const stampBatch = 500;

/**
 * Gives every pending timer written without a shard (by an embedded or single-node deployment,
 * before cluster mode was turned on) the shard of its target key, so a cluster scheduler, which
 * reads only its own shards' timers, finds it. Idempotent and safe to run on several nodes at
 * once: every node computes the same shard, and only rows still without one are written. Fired
 * and cancelled timers are left alone; nothing reads them by shard. Returns the rows stamped.
 */
export async function stampTimerShards(db: Pick<Db, 'query'>, shardCount: number): Promise<number> {
  let stamped = 0;
  for (;;) {
    const rows = await db.query<{ id: string; target_key: string }>(
      `SELECT id, target_key FROM timers WHERE shard IS NULL AND ${pendingTimerWhere} LIMIT ${stampBatch}`,
    );
    if (rows.length === 0) return stamped;
    await db.query(
      `UPDATE timers t SET shard = v.shard FROM unnest($1::text[], $2::integer[]) AS v(id, shard)
       WHERE t.id = v.id AND t.shard IS NULL`,
      [rows.map((row) => row.id), rows.map((row) => shardOf(row.target_key, shardCount))],
    );
    stamped += rows.length;
    if (rows.length < stampBatch) return stamped;
  }
}
