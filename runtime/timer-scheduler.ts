/**
 * The timer scheduler (DESIGN.md §4): delivers each indexed timer's message to its actor once
 * the injected clock has passed its due time, then marks it fired.
 *
 * Memory holds only a window: the earliest `timerWindowSize` pending timers in (due_at, id)
 * order. When every due timer of the window is delivered and more may be due beyond it, the
 * next page is read; `refresh()` (called after the index wrote new timers) reloads it when the
 * new timers fall inside it; and it is reloaded from the table when empty or older than
 * `timerWindowMaxAgeMs`, which also catches timers another node indexed.
 *
 * Delivery is at least once: a timer is marked fired after its target answered (accepted it or
 * rejected it as a business answer). A transient failure leaves it pending for the next tick
 * (late rather than never). Delivering twice is harmless: the message's command id
 * (`timer:<timerId>`) makes the journal return the first result, the actor's `decide` ignores a
 * timer whose reason has passed, and the fired mark is written only once (`fired_at IS NULL`).
 */
import { performance } from 'node:perf_hooks';
import type { Db } from '../persistence/adapters/db.ts';
import { pendingTimerColumns, pendingTimerWhere, type TimerRow } from '../persistence/adapters/timer-rows.ts';
import { isTransientFailure } from './ask.ts';
import type { Clock } from './clock.ts';
import type { CommandResult } from './entity.ts';
import type { Limits } from './limits.ts';
import type { Logger } from './logger.ts';
import type { TimerChanges } from './timer-index.ts';

/** What the scheduler needs from the runtime: ActorRuntime satisfies it. */
export interface TimerTarget {
  ask(key: string, command: unknown, timeoutMs?: number): Promise<CommandResult<unknown, unknown>>;
}

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

export interface TickReport {
  /** Timers delivered and marked fired (accepted or rejected by their actor). */
  readonly fired: number;
  /** Due timers whose delivery failed transiently; the next tick tries them again. */
  readonly retryLater: number;
}

type Position = Pick<PendingTimer, 'dueAt' | 'id'>;

const pendingColumns = pendingTimerColumns;
const pendingWhere = pendingTimerWhere;

/** (dueAt, id) order, as the table's index and every read of the window use. */
function compare(a: Position, b: Position): number {
  if (a.dueAt !== b.dueAt) return a.dueAt - b.dueAt;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

function toPending(row: TimerRow): PendingTimer {
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

export class TimerScheduler {
  /** Pending timers in (dueAt, id) order: due ones not yet delivered, then the next ones. */
  private window: PendingTimer[] = [];
  /** The last row of the latest read; every pending timer up to it was in that read. */
  private horizon: Position | null = null;
  /** The latest read returned fewer rows than asked: no pending timer lay beyond it. */
  private complete = false;
  private loadedAtMs: number | null = null;
  private stale = true;
  /** Loads and ticks run one at a time, in call order. */
  private lane: Promise<unknown> = Promise.resolve();
  private queuedReload: Promise<void> | null = null;
  private interval: NodeJS.Timeout | null = null;
  private ticking = false;

  constructor(
    private readonly db: Db,
    private readonly runtime: TimerTarget,
    private readonly clock: Clock,
    private readonly limits: Limits,
    private readonly logger: Logger,
    /**
     * Cluster mode: whether this node serves a timer's target key. Timers of other nodes' shards
     * are read and then left out of the window, in memory (the table has no shard column yet, so
     * each node still reads every node's due timers: fine for a few nodes, a shard column and
     * index are the fix for many). Call `refresh()` after claiming shards so their timers load.
     */
    private readonly serves?: (key: string) => boolean,
  ) {}

  /**
   * Brings the window up to date after the index wrote timers. With `changes` it drops newly
   * cancelled timers from memory and takes the new timers that fall inside the window into it
   * (the index hands over their rows, so a loaded window needs no read); without, it reloads.
   * Never rejects: a failed reload is logged and the next tick reloads instead. Concurrent calls
   * share one queued reload.
   */
  refresh(changes?: TimerChanges): Promise<void> {
    if (changes !== undefined) {
      if (changes.cancelledIds.length > 0) this.dropFromWindow(new Set(changes.cancelledIds));
      if (!this.newTimersMatter(changes.earliestDueAt)) return Promise.resolve();
      if (!this.stale && this.loadedAtMs !== null) {
        this.mergeIntoWindow(changes.indexed.map(toPending));
        return Promise.resolve();
      }
    }
    this.stale = true;
    if (this.queuedReload !== null) return this.queuedReload;
    const reload = this.enqueue(async () => {
      this.queuedReload = null;
      // A tick that ran first may already have reloaded.
      if (this.stale) await this.loadFromStart();
    }).catch((error: unknown) => {
      this.logger.error({ err: error }, 'timer window reload failed; the next tick reloads');
    });
    this.queuedReload = reload;
    return reload;
  }

  /** Delivers every timer due at `clock.now()`. Resolves when they are answered and marked. */
  tick(): Promise<TickReport> {
    return this.enqueue(() => this.runTick());
  }

  /** Ticks every `intervalMs` of real time (reading the injected clock); the timer is unref'd. */
  start(intervalMs: number = this.limits.timerPollMs): void {
    if (this.interval !== null) return;
    this.interval = setInterval(() => {
      // A slow tick (a burst of due timers) is not queued behind by more ticks.
      if (this.ticking) return;
      this.ticking = true;
      this.tick()
        .catch((error: unknown) => this.logger.error({ err: error }, 'timer tick failed; the next tick retries'))
        .finally(() => (this.ticking = false));
    }, intervalMs);
    this.interval.unref();
  }

  /** Stops polling and waits for the tick or reload in progress. */
  async stop(): Promise<void> {
    if (this.interval !== null) clearInterval(this.interval);
    this.interval = null;
    await this.lane;
  }

  /** Pending (unfired, uncancelled) timers, of one actor or all, earliest first, for operators. */
  async pending(targetKey?: string): Promise<PendingTimer[]> {
    const limit = this.limits.timerPendingListMax;
    const rows =
      targetKey === undefined
        ? await this.db.query<TimerRow>(
            `SELECT ${pendingColumns} FROM timers WHERE ${pendingWhere} ORDER BY due_at, id LIMIT $1`,
            [limit],
          )
        : await this.db.query<TimerRow>(
            `SELECT ${pendingColumns} FROM timers WHERE target_key = $1 AND ${pendingWhere} ORDER BY due_at, id LIMIT $2`,
            [targetKey, limit],
          );
    return rows.map(toPending);
  }

  /** Timers held in memory now (at most about twice `timerWindowSize`). */
  windowSize(): number {
    return this.window.length;
  }

  private enqueue<T>(job: () => Promise<T>): Promise<T> {
    const run = this.lane.then(job);
    this.lane = run.catch(() => undefined);
    return run;
  }

  private newTimersMatter(earliestDueAt: number | null): boolean {
    if (earliestDueAt === null) return false;
    // Beyond an incomplete window they arrive with a later page; otherwise they belong in it now.
    return this.complete || this.horizon === null || earliestDueAt <= this.horizon.dueAt;
  }

  private async runTick(): Promise<TickReport> {
    if (this.needsLoad()) await this.loadFromStart();
    const now = this.clock.now();
    const attempted = new Set<string>();
    let fired = 0;
    let retryLater = 0;
    for (;;) {
      const due = this.dueRows(now, attempted);
      if (due.length === 0) {
        if (await this.loadNextPageIfDue(now)) continue;
        break;
      }
      for (const row of due) attempted.add(row.id);
      const delivered = await this.deliverAll(due);
      const firedIds = due.filter((_, index) => delivered[index] === true).map((row) => row.id);
      await this.markFired(firedIds, now);
      this.dropFromWindow(new Set(firedIds));
      fired += firedIds.length;
      retryLater += due.length - firedIds.length;
    }
    return { fired, retryLater };
  }

  private needsLoad(): boolean {
    if (this.stale || this.loadedAtMs === null || this.window.length === 0) return true;
    return performance.now() - this.loadedAtMs >= this.limits.timerWindowMaxAgeMs;
  }

  private dueRows(now: number, attempted: ReadonlySet<string>): PendingTimer[] {
    const due: PendingTimer[] = [];
    for (const row of this.window) {
      if (row.dueAt > now) break;
      if (!attempted.has(row.id)) due.push(row);
    }
    return due;
  }

  /**
   * Reads the page after the window when every timer in it is due and attempted, so a burst
   * larger than the window fires in one tick. Timers left for a retry stay in memory, but no
   * more than one window of them: beyond that the rest waits for the next tick.
   */
  private async loadNextPageIfDue(now: number): Promise<boolean> {
    if (this.complete || this.horizon === null || this.horizon.dueAt > now) return false;
    if (this.window.length >= this.limits.timerWindowSize) return false;
    const page = await this.db.query<TimerRow>(
      `SELECT ${pendingColumns} FROM timers WHERE ${pendingWhere} AND (due_at, id) > ($1, $2)
       ORDER BY due_at, id LIMIT $3`,
      [this.horizon.dueAt, this.horizon.id, this.limits.timerWindowSize],
    );
    this.acceptPage(page.map(toPending), false);
    return page.length > 0;
  }

  private async loadFromStart(): Promise<void> {
    // Cleared before the read: a refresh arriving during it must read again.
    this.stale = false;
    const rows = await this.db.query<TimerRow>(
      `SELECT ${pendingColumns} FROM timers WHERE ${pendingWhere} ORDER BY due_at, id LIMIT $1`,
      [this.limits.timerWindowSize],
    );
    this.acceptPage(rows.map(toPending), true);
    this.loadedAtMs = performance.now();
  }

  /**
   * Adds newly indexed timers that fall inside the window, in (dueAt, id) order. Past twice the
   * window size the latest ones are dropped again: the window then ends at the last one kept,
   * and the ones after it are read as a page when they come due.
   */
  private mergeIntoWindow(rows: readonly PendingTimer[]): void {
    const inside = rows.filter((row) => this.complete || this.horizon === null || compare(row, this.horizon) <= 0);
    const kept = this.serves === undefined ? inside : inside.filter((row) => this.serves?.(row.targetKey) === true);
    if (kept.length === 0) return;
    const present = new Set(this.window.map((row) => row.id));
    const merged = [...this.window, ...kept.filter((row) => !present.has(row.id))].sort(compare);
    const bound = 2 * this.limits.timerWindowSize;
    if (merged.length > bound) {
      merged.length = bound;
      const last = merged[bound - 1];
      if (last !== undefined) this.horizon = { dueAt: last.dueAt, id: last.id };
      this.complete = false;
    }
    this.window = merged;
  }

  private acceptPage(page: PendingTimer[], replace: boolean): void {
    // The horizon and completeness follow the page as read; only the window leaves out the
    // timers of shards this node does not serve.
    const kept = this.serves === undefined ? page : page.filter((row) => this.serves?.(row.targetKey) === true);
    this.window = replace ? kept : [...this.window, ...kept];
    const last = page.at(-1);
    if (last !== undefined) this.horizon = { dueAt: last.dueAt, id: last.id };
    else if (replace) this.horizon = null;
    this.complete = page.length < this.limits.timerWindowSize;
  }

  /** Delivers up to `timerDeliveryConcurrency` at once, dispatching in due order. */
  private async deliverAll(due: readonly PendingTimer[]): Promise<boolean[]> {
    const delivered = new Array<boolean>(due.length).fill(false);
    let next = 0;
    const worker = async () => {
      while (next < due.length) {
        const index = next;
        next += 1;
        const row = due[index];
        if (row !== undefined) delivered[index] = await this.deliver(row);
      }
    };
    const workers = Math.min(this.limits.timerDeliveryConcurrency, due.length);
    await Promise.all(Array.from({ length: workers }, worker));
    return delivered;
  }

  /** True when the timer got its answer (fire it); false to try again at the next tick. */
  private async deliver(row: PendingTimer): Promise<boolean> {
    let result: CommandResult<unknown, unknown>;
    try {
      result = await this.runtime.ask(row.targetKey, row.message);
    } catch (error) {
      this.logger.error({ timer: row.id, err: error }, 'timer delivery threw; retrying at the next tick');
      return false;
    }
    if (result.ok) return true;
    if (isTransientFailure(result)) {
      this.logger.debug({ timer: row.id, code: result.code }, 'timer delivery failed transiently; retrying at the next tick');
      return false;
    }
    // The actor's answer is final; delivering it again would get the same rejection.
    this.logger.info({ timer: row.id, code: result.code, message: result.message }, 'timer rejected by its actor; marked fired');
    return true;
  }

  private async markFired(ids: readonly string[], now: number): Promise<void> {
    if (ids.length === 0) return;
    await this.db.query(
      `UPDATE timers SET fired_at = $1
       WHERE id IN (SELECT jsonb_array_elements_text($2::jsonb)) AND fired_at IS NULL`,
      [now, JSON.stringify(ids)],
    );
  }

  private dropFromWindow(ids: ReadonlySet<string>): void {
    if (ids.size === 0) return;
    this.window = this.window.filter((row) => !ids.has(row.id));
  }
}
