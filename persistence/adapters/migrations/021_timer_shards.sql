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

-- No index of its own. The window's read walks the pending timers' (due_at, id) index
-- (003_timers.sql) and skips the rows of other shards, so a full read touches about (nodes ×
-- window) rows, whatever the number of pending timers. Measured on PostgreSQL 15 with 100k
-- pending timers over 256 shards, a node owning 86 of them: about 1 ms for a window of 1,000. An index
-- led by shard let the planner pick a bitmap scan of every pending timer of the owned shards
-- plus a sort instead (26 ms there, and growing with the pending set), and cost one more index
-- write per timer indexed. PostgreSQL 15 cannot merge per-shard index scans in due order.
