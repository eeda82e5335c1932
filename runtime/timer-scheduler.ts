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
 * In cluster mode (issue #16) timers move with their shard: the window holds only the pending
 * timers of the shards this node serves, read with `shard = ANY(...)` (021_timer_shards.sql). A
 * gained shard makes the window stale, so the next tick (or `refresh()`, which the cluster node
 * calls on a claim) reloads it with that shard's timers; a lost or handed-off shard's timers are
 * dropped from memory at the next tick without a read, and a timer whose shard left between the
 * tick's start and its delivery is dropped instead of delivered. A dropped timer stays pending in
 * the table, where the shard's new owner reads it. Dropping shards keeps the window valid: every
 * pending timer of the remaining shards up to the horizon was still in the read.
 *
 * Delivery is at least once: a timer is marked fired after its target answered (accepted it or
 * rejected it as a business answer). A transient failure leaves it pending for the next tick
 * (late rather than never). Delivering twice is harmless: the message's command id
 * (`timer:<timerId>`) makes the journal return the first result, the actor's `decide` ignores a
 * timer whose reason has passed, and the fired mark is written only once (`fired_at IS NULL`).
 */
import { performance } from 'node:perf_hooks';
import type { Db } from '../persistence/adapters/db.ts';
import { pendingTimerColumns, pendingTimerWhere, stampTimerShards, type TimerRow } from '../persistence/adapters/timer-rows.ts';
import { isTransientFailure } from './ask.ts';
import type { Clock } from './clock.ts';
import type { CommandResult } from './entity.ts';
import type { Limits } from './limits.ts';
import type { Logger } from './logger.ts';
import type { TimerChanges } from './timer-index.ts';
import { compare, toPending, toWindowTimer, type PendingTimer, type Position, type WindowTimer } from './timer-window.ts';

export type { PendingTimer } from './timer-window.ts';

/** What the scheduler needs from the runtime: ActorRuntime satisfies it. */
export interface TimerTarget {
  ask(key: string, command: unknown, timeoutMs?: number): Promise<CommandResult<unknown, unknown>>;
}

export interface TickReport {
  /** Timers delivered and marked fired (accepted or rejected by their actor). */
  readonly fired: number;
  /** Due timers whose delivery failed transiently; the next tick tries them again. */
  readonly retryLater: number;
}

/** Cluster mode: which shards' timers this node fires. ClusterNode's ownership answers it. */
export interface TimerShards {
  /** The cluster's fixed shard count (to stamp rows written before cluster mode). */
  readonly shardCount: number;
  /** The shards this node serves now. */
  ownedShards(): readonly number[];
  /** Whether this node serves the shard now; asked again just before each delivery. */
  servesShard(shard: number): boolean;
}

type Delivery = 'fired' | 'retry' | 'moved';

const pendingColumns = pendingTimerColumns;
const pendingWhere = pendingTimerWhere;

export class TimerScheduler {
  /** Pending timers in (dueAt, id) order: due ones not yet delivered, then the next ones. */
  private window: WindowTimer[] = [];
  /** Cluster mode: the shards the window was read for (null outside it: every timer). */
  private windowShards: Set<number> | null = null;
  /** Cluster mode: older rows without a shard were stamped (once per scheduler). */
  private stamped = false;
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
     * Cluster mode: the shards whose timers this node fires; its reads select only those.
     * Call `refresh()` after claiming shards so their timers load at once.
     */
    private readonly shards?: TimerShards,
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
        this.mergeIntoWindow(changes.indexed.map(toWindowTimer));
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
    this.followOwnership();
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
      const outcomes = await this.deliverAll(due);
      const firedIds = due.filter((_, index) => outcomes[index] === 'fired').map((row) => row.id);
      const movedIds = due.filter((_, index) => outcomes[index] === 'moved').map((row) => row.id);
      await this.markFired(firedIds, now);
      this.dropFromWindow(new Set([...firedIds, ...movedIds]));
      fired += firedIds.length;
      retryLater += outcomes.filter((outcome) => outcome === 'retry').length;
    }
    return { fired, retryLater };
  }

  /**
   * Cluster mode: lines the window up with the shards served now. A shard gone (lost, handed
   * off, or past its serving deadline) takes its timers out of memory; a shard the window was not
   * read for (claimed, or served again after a renewal) makes the window stale.
   */
  private followOwnership(): void {
    if (this.shards === undefined || this.windowShards === null) return;
    const owned = new Set(this.shards.ownedShards());
    const gone = [...this.windowShards].filter((shard) => !owned.has(shard));
    if (gone.length > 0) {
      for (const shard of gone) this.windowShards.delete(shard);
      this.window = this.window.filter((row) => row.shard !== null && this.windowShards?.has(row.shard) === true);
    }
    for (const shard of owned) {
      if (!this.windowShards.has(shard)) {
        this.stale = true;
        return;
      }
    }
  }

  private needsLoad(): boolean {
    if (this.stale || this.loadedAtMs === null || this.window.length === 0) return true;
    return performance.now() - this.loadedAtMs >= this.limits.timerWindowMaxAgeMs;
  }

  private dueRows(now: number, attempted: ReadonlySet<string>): WindowTimer[] {
    const due: WindowTimer[] = [];
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
    const shards = this.windowShards === null ? null : [...this.windowShards];
    if (shards !== null && shards.length === 0) return false;
    const page = await this.db.query<TimerRow>(
      `SELECT ${pendingColumns} FROM timers WHERE ${pendingWhere} AND (due_at, id) > ($1, $2)
       ${shards === null ? '' : 'AND shard = ANY($4::integer[])'} ORDER BY due_at, id LIMIT $3`,
      [this.horizon.dueAt, this.horizon.id, this.limits.timerWindowSize, ...(shards === null ? [] : [shards])],
    );
    this.acceptPage(page.map(toWindowTimer), false);
    return page.length > 0;
  }

  private async loadFromStart(): Promise<void> {
    // Cleared before the read: a refresh arriving during it must read again.
    this.stale = false;
    try {
      const shards = await this.shardsToRead();
      const rows =
        shards !== null && shards.length === 0
          ? []
          : await this.db.query<TimerRow>(
              `SELECT ${pendingColumns} FROM timers WHERE ${pendingWhere}
               ${shards === null ? '' : 'AND shard = ANY($2::integer[])'} ORDER BY due_at, id LIMIT $1`,
              [this.limits.timerWindowSize, ...(shards === null ? [] : [shards])],
            );
      this.acceptPage(rows.map(toWindowTimer), true);
      // Only once the read is in: a failed one leaves the window's shards as they were.
      this.windowShards = shards === null ? null : new Set(shards);
    } catch (error) {
      // The next tick reads again.
      this.stale = true;
      throw error;
    }
    this.loadedAtMs = performance.now();
  }

  /** The shards a full read selects; null outside cluster mode. The first read in cluster mode
   *  stamps older rows with their shard, so none is left unread. */
  private async shardsToRead(): Promise<number[] | null> {
    if (this.shards === undefined) return null;
    if (!this.stamped) {
      const stamped = await stampTimerShards(this.db, this.shards.shardCount);
      if (stamped > 0) this.logger.info({ stamped }, 'pending timers from before cluster mode now carry their shard');
      this.stamped = true;
    }
    return [...this.shards.ownedShards()];
  }

  /**
   * Adds newly indexed timers that fall inside the window, in (dueAt, id) order. Past twice the
   * window size the latest ones are dropped again: the window then ends at the last one kept,
   * and the ones after it are read as a page when they come due.
   */
  private mergeIntoWindow(rows: readonly WindowTimer[]): void {
    const inside = rows.filter((row) => this.complete || this.horizon === null || compare(row, this.horizon) <= 0);
    const kept = this.windowShards === null ? inside : inside.filter((row) => row.shard !== null && this.windowShards?.has(row.shard) === true);
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

  private acceptPage(page: WindowTimer[], replace: boolean): void {
    this.window = replace ? page : [...this.window, ...page];
    const last = page.at(-1);
    if (last !== undefined) this.horizon = { dueAt: last.dueAt, id: last.id };
    else if (replace) this.horizon = null;
    this.complete = page.length < this.limits.timerWindowSize;
  }

  /** Delivers up to `timerDeliveryConcurrency` at once, dispatching in due order. */
  private async deliverAll(due: readonly WindowTimer[]): Promise<Delivery[]> {
    const delivered = new Array<Delivery>(due.length).fill('retry');
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

  /** `fired` when the timer got its answer, `retry` to try again at the next tick, `moved` when
   *  its shard left this node (its new owner fires it; the runtime would forward it there). */
  private async deliver(row: WindowTimer): Promise<Delivery> {
    if (this.shards !== undefined && (row.shard === null || !this.shards.servesShard(row.shard))) return 'moved';
    let result: CommandResult<unknown, unknown>;
    try {
      result = await this.runtime.ask(row.targetKey, row.message);
    } catch (error) {
      this.logger.error({ timer: row.id, err: error }, 'timer delivery threw; retrying at the next tick');
      return 'retry';
    }
    if (result.ok) return 'fired';
    if (isTransientFailure(result)) {
      this.logger.debug({ timer: row.id, code: result.code }, 'timer delivery failed transiently; retrying at the next tick');
      return 'retry';
    }
    // The actor's answer is final; delivering it again would get the same rejection.
    this.logger.info({ timer: row.id, code: result.code, message: result.message }, 'timer rejected by its actor; marked fired');
    return 'fired';
  }

  private async markFired(ids: readonly string[], now: number): Promise<void> {
    if (ids.length === 0) return;
    // A function, so that each row is found by its primary key whatever plan a connection cached
    // while the table was small (023_timer_stamps.sql).
    await this.db.query('SELECT id FROM mark_timers_fired($1::text[], $2::bigint) AS id', [ids, now]);
  }

  private dropFromWindow(ids: ReadonlySet<string>): void {
    if (ids.size === 0) return;
    this.window = this.window.filter((row) => !ids.has(row.id));
  }
}
