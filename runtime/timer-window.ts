/**
 * The timers the scheduler (timer-scheduler.ts) holds in memory: their shape, made once from a
 * `timers` row, and the (due_at, id) order the table's indexes and every read of the window use.
 */
import type { TimerRow } from '../persistence/adapters/timer-rows.ts';

export interface PendingTimer {
  /** The row id, `${targetKey}#${timerId}`. */
  readonly id: string;
  readonly timerId: string;
  readonly targetKey: string;
  readonly message: unknown;
  readonly dueAt: number;
  readonly scheduledSeq: number;
  readonly createdAt: number;
}

/** A timer in the window, with the shard it was read for (null outside cluster mode). */
export interface WindowTimer extends PendingTimer {
  readonly shard: number | null;
}

export type Position = Pick<PendingTimer, 'dueAt' | 'id'>;

/** (dueAt, id) order, as the table's index and every read of the window use. */
export function compare(a: Position, b: Position): number {
  if (a.dueAt !== b.dueAt) return a.dueAt - b.dueAt;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

export function toWindowTimer(row: TimerRow): WindowTimer {
  return { ...toPending(row), shard: row.shard === null || row.shard === undefined ? null : Number(row.shard) };
}

export function toPending(row: TimerRow): PendingTimer {
  const prefix = `${row.target_key}#`;
  if (!row.id.startsWith(prefix)) throw new Error(`timer row ${row.id} does not start with its target ${row.target_key}`);
  return {
    id: row.id,
    timerId: row.id.slice(prefix.length),
    targetKey: row.target_key,
    message: row.message,
    dueAt: row.due_at,
    scheduledSeq: row.scheduled_seq,
    createdAt: row.created_at,
  };
}
