-- A snapshot carries the hashes of its actor's command ids (issue #13, twelfth round;
-- runtime/command-ids.ts): 32-bit hashes, four bytes each, little-endian, ascending. A load then
-- reads the snapshot and the entries after it, and no longer every command id the key ever
-- journaled (a query that grew with the actor's history). NULL on a snapshot written before: the
-- load then reads the ids as it did.
ALTER TABLE snapshots ADD COLUMN IF NOT EXISTS command_ids bytea;
