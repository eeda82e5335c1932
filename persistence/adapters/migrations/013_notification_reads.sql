-- Read marks of the notification centre (issue #15 §2): whether the user has seen each persisted
-- notification, kept on the server so every tab and device agrees on the unread count.
ALTER TABLE notifications ADD COLUMN IF NOT EXISTS read_at bigint;
CREATE INDEX IF NOT EXISTS notifications_unread ON notifications (user_id, seq) WHERE read_at IS NULL;
