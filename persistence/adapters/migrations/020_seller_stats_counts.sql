-- The seller's order counts come from the orders read model (confirmed orders only), and the
-- seller actor no longer counts outcomes (actors/seller/seller-messages.ts), so seller_stats
-- keeps the seller's profile and standing only. The rates computed from the counts go first.
ALTER TABLE seller_stats
  DROP COLUMN IF EXISTS avg_time_to_ship_ms,
  DROP COLUMN IF EXISTS fulfilment_rate,
  DROP COLUMN IF EXISTS dispute_rate,
  DROP COLUMN IF EXISTS orders_placed,
  DROP COLUMN IF EXISTS orders_shipped,
  DROP COLUMN IF EXISTS orders_completed,
  DROP COLUMN IF EXISTS orders_cancelled,
  DROP COLUMN IF EXISTS orders_disputed,
  DROP COLUMN IF EXISTS ship_time_total_ms;
