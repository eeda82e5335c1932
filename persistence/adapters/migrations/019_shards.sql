-- Scale-out (issue #16): several nodes share one PostgreSQL, keys hash to a fixed number of
-- shards (persistence/cluster/shards.ts), and each shard has one owner at a time: the node that
-- holds its lease (adapters/shard-leases.ts). Every claim of a shard bumps its epoch, so an epoch
-- names one grant. A fenced journal batch (sql-journal.ts) reads the epochs of the shards it
-- writes FOR SHARE in its own statement; a takeover's update of the row waits for that batch to
-- commit, and the old owner's next batch sees the new epoch and is refused. Expiry is judged on
-- the database's clock only (now()).
--
-- A row is created by the first claim of its shard (the shard count lives in the nodes' config,
-- not here). A released shard keeps its row and epoch with no owner, so the next claim gets
-- epoch + 1 and no earlier grant's batches can pass the fence again.
CREATE TABLE IF NOT EXISTS shard_leases (
  shard      integer PRIMARY KEY CHECK (shard >= 0),
  epoch      bigint NOT NULL CHECK (epoch > 0),
  owner      text,
  -- Where the owner takes forwarded commands, so another node can send a key's caller there.
  address    text,
  expires_at timestamptz,
  CONSTRAINT shard_leases_owned_until CHECK ((owner IS NULL) = (expires_at IS NULL) AND (owner IS NULL) = (address IS NULL))
);

-- Live nodes for rendezvous placement: a node is live until its last heartbeat's expiry, which
-- each node sets from its own heartbeat TTL, so readers need not know it.
CREATE TABLE IF NOT EXISTS cluster_nodes (
  node         text PRIMARY KEY,
  address      text NOT NULL,
  heartbeat_at timestamptz NOT NULL,
  expires_at   timestamptz NOT NULL
);

-- Rows a fenced batch writes carry the shard, the epoch it was written under and a gap-free
-- per-shard sequence (1, 2, 3, … for each shard, in commit order). Single-node mode and the
-- embedded mode write no fence, so the columns are nullable.
ALTER TABLE journal ADD COLUMN IF NOT EXISTS shard integer;
ALTER TABLE journal ADD COLUMN IF NOT EXISTS epoch bigint;
ALTER TABLE journal ADD COLUMN IF NOT EXISTS shard_seq bigint;

-- All three or none. Every row that exists now has none (the columns are new), so validating
-- would only scan the whole journal under an exclusive lock: NOT VALID checks new rows only.
ALTER TABLE journal ADD CONSTRAINT journal_shard_fields
  CHECK ((shard IS NULL) = (epoch IS NULL) AND (shard IS NULL) = (shard_seq IS NULL) AND (shard IS NULL OR (shard >= 0 AND epoch > 0 AND shard_seq > 0)))
  NOT VALID;

-- The per-shard sequence has no counter of its own: a fenced batch reads each shard's max
-- shard_seq through this index (one backward probe per shard, as a key's max seq is read) and
-- numbers its rows on from there. A counter row would be one more row every batch updates, and
-- a SEQUENCE would leave gaps, since its increments survive a rollback; a refused or failed
-- batch here leaves nothing behind, so the next one continues without a gap. Only the shard's
-- lease holder writes it, one batch at a time, and this index refuses a second writer that
-- numbered from the same max.
CREATE UNIQUE INDEX IF NOT EXISTS journal_shard_seq ON journal (shard, shard_seq) WHERE shard IS NOT NULL;
