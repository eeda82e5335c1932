-- Per-user notifications (DESIGN.md §5): persisted so a client that reconnects can resume
-- after the last seq it saw and miss nothing. `seq` increases by one per user. `source` names
-- the journal event that produced the row (`key:seq:eventIndex`), so processing the same
-- entry twice (at-least-once delivery) never writes a second notification.
CREATE TABLE IF NOT EXISTS notifications (
  user_id    text COLLATE "C" NOT NULL,
  seq        integer NOT NULL CHECK (seq > 0),
  event      text NOT NULL,
  data       jsonb NOT NULL,
  source     text COLLATE "C" NOT NULL,
  created_at bigint NOT NULL,
  PRIMARY KEY (user_id, seq),
  UNIQUE (user_id, source)
);
