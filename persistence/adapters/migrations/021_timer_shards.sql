-- Timers move with their shard (issue #16). In cluster mode the timer index writes the shard of
-- the timer's target key (persistence/cluster/shards.ts, `shardOf`), and each node's scheduler
-- reads only the pending timers of the shards it leases (`shard = ANY($1)`), instead of every
-- node reading every due timer and leaving out the others' in memory.
--
-- Embedded and single-node deployments have no shard count, so their index writes NULL and their
-- scheduler reads every pending timer, as before. Rows written before cluster mode was turned on
-- (NULL here) are stamped by the first cluster node that starts (timer-rows.ts,
-- `stampTimerShards`), with the hash computed in one place: the JavaScript that also places keys
-- and fences batches, so the two can never disagree.
ALTER TABLE timers ADD COLUMN IF NOT EXISTS shard integer CHECK (shard IS NULL OR shard >= 0);

-- The cluster scheduler's window: pending timers of a set of shards in (due_at, id) order. With a
-- shard's timers together the planner can read each owned shard's rows by index instead of
-- walking every node's pending timers in due order and skipping the ones of other shards.
CREATE INDEX IF NOT EXISTS timers_pending_shard_due ON timers (shard, due_at, id)
  WHERE fired_at IS NULL AND cancelled_at IS NULL;
