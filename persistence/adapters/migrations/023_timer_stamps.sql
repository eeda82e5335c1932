-- The timer index stamps cancelled timers, and the scheduler fired ones, through these functions
-- (runtime/timer-index.ts, runtime/timer-scheduler.ts), so that each named timer is found by its
-- primary key whatever the planner believes about `timers`.
--
-- As plain prepared UPDATEs, their plans were cached by the pooled connection while the table was
-- small and never analyzed (PGlite never runs ANALYZE; PostgreSQL not before autovacuum's next
-- visit), and those plans scanned the whole table on every call. Every order leaves a ship-by
-- timer, so in a 30-s checkout run on PostgreSQL the cancel cost 17 ms a round by its end, more
-- than the journal's batch insert (issue #13). An UPDATE cannot probe its target through LATERAL
-- as the read models' lookups do, so each function plans its statement without scans, hash joins
-- or merge joins: a nested loop over the ids with one primary-key probe each is all that is left.
-- The settings hold only while the function runs. A row stamped meanwhile by another node is
-- re-checked after its lock and then left alone.

-- Cancels the timers among `ids` that are neither fired nor cancelled, each at its `ats` time.
CREATE OR REPLACE FUNCTION cancel_pending_timers(ids text[], ats bigint[]) RETURNS SETOF text
LANGUAGE sql VOLATILE
SET enable_seqscan = off SET enable_hashjoin = off SET enable_mergejoin = off SET enable_bitmapscan = off
AS $$
  UPDATE timers t SET cancelled_at = c.at
  FROM (SELECT DISTINCT ON (k.id) k.id, k.at FROM unnest(ids, ats) AS k(id, at) ORDER BY k.id, k.at) c
  WHERE t.id = c.id AND coalesce(t.cancelled_at, t.fired_at) IS NULL
  RETURNING t.id
$$;

-- Marks the timers among `ids` not yet fired as fired at `at`.
CREATE OR REPLACE FUNCTION mark_timers_fired(ids text[], at bigint) RETURNS SETOF text
LANGUAGE sql VOLATILE
SET enable_seqscan = off SET enable_hashjoin = off SET enable_mergejoin = off SET enable_bitmapscan = off
AS $$
  UPDATE timers t SET fired_at = at
  FROM (SELECT DISTINCT k.id FROM unnest(ids) AS k(id)) c
  WHERE t.id = c.id AND t.fired_at IS NULL
  RETURNING t.id
$$;
