/**
 * When a node must stop serving a shard it leases (issue #16). The database judges expiry on its
 * own clock: a claim or renewal sets `expires_at = now() + ttl`, where now() is when the server ran
 * the statement. The node sent that statement earlier, so "sent + ttl" on the node's own clock
 * comes no later than the database's expiry, and the node stops before any other node can take
 * the shard. That holds while both clocks run at about the same rate over one TTL (the usual lease
 * assumption); a wall-clock step on either side must not count, hence the monotonic clock
 * (`performance.now()`), never `Date.now()`. If the assumption fails, the fence in the journal
 * (sql-journal.ts) still refuses the old owner's next batch: the deadline keeps a node from
 * answering reads and rejections from stale memory, the fence keeps the data safe.
 *
 * The deadline is taken from when the statement was sent, not when its answer arrived: a slow
 * answer must shorten the node's lease, never lengthen it.
 */

/** The monotonic time (ms) until which a claim or renewal sent at `sentAtMs` lets a node serve. */
export function servingDeadlineMs(sentAtMs: number, ttlMs: number): number {
  if (!Number.isFinite(sentAtMs)) throw new RangeError(`sentAtMs must be a monotonic time in ms, got ${sentAtMs}`);
  if (!Number.isInteger(ttlMs) || ttlMs <= 0) throw new RangeError(`ttlMs must be a positive integer, got ${ttlMs}`);
  return sentAtMs + ttlMs;
}

/** Whether a node may still serve a shard at monotonic time `nowMs`: strictly before the deadline. */
export function mayServe(nowMs: number, deadlineMs: number): boolean {
  return nowMs < deadlineMs;
}
