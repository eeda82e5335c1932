/**
 * The timer index: an event-processor consumer (processor.ts) that copies TimerScheduled and
 * TimerCancelled events from any journal entry into the `timers` table
 * (persistence/migrations/003_timers.sql), where the scheduler finds them.
 *
 * It is idempotent, as every consumer must be (delivery is at least once): a timer's row id is
 * `${key}#${timerId}`, so indexing a schedule again inserts nothing, and a cancel only stamps a
 * row that is neither cancelled nor fired yet. Within a batch, schedules are written before
 * cancels, and entries arrive in (key, seq) order, so a timer is always known before its cancel.
 *
 * A timer scheduled and cancelled within one batch is not written at all: it can never fire, and
 * the table serves the scheduler, which wants only pending timers. Most timers end that way (a
 * saga's retry wake-up is cancelled as soon as its steps are answered, a few milliseconds later),
 * so this halves the rows an order costs the database. Its cancel is still sent: when a batch is
 * delivered again after a crash, the schedule may have been written by the first delivery.
 *
 * In cluster mode each row also carries its target key's shard (021_timer_shards.sql), so each
 * node's scheduler reads only the timers of the shards it serves and a timer moves with its shard.
 */
import type { Db } from '../persistence/adapters/db.ts';
import { distinctIds } from '../persistence/adapters/id-list.ts';
import type { TimerRow } from '../persistence/adapters/timer-rows.ts';
import type { JournalEntry } from '../persistence/adapters/journal.ts';
import type { TimerCancelled, TimerScheduled } from '../actors/decider.ts';
import type { Logger } from './logger.ts';
import type { Consumer } from '../persistence/adapters/consumer.ts';
import { shardOf } from '../persistence/cluster/shards.ts';

/** What one batch changed, so the scheduler refreshes only when it matters. */
export interface TimerChanges {
  /** The earliest due time among `indexed`, or null when there were none. */
  readonly earliestDueAt: number | null;
  /** Row ids of the batch's cancelled timers (stamped now, or by another node first). */
  readonly cancelledIds: readonly string[];
  /** The batch's timers that are pending in the table (newly indexed, or indexed before by another
   *  node and not yet fired), so the scheduler can take them into its window without a read. */
  readonly indexed: readonly TimerRow[];
}

export function timerRowId(targetKey: string, timerId: string): string {
  return `${targetKey}#${timerId}`;
}

type ScheduledRow = TimerRow;

interface CancelledRow {
  readonly id: string;
  readonly at: number;
}

const insertSql = `
  INSERT INTO timers (id, target_key, message, due_at, scheduled_seq, created_at, shard)
  SELECT v.id, v.target_key, v.message, v.due_at, v.scheduled_seq, v.created_at, v.shard
  FROM json_to_recordset($1::json)
    AS v(id text, target_key text, message jsonb, due_at bigint, scheduled_seq integer, created_at bigint, shard integer)
  ON CONFLICT (id) DO NOTHING
  RETURNING id, due_at`;

/**
 * Which of the given timers are neither fired nor cancelled: one primary-key probe per id
 * (id-list.ts), as `timers` grows with every order (each ship-by timer stays until the seller
 * ships). `coalesce(...) IS NULL` rather than two IS NULLs keeps the planner off the partial
 * pending indexes, which it would otherwise scan whole for the same reason.
 */
const pendingSql = `
  SELECT p.id FROM ${distinctIds()}
  CROSS JOIN LATERAL (SELECT id FROM timers WHERE timers.id = k.id AND coalesce(cancelled_at, fired_at) IS NULL OFFSET 0) p`;

/**
 * Stamps the still-pending rows among `$1` (ids) with `$2` (each one's cancel time, by position).
 * An UPDATE cannot reach its target through LATERAL, so a function does it
 * (023_timer_stamps.sql says how it keeps to the primary key). As a plain UPDATE … = ANY($1) its
 * cached plan took 17 ms a round by the end of a 30-s checkout run on PostgreSQL (issue #13).
 */
const cancelSql = 'SELECT id FROM cancel_pending_timers($1::text[], $2::bigint[]) AS id';

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

function isTimerScheduled(event: Record<string, unknown>): event is Record<string, unknown> & TimerScheduled {
  return (
    event['type'] === 'TimerScheduled' &&
    typeof event['timerId'] === 'string' &&
    event['timerId'] !== '' &&
    Number.isSafeInteger(event['dueAt']) &&
    event['command'] !== undefined
  );
}

function isTimerCancelled(event: Record<string, unknown>): event is Record<string, unknown> & TimerCancelled {
  return event['type'] === 'TimerCancelled' && typeof event['timerId'] === 'string' && event['timerId'] !== '';
}

export class TimerIndex implements Consumer {
  readonly name = 'timers';
  private readonly listeners: ((changes: TimerChanges) => void)[] = [];

  constructor(
    private readonly db: Db,
    private readonly logger: Logger,
    /** Cluster mode: the cluster's shard count, so each row carries its target key's shard and
     *  each node's scheduler reads only its own shards' timers. Without it rows have no shard. */
    private readonly shardCount?: number,
  ) {}

  /** Calls `listener` after each batch that indexed or cancelled a timer (the scheduler's refresh). */
  onIndexed(listener: (changes: TimerChanges) => void): void {
    this.listeners.push(listener);
  }

  async handle(entries: readonly JournalEntry[]): Promise<void> {
    const { scheduled: everyScheduled, cancelled } = this.collect(entries);
    const cancelledIds = new Set(cancelled.map((row) => row.id));
    const scheduled = cancelledIds.size === 0 ? everyScheduled : everyScheduled.filter((row) => !cancelledIds.has(row.id));
    if (scheduled.length === 0 && cancelled.length === 0) return;
    const inserted =
      scheduled.length === 0 ? [] : await this.db.query<{ id: string; due_at: number }>(insertSql, [JSON.stringify(scheduled)]);
    if (cancelled.length > 0) await this.db.query(cancelSql, [cancelled.map((row) => row.id), cancelled.map((row) => row.at)]);
    const pendingIds = new Set(inserted.map((row) => row.id));
    // Rows already there: another node's processor indexed them first (cluster mode: every node
    // indexes every entry), or this entry is delivered again. Those still pending are handed on
    // too, so the node whose scheduler serves their key takes them into its window now, instead
    // of at its next full reload (limits.timerWindowMaxAgeMs, a minute later; found by the
    // three-node proof: escrows due in 2 s released a minute late).
    const existing = scheduled.filter((row) => !pendingIds.has(row.id)).map((row) => row.id);
    if (existing.length > 0) {
      for (const row of await this.db.query<{ id: string }>(pendingSql, [existing])) pendingIds.add(row.id);
    }
    const indexed = scheduled.filter((row) => pendingIds.has(row.id));
    // Every cancel in the batch, also one another node stamped first: the window drops it either way.
    if (indexed.length === 0 && cancelled.length === 0) return;
    const changes: TimerChanges = {
      earliestDueAt: indexed.reduce<number | null>((earliest, row) => (earliest === null ? row.due_at : Math.min(earliest, row.due_at)), null),
      cancelledIds: [...cancelledIds],
      indexed,
    };
    for (const listener of this.listeners) {
      try {
        listener(changes);
      } catch (error) {
        // The rows are written; a listener's fault must not make the processor repeat the batch.
        this.logger.error({ err: error }, 'timer index listener failed');
      }
    }
  }

  private collect(entries: readonly JournalEntry[]): { scheduled: ScheduledRow[]; cancelled: CancelledRow[] } {
    const scheduled: ScheduledRow[] = [];
    const cancelled: CancelledRow[] = [];
    for (const entry of entries) {
      for (const event of entry.events) {
        if (!isRecord(event)) continue;
        if (isTimerScheduled(event)) {
          scheduled.push({
            id: timerRowId(entry.key, event.timerId),
            target_key: entry.key,
            message: event.command,
            due_at: event.dueAt,
            scheduled_seq: entry.seq,
            created_at: entry.at,
            shard: this.shardCount === undefined ? null : shardOf(entry.key, this.shardCount),
          });
        } else if (isTimerCancelled(event)) {
          cancelled.push({ id: timerRowId(entry.key, event.timerId), at: entry.at });
        } else if (event['type'] === 'TimerScheduled' || event['type'] === 'TimerCancelled') {
          // Throwing would stall the processor on this entry forever; the bug is in its decider.
          this.logger.error({ key: entry.key, seq: entry.seq, event }, 'malformed timer event; not indexed');
        }
      }
    }
    return { scheduled, cancelled };
  }
}
