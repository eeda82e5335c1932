-- The journal (DESIGN.md §2): one row per accepted command, holding every event it produced.
-- The primary key (key, seq) is the optimistic-concurrency guard and (key, command_id) the
-- idempotency guard. Keys sort bytewise (COLLATE "C") so (key, seq) order is the same in
-- PostgreSQL, PGlite and MongoDB whatever the server's locale, and prefix LIKE uses the index.
CREATE TABLE IF NOT EXISTS journal (
  key        text COLLATE "C" NOT NULL,
  seq        integer NOT NULL CHECK (seq > 0),
  command_id text NOT NULL,
  events     jsonb NOT NULL CHECK (jsonb_typeof(events) = 'array'),
  at_ms      bigint NOT NULL,
  processed  boolean NOT NULL DEFAULT false,
  PRIMARY KEY (key, seq),
  UNIQUE (key, command_id)
);

-- The event processor reads unprocessed rows in (key, seq) order; once processed, a row
-- leaves this index, so it stays as small as the backlog.
CREATE INDEX IF NOT EXISTS journal_unprocessed ON journal (key, seq) WHERE NOT processed;
