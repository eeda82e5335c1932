-- Accounts of the gateway (gateway/auth/). Users are not actors: they hold no money and no
-- history worth replaying. Emails are stored lower-case; the unique index decides a race.
CREATE TABLE IF NOT EXISTS users (
  id            text COLLATE "C" PRIMARY KEY,
  email         text COLLATE "C" NOT NULL UNIQUE,
  password_hash text NOT NULL,
  role          text NOT NULL CHECK (role IN ('BUYER', 'SELLER', 'ADMIN')),
  display_name  text NOT NULL,
  created_at    bigint NOT NULL
);
