/**
 * The event processor: hands journal entries not yet processed to every consumer, in
 * (key, seq) order, then checkpoints them. Delivery is at least once (a crash between a
 * consumer's work and the checkpoint repeats that batch), so every consumer is idempotent.
 * On start it first drains whatever was journaled but not processed before a crash.
 */
import type { Consumer } from '../persistence/adapters/consumer.ts';
import type { Journal, JournalEntry } from '../persistence/adapters/journal.ts';
import type { Limits } from './limits.ts';
import type { Logger } from './logger.ts';


export class EventProcessor {
  private running = false;
  private wakeRequested = false;
  private loop: Promise<void> | null = null;
  private timer: NodeJS.Timeout | null = null;
  private failures = 0;
  processedCount = 0;

  /** True between start() and stop(): the readiness probe reports it. */
  isRunning(): boolean {
    return this.running;
  }

  constructor(
    private readonly journal: Journal,
    private readonly consumers: readonly Consumer[],
    private readonly limits: Limits,
    private readonly logger: Logger,
  ) {}

  start(): void {
    if (this.running) return;
    this.running = true;
    this.wake();
  }

  /** Asks for a round soon; cheap to call after every append. */
  wake(): void {
    if (!this.running) return;
    this.wakeRequested = true;
    if (this.loop === null) this.loop = this.run().finally(() => (this.loop = null));
  }

  /** Processes everything currently unprocessed; resolves when the backlog is empty. */
  async drain(): Promise<void> {
    for (;;) {
      const processed = await this.round();
      if (processed === 0) return;
    }
  }

  private async run(): Promise<void> {
    while (this.running && this.wakeRequested) {
      this.wakeRequested = false;
      try {
        const processed = await this.round();
        this.failures = 0;
        if (processed > 0) this.wakeRequested = true;
      } catch (error) {
        this.failures += 1;
        const backoffMs = Math.min(5_000, 50 * 2 ** Math.min(this.failures, 7));
        this.logger.error({ err: error, failures: this.failures, backoffMs }, 'event processor round failed; will retry');
        await new Promise((resolve) => setTimeout(resolve, backoffMs));
        this.wakeRequested = true;
      }
    }
    this.schedulePoll();
  }

  private schedulePoll(): void {
    if (!this.running || this.timer !== null) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.wake();
    }, this.limits.processorPollMs);
    this.timer.unref();
  }

  private async round(): Promise<number> {
    const entries = await this.journal.readUnprocessed(this.limits.processorBatch);
    if (entries.length === 0) return 0;
    for (const consumer of this.consumers) await consumer.handle(entries);
    await this.journal.markProcessed(entries.map(({ key, seq }) => ({ key, seq })));
    this.processedCount += entries.length;
    return entries.length;
  }

  async stop(): Promise<void> {
    this.running = false;
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    await this.loop;
  }
}
