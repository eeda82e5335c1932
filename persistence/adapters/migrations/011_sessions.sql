-- Server-side sessions (issue #14): every access token names one row here by its `sid`, and a
-- token whose row is gone (logout, sign out everywhere, idle or absolute expiry) no longer
-- authenticates. `last_seen_at` slides the idle timeout; `expires_at` is the absolute cap.
CREATE TABLE IF NOT EXISTS sessions (
  id           text COLLATE "C" PRIMARY KEY,
  user_id      text COLLATE "C" NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  created_at   bigint NOT NULL,
  last_seen_at bigint NOT NULL CHECK (last_seen_at >= created_at),
  expires_at   bigint NOT NULL CHECK (expires_at > created_at)
);

CREATE INDEX IF NOT EXISTS sessions_by_user ON sessions (user_id, last_seen_at);
