-- When the order's checkout confirmed it (every order of the cart paid): from then on its seller
-- sees it and may ship it, and its timeline says CHECKOUT_CONFIRMED. Orders projected before this
-- column get it from what followed (a shipment, a delivery, a dispute or a seller's cancel all
-- needed the confirmation); a still-PAID one gets it on the next rebuild (npm run rebuild).
ALTER TABLE orders ADD COLUMN IF NOT EXISTS checkout_confirmed_at bigint NULL;
UPDATE orders SET checkout_confirmed_at = paid_at
WHERE checkout_confirmed_at IS NULL AND paid_at IS NOT NULL
  AND (shipped_at IS NOT NULL OR disputed_at IS NOT NULL OR cancel_reason IN ('seller_cancelled', 'buyer_cancelled', 'ship_by_expired'));
