-- One ordered log (DESIGN.md §2a): every journal row gets a global position in commit order.
-- Writers reserve positions by updating the single journal_head row inside the statement (or
-- transaction) that inserts the rows. The row lock is held until commit, so a later writer gets
-- higher positions and commits later: position order is commit order, across processes too.
-- Positions may have gaps (a refused row of the old append path leaves one); never reorderings.
ALTER TABLE journal ADD COLUMN IF NOT EXISTS position bigint;

-- Rows written before this migration have no known commit order; (key, seq) keeps each key's
-- own order, which is all the consumers relied on until now.
UPDATE journal j SET position = n.position
FROM (SELECT key, seq, row_number() OVER (ORDER BY key, seq) AS position FROM journal) n
WHERE j.key = n.key AND j.seq = n.seq AND j.position IS NULL;

ALTER TABLE journal ALTER COLUMN position SET NOT NULL;

CREATE UNIQUE INDEX IF NOT EXISTS journal_position ON journal (position);

CREATE TABLE IF NOT EXISTS journal_head (
  id       boolean PRIMARY KEY DEFAULT true CHECK (id),
  position bigint NOT NULL CHECK (position >= 0)
);

INSERT INTO journal_head (id, position)
SELECT true, coalesce(max(position), 0) FROM journal
ON CONFLICT (id) DO NOTHING;

-- Each consumer's checkpoint: the highest position it has handled (DESIGN.md §2a).
CREATE TABLE IF NOT EXISTS consumer_checkpoints (
  consumer text PRIMARY KEY,
  position bigint NOT NULL CHECK (position >= 0)
);

-- Consumers used to share one `processed` flag per row. A consumer without a checkpoint of its
-- own starts after the baseline '*': the last position before the first row not yet processed
-- (consumers are idempotent, so handling again a few rows processed out of order is safe).
INSERT INTO consumer_checkpoints (consumer, position)
SELECT '*', coalesce((SELECT min(position) - 1 FROM journal WHERE NOT processed), (SELECT max(position) FROM journal))
WHERE EXISTS (SELECT 1 FROM journal)
ON CONFLICT (consumer) DO NOTHING;

-- The per-row flag and its UPDATE after every round are gone: each consumer keeps a position.
DROP INDEX IF EXISTS journal_unprocessed;
ALTER TABLE journal DROP COLUMN IF EXISTS processed;
