-- Read models (DESIGN.md §1 persistence/, §3): tables the event processor projects from the
-- journal (persistence/readmodels/). They are derived data, never a source of truth: the
-- rebuild (persistence/readmodels/rebuild-cli.ts) truncates them and replays the journal.
--
-- Idempotency: each projected row records `last_seq`, the seq of the entry of its own stream
-- that last changed it. A stream's head row (wallets for wallet:<id>, orders for order:<id>,
-- seller_stats for seller:<id>) is the gate: an entry whose seq is at most the head row's
-- last_seq was applied already and is skipped.
--
-- Money is integer minor units (bigint); times are epoch milliseconds from the injected clock,
-- like journal.at_ms. Balances carry no CHECK (balance >= 0): the read model mirrors the
-- journal as it is, and the ledger audit (persistence/readmodels/audit.ts) judges it.

-- One row per wallet actor. The id is the user id (the actor key is `wallet:<id>`);
-- `wallet:platform` is the platform's fee wallet, id `platform`.
CREATE TABLE IF NOT EXISTS wallets (
  id              text COLLATE "C" PRIMARY KEY,
  user_id         text COLLATE "C" NOT NULL,
  currency        text NOT NULL DEFAULT 'USD',
  balance         bigint NOT NULL,
  locked_balance  bigint NOT NULL,
  -- Lifetime totals, for the audit's identity: deposits − withdrawals = Σ(balance + locked) + in flight.
  deposited_total bigint NOT NULL,
  withdrawn_total bigint NOT NULL,
  last_seq        integer NOT NULL CHECK (last_seq > 0),
  created_at      bigint NOT NULL,
  updated_at      bigint NOT NULL
);

-- The wallet ledger: one line per money movement (persistence/readmodels/wallets.ts documents
-- the mapping from wallet events). Ids are `${key}:${seq}:${eventIndex}` (a release's fee line
-- adds `:fee`), so replaying the journal writes the same lines, never new ones.
-- For every wallet: balance = Σ CREDIT in (COMPLETED, RELEASED) − Σ DEBIT (any status), and
-- locked_balance = Σ CREDIT in LOCKED.
CREATE TABLE IF NOT EXISTS ledger_entries (
  id           text COLLATE "C" PRIMARY KEY,
  wallet_id    text COLLATE "C" NOT NULL,
  amount       bigint NOT NULL CHECK (amount > 0),
  type         text NOT NULL CHECK (type IN ('CREDIT', 'DEBIT')),
  status       text NOT NULL CHECK (status IN ('PENDING', 'LOCKED', 'RELEASED', 'COMPLETED', 'REFUNDED', 'VOIDED')),
  -- What the movement is for, so the audit can total money in flight per order.
  kind         text NOT NULL CHECK (kind IN ('deposit', 'withdrawal', 'purchase', 'refund', 'sale', 'sale_fee', 'platform_fee')),
  locked_until bigint NULL,
  order_id     text COLLATE "C" NULL,
  created_at   bigint NOT NULL,
  -- The wallet entry that wrote the line, and the one that last changed its status.
  seq          integer NOT NULL CHECK (seq > 0),
  last_seq     integer NOT NULL CHECK (last_seq >= seq)
);

CREATE INDEX IF NOT EXISTS ledger_entries_wallet ON ledger_entries (wallet_id, created_at, id);
CREATE INDEX IF NOT EXISTS ledger_entries_order ON ledger_entries (order_id, kind) WHERE order_id IS NOT NULL;

-- One row per order actor (`order:<id>`), following its lifecycle (actors/order/order-messages.ts).
CREATE TABLE IF NOT EXISTS orders (
  id                  text COLLATE "C" PRIMARY KEY,
  checkout_id         text COLLATE "C" NOT NULL,
  buyer_id            text COLLATE "C" NOT NULL,
  seller_id           text COLLATE "C" NOT NULL,
  status              text NOT NULL CHECK (status IN ('PLACED', 'PAID', 'SHIPPED', 'DELIVERED', 'COMPLETED', 'CANCELLED', 'DISPUTED', 'FAILED')),
  -- The running saga path, null while the order waits for people.
  saga                text NULL CHECK (saga IN ('placing', 'releasing', 'cancelling')),
  currency            text NOT NULL DEFAULT 'USD',
  total_minor         bigint NOT NULL,
  fee_minor           bigint NOT NULL,
  platform_fee_bps    integer NOT NULL,
  released_minor      bigint NULL,
  refunded_minor      bigint NULL,
  placed_at           bigint NOT NULL,
  priced_at           bigint NULL,
  paid_at             bigint NULL,
  shipped_at          bigint NULL,
  delivered_at        bigint NULL,
  completed_at        bigint NULL,
  cancelled_at        bigint NULL,
  failed_at           bigint NULL,
  release_due_at      bigint NULL,
  release_reason      text NULL,
  cancel_reason       text NULL,
  dispute_reason      text NULL,
  disputed_at         bigint NULL,
  dispute_resolution  text NULL CHECK (dispute_resolution IN ('refund', 'release')),
  dispute_resolved_by text NULL,
  dispute_resolved_at bigint NULL,
  failure_code        text NULL,
  failure_message     text NULL,
  last_seq            integer NOT NULL CHECK (last_seq > 0),
  updated_at          bigint NOT NULL
);

CREATE INDEX IF NOT EXISTS orders_buyer ON orders (buyer_id, placed_at DESC);
CREATE INDEX IF NOT EXISTS orders_seller ON orders (seller_id, placed_at DESC);
CREATE INDEX IF NOT EXISTS orders_status ON orders (status, placed_at);

-- The priced lines of an order (OrderPriced): the seller's prices at reservation.
CREATE TABLE IF NOT EXISTS order_items (
  order_id         text COLLATE "C" NOT NULL,
  line_no          integer NOT NULL CHECK (line_no >= 0),
  seller_id        text COLLATE "C" NOT NULL,
  product_id       text COLLATE "C" NOT NULL,
  title            text NOT NULL,
  qty              integer NOT NULL CHECK (qty > 0),
  unit_price_minor bigint NOT NULL,
  line_total_minor bigint NOT NULL,
  seq              integer NOT NULL CHECK (seq > 0),
  PRIMARY KEY (order_id, line_no)
);

CREATE INDEX IF NOT EXISTS order_items_product ON order_items (seller_id, product_id);

-- A seller's catalog. Product ids are unique within their seller (the seller actor's state).
CREATE TABLE IF NOT EXISTS products (
  seller_id   text COLLATE "C" NOT NULL,
  product_id  text COLLATE "C" NOT NULL,
  title       text NOT NULL,
  description text NOT NULL,
  category    text NOT NULL,
  price_minor bigint NOT NULL,
  stock       bigint NOT NULL,
  images      jsonb NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(images) = 'array'),
  deleted     boolean NOT NULL DEFAULT false,
  created_at  bigint NOT NULL,
  updated_at  bigint NOT NULL,
  last_seq    integer NOT NULL CHECK (last_seq > 0),
  PRIMARY KEY (seller_id, product_id)
);

CREATE INDEX IF NOT EXISTS products_category ON products (category, product_id) WHERE NOT deleted;

-- Stock held for orders (StockReserved / StockReleased). The seller's time-to-ship statistic is
-- measured from `reserved_at`, as the seller actor measures it. A FENCED row is an order whose
-- stock was given back before it ever reserved any (ReservationFenced): it holds no items, and
-- `released_at` is when that release came.
CREATE TABLE IF NOT EXISTS stock_reservations (
  seller_id   text COLLATE "C" NOT NULL,
  order_id    text COLLATE "C" NOT NULL,
  status      text NOT NULL CHECK (status IN ('RESERVED', 'RELEASED', 'FENCED')),
  items       jsonb NOT NULL CHECK (jsonb_typeof(items) = 'array'),
  reserved_at bigint NULL CHECK ((reserved_at IS NULL) = (status = 'FENCED')),
  released_at bigint NULL,
  last_seq    integer NOT NULL CHECK (last_seq > 0),
  PRIMARY KEY (seller_id, order_id)
);

-- One row per seller actor (`seller:<id>`): profile, lifecycle and order outcome counts.
-- Rates are shares of placed orders: fulfilment = shipped / placed, disputes = disputed / placed.
CREATE TABLE IF NOT EXISTS seller_stats (
  seller_id          text COLLATE "C" PRIMARY KEY,
  registered         boolean NOT NULL,
  name               text NOT NULL,
  email              text NOT NULL,
  status             text NOT NULL CHECK (status IN ('ACTIVE', 'SUSPENDED')),
  suspended_reason   text NULL,
  registered_at      bigint NULL,
  orders_placed      integer NOT NULL,
  orders_shipped     integer NOT NULL,
  orders_completed   integer NOT NULL,
  orders_cancelled   integer NOT NULL,
  orders_disputed    integer NOT NULL,
  -- Sum over shipped orders of (shipped − reserved), for the average time to ship.
  ship_time_total_ms bigint NOT NULL,
  avg_time_to_ship_ms bigint GENERATED ALWAYS AS (CASE WHEN orders_shipped > 0 THEN ship_time_total_ms / orders_shipped END) STORED,
  fulfilment_rate    double precision GENERATED ALWAYS AS (orders_shipped::double precision / NULLIF(orders_placed, 0)) STORED,
  dispute_rate       double precision GENERATED ALWAYS AS (orders_disputed::double precision / NULLIF(orders_placed, 0)) STORED,
  last_seq           integer NOT NULL CHECK (last_seq > 0),
  updated_at         bigint NOT NULL
);
