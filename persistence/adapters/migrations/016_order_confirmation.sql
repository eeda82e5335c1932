-- An order exists for people (buyer lists, seller feed, stats, notifications) only once its
-- checkout is confirmed (issue #15 §1); a refused checkout's FAILED and CANCELLED orders stay in
-- the journal and the operator's inspector only. The read model keeps when the checkout confirmed
-- the order. Rows projected before this column existed are filled from what they show: a paid
-- order not cancelled by its own checkout's failure was confirmed (a rebuild gives exact times).
ALTER TABLE orders ADD COLUMN IF NOT EXISTS confirmed_at bigint;
UPDATE orders SET confirmed_at = coalesce(paid_at, placed_at)
  WHERE confirmed_at IS NULL AND paid_at IS NOT NULL AND status <> 'FAILED' AND coalesce(cancel_reason, '') <> 'checkout_failed';
CREATE INDEX IF NOT EXISTS orders_seller_confirmed ON orders (seller_id, placed_at DESC) WHERE confirmed_at IS NOT NULL;
-- The ship-by deadline of a paid, unshipped order (the order's ship-by timer), shown to the seller
-- on the order desk and to the buyer on the order page; cleared when the timer is cancelled.
ALTER TABLE orders ADD COLUMN IF NOT EXISTS ship_by_at bigint;
-- The carrier and tracking number the seller gave when shipping, shown to the buyer.
ALTER TABLE orders ADD COLUMN IF NOT EXISTS carrier text;
ALTER TABLE orders ADD COLUMN IF NOT EXISTS tracking_number text;
