-- The shopper's address book (issue #15 §5): shipping addresses kept on the account, at most one
-- default per user (the partial unique index decides it). Not journaled: like users, an address
-- book holds no money; the address an order goes to is recorded in the order's own events.
CREATE TABLE IF NOT EXISTS addresses (
  id           text COLLATE "C" PRIMARY KEY,
  user_id      text COLLATE "C" NOT NULL,
  name         text NOT NULL,
  line1        text NOT NULL,
  line2        text,
  city         text NOT NULL,
  postal_code  text NOT NULL,
  country_code text NOT NULL,
  is_default   boolean NOT NULL DEFAULT false,
  created_at   bigint NOT NULL,
  updated_at   bigint NOT NULL
);
CREATE INDEX IF NOT EXISTS addresses_user ON addresses (user_id, created_at);
CREATE UNIQUE INDEX IF NOT EXISTS addresses_one_default ON addresses (user_id) WHERE is_default;
-- The ship-to address an order was placed with (OrderPlaced.shipTo), for the seller's order desk
-- and the order page. Null for orders placed without one; a projection rebuild fills it from the journal.
ALTER TABLE orders ADD COLUMN IF NOT EXISTS ship_to jsonb;
