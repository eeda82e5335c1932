/**
 * The event processor (DESIGN.md §2a): feeds every consumer the committed log in position order,
 * each at its own pace from its own checkpoint, so a failing consumer lags alone and is retried
 * with backoff while the others go on.
 *
 * - From the tail: the commit log hands each committed batch over (`offer`), and a consumer that
 *   is caught up takes its entries from memory, with no query. A consumer reads the journal only
 *   to catch up after a restart, when it fell behind what memory keeps, or for entries another
 *   process wrote (their positions leave a hole in what this process saw).
 * - Order between consumers: a consumer handles a position only once every consumer it follows
 *   (`after`, by name) has handled it; mail planning, say, reads rows the read models write.
 * - Checkpoints: each consumer's position is saved with the others in one statement at most every
 *   `processorCheckpointMs`, and at stop. Delivery is at least once (a crash after a consumer's
 *   work and before its checkpoint repeats those entries), so every consumer is idempotent.
 */
import type { Consumer } from '../persistence/adapters/consumer.ts';
import type { Journal, LoggedEntry } from '../persistence/adapters/journal.ts';
import type { Limits } from './limits.ts';
import type { Logger } from './logger.ts';

/** A consumer and the names of the consumers whose work it reads. */
export interface FollowedConsumer {
  readonly consumer: Consumer;
  readonly after: readonly string[];
  /**
   * Nobody waits on it by the millisecond (the timer index, mail, analytics, search): it keeps
   * its pause between rounds even while callers wait for the read models, so under load it takes
   * the log in rounds of `processorRoundMinMs` instead of one small round per commit, and leaves
   * the database to the consumers answers wait on.
   */
  readonly background?: boolean;
}

export interface ConsumerLag {
  readonly consumer: string;
  readonly position: number;
  /** Committed entries this consumer has not handled yet. */
  readonly lag: number;
  /** Failed attempts in a row (0 when its last attempt succeeded). */
  readonly failures: number;
}

interface Follower {
  readonly consumer: Consumer;
  readonly after: readonly Follower[];
  readonly background: boolean;
  position: number;
  saved: number;
  failures: number;
  /** Failed attempts in all (never reset), so a drain tells a failure during it from older ones. */
  failedRounds: number;
  lastError: unknown;
}

/** Failures in a row after which `drain` gives up on a consumer (its backoff is then ~3 s long). */
const drainFailuresMax = 5;

/** Committed entries kept in memory for consumers that are catching up. */
const tailMax = 50_000;

export class EventProcessor {
  private readonly followers: Follower[];
  private head = 0;
  /** Entries with positions tailStart + 1 … tailStart + tail.length, without holes. */
  private tail: LoggedEntry[] = [];
  private tailStart = 0;
  private running = false;
  private loops: Promise<void>[] = [];
  private changed!: Promise<void>;
  private signal!: () => void;
  private pollTimer: NodeJS.Timeout | null = null;
  private checkpointTimer: NodeJS.Timeout | null = null;
  private ready: Promise<void> | null = null;
  /** Callers waiting in `caughtUp`: consumers skip the pause between rounds while there are any
   *  (background ones excepted). */
  private urgent = 0;
  /** Callers in `drain`: every consumer skips the pause while there are any. */
  private draining = 0;
  /** Drains begun so far: a consumer backing off after failures retries at once when one begins. */
  private drainsBegun = 0;

  /** `sharedJournal`: other processes commit to the same journal (cluster mode), so the head
   *  this process knows may lag the journal's until its next poll (caughtUp). */
  constructor(
    private readonly journal: Journal,
    consumers: readonly FollowedConsumer[],
    private readonly limits: Limits,
    private readonly logger: Logger,
    private readonly sharedJournal = false,
  ) {
    const byName = new Map<string, Follower>();
    this.followers = consumers.map(({ consumer, after, background = false }) => {
      if (byName.has(consumer.name)) throw new Error(`two consumers are named ${consumer.name}`);
      const followed = after.map((name) => {
        const earlier = byName.get(name);
        if (earlier === undefined) throw new Error(`${consumer.name} follows ${name}, which is not listed before it`);
        return earlier;
      });
      const follower: Follower = { consumer, after: followed, background, position: 0, saved: 0, failures: 0, failedRounds: 0, lastError: null };
      byName.set(consumer.name, follower);
      return follower;
    });
    this.renewSignal();
  }

  /** True between start() and stop(): the readiness probe reports it. */
  isRunning(): boolean {
    return this.running;
  }

  /** Entries handed to every consumer: the lowest position among them. */
  get processedCount(): number {
    return this.followers.reduce((lowest, follower) => Math.min(lowest, follower.position), this.head);
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.ready = this.load();
    this.loops = this.followers.map((follower) => this.follow(follower));
    this.schedulePoll();
  }

  /** A batch the commit log committed, in log order. */
  offer(entries: readonly LoggedEntry[]): void {
    const first = entries[0];
    const last = entries.at(-1);
    if (first === undefined || last === undefined) return;
    if (first.position === this.tailStart + this.tail.length + 1) this.tail.push(...entries);
    else {
      // A hole (another process wrote in between, or memory was trimmed): start afresh here;
      // whoever is behind this batch reads the journal up to it.
      this.tail = [...entries];
      this.tailStart = first.position - 1;
    }
    this.head = Math.max(this.head, last.position);
    this.trimTail();
    this.wake();
  }

  /** Asks every consumer to look again (a new head, progress of a consumer it follows). */
  wake(): void {
    this.signal();
  }

  lags(): ConsumerLag[] {
    return this.followers.map((follower) => ({
      consumer: follower.consumer.name,
      position: follower.position,
      lag: Math.max(0, this.head - follower.position),
      failures: follower.failures,
    }));
  }

  /**
   * Read-your-writes for a caller outside: resolves true once `consumer` has handled everything
   * committed when it was called (so a reply already released is visible in its tables), false
   * after `timeoutMs`. While anyone waits, consumers skip the pause between rounds.
   */
  async caughtUp(consumer: string, timeoutMs: number): Promise<boolean> {
    const follower = this.followers.find((each) => each.consumer.name === consumer);
    if (follower === undefined || !this.running) return false;
    const target = this.sharedJournal ? await this.journalHead() : this.head;
    if (follower.position >= target) return true;
    const deadline = Date.now() + timeoutMs;
    this.urgent += 1;
    this.wake();
    try {
      while (follower.position < target && this.running && Date.now() < deadline) {
        let timer: NodeJS.Timeout | undefined;
        await Promise.race([this.changed, new Promise((resolve) => (timer = setTimeout(resolve, deadline - Date.now())))]);
        clearTimeout(timer);
      }
    } finally {
      this.urgent -= 1;
    }
    return follower.position >= target;
  }

  /**
   * The journal's durable head, taken into this process's. Another node may have committed what
   * the caller was answered about (a forwarded command: its owner answers once durable), and this
   * process learns of such commits only at its next poll; the order page right after a forwarded
   * checkout, or a checkout right after a forwarded product listing, would miss it (found by
   * forwarding.int.test.ts: a product created through the other node, then `product_not_found`).
   * If the head cannot be read, the known one stands: the wait is a courtesy, not a guarantee.
   */
  private async journalHead(): Promise<number> {
    try {
      this.head = Math.max(this.head, await this.journal.headPosition());
      this.wake();
    } catch (error) {
      this.logger.warn({ err: error }, 'reading the journal head for a read-your-writes wait failed; waiting for the known head');
    }
    return this.head;
  }

  /** Resolves once every consumer handled everything committed when it was called; rejects
   *  with a consumer's error if one keeps failing (`drainFailuresMax` times in a row, the last of
   *  them after the drain began). A consumer backing off retries at once when a drain begins, so
   *  an outage that ended during its backoff is not reported as a failure. */
  async drain(): Promise<void> {
    if (!this.running) return this.drainStopped();
    await this.ready;
    const target = Math.max(this.head, await this.journal.headPosition());
    this.head = Math.max(this.head, target);
    this.draining += 1;
    this.drainsBegun += 1;
    const failedBefore = this.followers.map((follower) => follower.failedRounds);
    try {
      this.wake();
      for (;;) {
        // A consumer that failed once or twice is retrying (a store outage that just ended, say);
        // one that keeps failing, again after this drain began, is reported.
        const failing = this.followers.find((follower, index) => follower.failures >= drainFailuresMax && follower.failedRounds > (failedBefore[index] ?? 0));
        if (failing !== undefined) throw failing.lastError;
        if (this.followers.every((follower) => follower.position >= target)) break;
        if (!this.running) throw new Error('the event processor stopped before it drained');
        await this.changed;
      }
    } finally {
      this.draining -= 1;
    }
    await this.saveCheckpoints();
  }

  /** Without the loops (never started, or stopped): hands everything over here, each consumer
   *  in list order, so every consumer has handled what those it follows did before it starts. */
  private async drainStopped(): Promise<void> {
    this.ready ??= this.load();
    await this.ready;
    const target = Math.max(this.head, await this.journal.headPosition());
    this.head = target;
    for (const follower of this.followers) {
      while (follower.position < target) {
        const entries = await this.nextEntries(follower.position, target);
        if (entries.length > 0) await follower.consumer.handle(entries);
        follower.position = entries.at(-1)?.position ?? target;
      }
    }
    await this.saveCheckpoints();
  }

  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    for (const timer of [this.pollTimer, this.checkpointTimer]) if (timer !== null) clearTimeout(timer);
    this.pollTimer = null;
    this.checkpointTimer = null;
    this.wake();
    await Promise.all(this.loops);
    await this.saveCheckpoints().catch((error: unknown) => this.logger.error({ err: error }, 'saving consumer checkpoints at stop failed'));
  }

  private async load(): Promise<void> {
    const [head, ...positions] = await Promise.all([
      this.journal.headPosition(),
      ...this.followers.map((follower) => this.journal.checkpoint(follower.consumer.name)),
    ]);
    this.head = Math.max(this.head, head ?? 0);
    this.followers.forEach((follower, index) => {
      follower.position = positions[index] ?? 0;
      follower.saved = follower.position;
    });
  }

  private async follow(follower: Follower): Promise<void> {
    try {
      await this.ready;
    } catch (error) {
      this.logger.error({ err: error }, 'loading consumer checkpoints failed; the event processor stops');
      this.running = false;
      return;
    }
    while (this.running) {
      const changed = this.changed;
      const upTo = follower.after.reduce((lowest, earlier) => Math.min(lowest, earlier.position), this.head);
      if (follower.position >= upTo) {
        await changed;
        continue;
      }
      const roundStartedAt = Date.now();
      try {
        const entries = await this.nextEntries(follower.position, upTo);
        if (entries.length === 0) {
          // Nothing stored up to the head this process believes in (a hole left by a refused
          // write): the poll brings the next real head.
          follower.position = upTo;
        } else {
          await follower.consumer.handle(entries);
          follower.position = entries.at(-1)?.position ?? follower.position;
        }
        follower.failures = 0;
        this.scheduleCheckpoint();
        this.trimTail();
        this.wake();
        if (entries.length < this.limits.processorBatch) {
          await this.sleepUnlessStopped(roundStartedAt + this.limits.processorRoundMinMs - Date.now(), follower.background ? 'pause-background' : 'pause');
        }
      } catch (error) {
        follower.failures += 1;
        follower.failedRounds += 1;
        follower.lastError = error;
        const backoffMs = Math.min(5_000, 50 * 2 ** Math.min(follower.failures, 7));
        this.logger.error({ err: error, consumer: follower.consumer.name, failures: follower.failures, backoffMs }, 'consumer failed; retrying');
        this.wake();
        await this.sleepUnlessStopped(backoffMs);
      }
    }
  }

  /** Entries after `after`, up to `upTo`, at most a batch: from memory when it holds them. */
  private async nextEntries(after: number, upTo: number): Promise<readonly LoggedEntry[]> {
    const limit = Math.min(upTo - after, this.limits.processorBatch);
    if (after >= this.tailStart && after < this.tailStart + this.tail.length) {
      const from = after - this.tailStart;
      return this.tail.slice(from, from + limit);
    }
    const entries = await this.journal.readAfter(after, limit);
    return entries.filter((entry) => entry.position <= upTo);
  }

  private trimTail(): void {
    const lowest = this.followers.reduce((min, follower) => Math.min(min, follower.position), Number.POSITIVE_INFINITY);
    const handled = Math.min(lowest - this.tailStart, this.tail.length);
    const excess = this.tail.length - tailMax;
    const drop = Math.max(handled, excess);
    if (drop <= 0) return;
    this.tail = this.tail.slice(drop);
    this.tailStart += drop;
  }

  /** Waits out a backoff, or less when the processor stops meanwhile (or, for the pause between
   *  rounds, when a caller drains, or waits in `caughtUp` for a consumer that is not background). */
  private async sleepUnlessStopped(ms: number, kind: 'backoff' | 'pause' | 'pause-background' = 'backoff'): Promise<void> {
    const deadline = Date.now() + ms;
    const drainsBegun = this.drainsBegun;
    const cut = () => (kind === 'backoff' ? this.drainsBegun !== drainsBegun : this.draining > 0 || (kind === 'pause' && this.urgent > 0));
    while (this.running && Date.now() < deadline && !cut()) {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([this.changed, new Promise((resolve) => (timer = setTimeout(resolve, deadline - Date.now())))]);
      clearTimeout(timer);
    }
  }

  private renewSignal(): void {
    let resolve!: () => void;
    this.changed = new Promise<void>((done) => (resolve = done));
    this.signal = () => {
      const previous = resolve;
      this.renewSignal();
      previous();
    };
  }

  private schedulePoll(): void {
    if (!this.running) return;
    this.pollTimer = setTimeout(() => {
      this.pollTimer = null;
      void this.journal
        .headPosition()
        .then((head) => {
          if (head > this.head) {
            this.head = head;
            this.wake();
          }
        })
        .catch((error: unknown) => this.logger.warn({ err: error }, 'reading the journal head failed; will retry'))
        .finally(() => this.schedulePoll());
    }, this.limits.processorPollMs);
    this.pollTimer.unref();
  }

  private scheduleCheckpoint(): void {
    if (this.checkpointTimer !== null || !this.running) return;
    this.checkpointTimer = setTimeout(() => {
      this.checkpointTimer = null;
      this.saveCheckpoints().catch((error: unknown) => this.logger.warn({ err: error }, 'saving consumer checkpoints failed; will retry'));
    }, this.limits.processorCheckpointMs);
    this.checkpointTimer.unref();
  }

  private async saveCheckpoints(): Promise<void> {
    const moved = this.followers.filter((follower) => follower.position > follower.saved);
    if (moved.length === 0) return;
    const checkpoints = moved.map((follower) => ({ consumer: follower.consumer.name, position: follower.position }));
    await this.journal.saveCheckpoints(checkpoints);
    for (const [index, follower] of moved.entries()) follower.saved = Math.max(follower.saved, checkpoints[index]?.position ?? 0);
  }
}
