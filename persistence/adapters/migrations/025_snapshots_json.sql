-- Snapshots are stored as `json`, not `jsonb` (issue #13), as the journal's events are since
-- 022_journal_events_json.sql. A snapshot is written whole and read back whole by the runtime,
-- which parses it in JavaScript; no query looks inside it. `jsonb` built its binary tree on every
-- save, and a hot seller's state is about 1 MB: on PostgreSQL each such save cost 4.2 ms of the
-- server's time (7.4% of its statement time in the hot-seller cell of the checkout benchmark).
-- `json` keeps the text as written and still checks that it is JSON. The ALTER rewrites the
-- table once; it holds one row per actor that was ever snapshotted.
ALTER TABLE snapshots ALTER COLUMN state TYPE json USING state::json;
