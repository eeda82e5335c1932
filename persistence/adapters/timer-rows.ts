/**
 * The `timers` table (003_timers.sql): its row shape, written by the runtime's timer index and
 * read by its scheduler, and the operators' reads of it. One declaration, so the writer, the
 * reader and the inspector cannot drift apart.
 */
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
}

export const pendingTimerColumns = 'id, target_key, message, due_at, scheduled_seq, created_at';
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
