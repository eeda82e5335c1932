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
  /** Take a snapshot after this many journal entries since the last one… */
  snapshotEvery: 100,
  /** …or, for a big state, after one entry per this many bytes of its last snapshot: a hot
   *  seller's state of 1 MB is written every 1,000 entries, not every 100, and rehydrating it
   *  replays at most that many. */
  snapshotBytesPerEntry: 1_000,
  /** Messages handed to actors in one turn of the event loop without yielding to it (nact.ts:
   *  a message runs in a microtask). Past it, dispatch waits for the next turn, so I/O and
   *  timers wait at most this many messages (about 45 µs each here: some 45 ms). */
  dispatchBurstMax: 1_000,
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
  /** Entries a consumer takes per round. A round costs a few statements whatever its size, so
   *  larger rounds keep the consumers up with a busy log: at 500, the read models fell ~4 s
   *  behind in a 10 s checkout cell at ~1,000 orders/s on PostgreSQL; at 2,000 they stay ~0.1 s
   *  behind, and the actors gain too (the database does less per order). */
  processorBatch: 2_000,
  /** How often the event processor reads the journal's head (entries another process wrote). */
  processorPollMs: 250,
  /** A consumer that handled less than a full batch waits this long after its round began before
   *  it takes the next: the log's tail then reaches it in fewer, larger rounds (a round costs a few
   *  statements whatever its size), which is what keeps consumers up with a busy log. */
  processorRoundMinMs: 100,
  /** Consumers' checkpoints are saved together at most this often: a crash repeats at most this
   *  much work (every consumer is idempotent), and a busy log costs one statement per period. */
  processorCheckpointMs: 200,
  /** Saga effects (cross-actor steps, runtime/saga.ts) one actor may have in flight at once.
   *  Each holds an ask and keeps its actor resident; the rest start as these finish. */
  sagaEffectsPerActorMax: 8,
  /** Saga effects asking their targets at once, over all actors. Each is an ask in a target's
   *  mailbox; beyond it effects queue for a slot instead of flooding the targets. */
  sagaEffectsMax: 1_000,
  /** Effects queued for a slot. Each waiter is a closure of a few hundred bytes and keeps its
   *  actor resident; beyond it an effect is not started, and the actor's next message retries it. */
  sagaEffectsQueuedMax: 10_000,
  /** Asks per effect (and per outcome report) before the runtime gives up in memory and logs.
   *  The journal still holds the step as pending: the actor's next message (its retry timer)
   *  starts it again, so giving up costs latency, never money. */
  sagaEffectAttemptsMax: 6,
  /** Backoff between attempts of an effect on a transient failure: base × 2^(attempt-1), capped.
   *  Six attempts span about 100+200+400+800+1600 ms ≈ 3 s before giving up. */
  sagaRetryBaseMs: 100,
  sagaRetryMaxMs: 5_000,
  /** Callers waiting in `waitFor` at once. Each holds a predicate, a timer and a promise;
   *  beyond it the caller gets `overloaded` at once. */
  waitersMax: 10_000,
  /** Due timers held in memory (runtime/timer-scheduler.ts): the earliest unfired ones. Larger
   *  windows mean fewer refills but more memory (each row holds its message) and bigger reads. */
  timerWindowSize: 1_000,
  /** The window is reloaded from the table at least this often, so timers indexed by another
   *  node (which never calls our refresh) are not missed. One bounded indexed query each time. */
  timerWindowMaxAgeMs: 60_000,
  /** Timer messages delivered at once. Each is an ask; more drains a burst of due timers faster
   *  but competes with user commands for the same mailboxes. */
  timerDeliveryConcurrency: 32,
  /** How often the scheduler looks for due timers. A timer fires up to this late. */
  timerPollMs: 1_000,
  /** Rows the operator view of pending timers returns at most. */
  timerPendingListMax: 1_000,
  /** Cluster mode (runtime/cluster/forwarding.ts): sends of one command to the node that owns its
   *  key, a 421 or a network failure each costing one. Every retry first re-reads the lease
   *  table, so more attempts mean more reads during a handoff; past them the caller gets
   *  `unavailable` (503, safe to retry with the same command id). */
  forwardAttemptsMax: 3,
  /** Wait before resending after a network failure (× the attempt), within the caller's deadline. */
  forwardRetryBackoffMs: 50,
  /** What a forward keeps of the caller's remaining time for the way back: the owner is asked to
   *  answer this much earlier, so its answer (even a timeout) arrives before the caller gives up. */
  forwardReturnMarginMs: 50,
  /** Below this much remaining time a forward is not sent: the owner could not decide in time. */
  forwardMinBudgetMs: 20,
  /** The longest a wait forwarded from another node lasts here (internal endpoint), whatever
   *  deadline it brings. Each holds a waiter (waitersMax) and an open request on the sender's
   *  keep-alive connection; a checkout waits up to 15 s (gateway/routes/orders.ts). */
  forwardedWaitMaxMs: 30_000,
  /** Ownership changes each node keeps in memory for the operators' cluster view
   *  (runtime/cluster/handoff-history.ts): about 100 bytes each; older ones are dropped. A full
   *  failover of 256 shards fits twice (an expiry and a claim each). */
  handoffHistoryMax: 1_024,
} as const;

export type Limits = { readonly [Name in keyof typeof limits]: number };
