-- Daily seller analytics (issue #6): one row per ACTIVE seller and UTC day, written by the
-- analytics job (actors/analytics/, persistence/readmodels/seller-daily.ts). The primary key
-- makes a rerun of a day an upsert, never a second row.
--
-- `day` is the UTC day as YYYY-MM-DD (text sorts like the date). A day's orders are the orders
-- PAID that day; the other counts are about those orders as of `computed_at`. Counts rather than
-- rates are stored, so the rates the API derives are exact.
CREATE TABLE IF NOT EXISTS seller_stats_daily (
  seller_id           text COLLATE "C" NOT NULL,
  day                 text COLLATE "C" NOT NULL CHECK (day ~ '^\d{4}-\d{2}-\d{2}$'),
  orders              integer NOT NULL CHECK (orders >= 0),
  sales_minor         bigint NOT NULL CHECK (sales_minor >= 0),
  -- Of the day's orders: shipped so far, and cancelled after payment or disputed.
  shipped             integer NOT NULL CHECK (shipped >= 0 AND shipped <= orders),
  returned_disputed   integer NOT NULL CHECK (returned_disputed >= 0 AND returned_disputed <= orders),
  -- Mean (shipped_at − paid_at) over the day's shipped orders, rounded to the millisecond.
  avg_fulfilment_ms   bigint NULL CHECK ((avg_fulfilment_ms IS NULL) = (shipped = 0)),
  computed_at         bigint NOT NULL,
  PRIMARY KEY (seller_id, day)
);

CREATE INDEX IF NOT EXISTS seller_stats_daily_day ON seller_stats_daily (day);
