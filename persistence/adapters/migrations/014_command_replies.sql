-- The first answer to a client's command id (deposit, withdraw, checkout, ship, confirm, cancel,
-- dispute, resolve), replayed to a retry with the same id as Stripe replays idempotency keys.
-- `scope` names the route and the caller, so one user's id never addresses another's reply;
-- `fingerprint` is a hash of the request, so the same id with another request is refused.
CREATE TABLE IF NOT EXISTS command_replies (
  scope       text COLLATE "C" NOT NULL,
  command_id  text COLLATE "C" NOT NULL,
  fingerprint text NOT NULL,
  status      integer NOT NULL,
  body        jsonb NOT NULL,
  created_at  bigint NOT NULL,
  PRIMARY KEY (scope, command_id)
);
