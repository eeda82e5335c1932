-- The timer index stamps cancelled timers, and the scheduler fired ones, through these functions
-- (runtime/timer-index.ts, runtime/timer-scheduler.ts), so that each named timer is found by its
-- primary key whatever the planner believes about `timers`.
--
-- As plain prepared UPDATEs, their plans were cached by the pooled connection while the table was
-- small and never analyzed (PGlite never runs ANALYZE; PostgreSQL not before autovacuum's next
-- visit), and those plans scanned the whole table on every call. Every order leaves a ship-by
-- timer, so in a 30-s checkout run on PostgreSQL the cancel cost 17 ms a round by its end, more
-- than the journal's batch insert (issue #13). An UPDATE cannot probe its target through LATERAL
-- as the read models' lookups do, so each function plans its statement with sequential scans
-- switched off: the primary key's index is what is left, whatever the estimates. The setting holds
-- only while the function runs. PL/pgSQL keeps the plan for the session, as a prepared statement
-- does. A row stamped meanwhile by another node is re-checked after its lock and then left alone.

-- Cancels the timers among `ids` that are neither fired nor cancelled, each at its `ats` time (by position).
CREATE OR REPLACE FUNCTION cancel_pending_timers(ids text[], ats bigint[]) RETURNS SETOF text
LANGUAGE plpgsql VOLATILE SET enable_seqscan = off
AS $$
BEGIN
  RETURN QUERY
  UPDATE timers t SET cancelled_at = ats[array_position(ids, t.id)]
  WHERE t.id = ANY(ids) AND coalesce(t.cancelled_at, t.fired_at) IS NULL
  RETURNING t.id;
END
$$;

-- Marks the timers among `ids` not yet fired as fired at `fired`.
CREATE OR REPLACE FUNCTION mark_timers_fired(ids text[], fired bigint) RETURNS SETOF text
LANGUAGE plpgsql VOLATILE SET enable_seqscan = off
AS $$
BEGIN
  RETURN QUERY
  UPDATE timers t SET fired_at = fired
  WHERE t.id = ANY(ids) AND t.fired_at IS NULL
  RETURNING t.id;
END
$$;
