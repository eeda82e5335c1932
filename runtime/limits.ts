/**
 * Every bound in the runtime, in one place (STYLE.md, "Put a limit on everything").
 * Each says what exceeding it costs and what the caller gets instead of unbounded growth.
 */
export const limits = {
  /** Entries written in one group-commit statement. Larger batches amortise fsync better but
   *  hold a PGlite connection (which runs one query at a time) for longer. */
  journalMaxBatch: 500,
  /** How long the first queued append waits for company. 0 = batch only what queued up while
   *  the previous write was in flight (natural batching, no added latency when idle). */
  journalMaxWaitMs: 0,
  /** Entries read per page while rehydrating an actor; bounds memory for long streams. */
  rehydratePageSize: 1_000,
  /** Take a snapshot after this many journal entries since the last one. */
  snapshotEvery: 100,
  /** Messages waiting for one actor. Beyond it the caller gets `mailbox_full` at once. */
  mailboxMax: 1_000,
  /** Default time an ask waits for its reply before it fails with `timeout`. */
  askTimeoutMs: 5_000,
  /** Idle time after which an actor is passivated (stopped; it rehydrates on its next message). */
  passivateAfterMs: 60_000,
  /** How often the shards look for idle actors. */
  passivationSweepMs: 5_000,
  /** Resident actors per node. Beyond it the least recently used idle actors are passivated. */
  residentActorsMax: 200_000,
  /** Parents the actors are spread over; nact copies a parent's children map per message. */
  shardCount: 256,
  /** Crashes an actor may have within `restartWindowMs` before it is stopped for good. */
  restartsMax: 5,
  restartWindowMs: 60_000,
  /** Backoff between restarts: base × 2^(restart-1), capped. */
  restartBackoffBaseMs: 20,
  restartBackoffMaxMs: 2_000,
  /** A VersionConflict makes the actor reload and decide again, at most this many times. */
  conflictRetriesMax: 3,
  /** Entries the event processor takes per round. */
  processorBatch: 500,
  /** How often the event processor polls when nothing woke it. */
  processorPollMs: 250,
} as const;

export type Limits = { readonly [Name in keyof typeof limits]: number };
