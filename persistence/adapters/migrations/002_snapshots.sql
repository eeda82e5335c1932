-- Snapshots (DESIGN.md §2) are a cache of an actor's state at a seq: only the latest per key
-- is kept, and dropping every row must never change any recovered state.
CREATE TABLE IF NOT EXISTS snapshots (
  key     text PRIMARY KEY,
  seq     integer NOT NULL CHECK (seq > 0),
  version integer NOT NULL,
  state   jsonb NOT NULL,
  at_ms   bigint NOT NULL
);
