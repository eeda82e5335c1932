-- The mail outbox (issue #6, runtime/mail/): one row per mail ever planned. The primary key is
-- the mail's idempotency key (`welcome:<userId>`, `order-confirmation:<orderId>`, …), and every
-- insert is ON CONFLICT DO NOTHING, so an event processed twice never plans a second mail.
--
-- The sender claims due rows with a lease (status `sending`, `lease_owner`, `lease_until`); a
-- sender that dies mid-send leaves a lease that expires, and the row is claimed again. `attempts`
-- counts claims, so a mail that keeps crashing its sender still ends `failed`.
CREATE TABLE IF NOT EXISTS mail_outbox (
  id              text COLLATE "C" PRIMARY KEY,
  kind            text NOT NULL CHECK (kind IN ('welcome', 'order-confirmation', 'new-order', 'shipped', 'funds-released')),
  to_address      text NOT NULL,
  subject         text NOT NULL,
  body            text NOT NULL,
  status          text NOT NULL CHECK (status IN ('pending', 'sending', 'sent', 'failed')),
  attempts        integer NOT NULL DEFAULT 0 CHECK (attempts >= 0),
  last_error      text NULL,
  -- When a pending mail may be tried (again); null once it is sent or failed for good.
  next_attempt_at bigint NULL,
  lease_owner     text NULL,
  lease_until     bigint NULL,
  created_at      bigint NOT NULL,
  sent_at         bigint NULL,
  CHECK ((status = 'sending') = (lease_until IS NOT NULL))
);

CREATE INDEX IF NOT EXISTS mail_outbox_due ON mail_outbox (next_attempt_at, id) WHERE status = 'pending';
CREATE INDEX IF NOT EXISTS mail_outbox_leases ON mail_outbox (lease_until) WHERE status = 'sending';
CREATE INDEX IF NOT EXISTS mail_outbox_by_status ON mail_outbox (status, created_at DESC, id);
