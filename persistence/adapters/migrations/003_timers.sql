-- Durable timers (DESIGN.md §4). An actor schedules a message for itself by journaling a
-- TimerScheduled event; the event processor indexes it here (runtime/timer-index.ts) and the
-- scheduler (runtime/timer-scheduler.ts) delivers `message` to `target_key` once `due_at` has
-- passed, then sets `fired_at`. Timer ids are unique per actor, so a row's id is
-- `${target_key}#${timerId}` and indexing the same event twice inserts nothing.
-- Times are epoch milliseconds from the injected clock, like journal.at_ms.
CREATE TABLE IF NOT EXISTS timers (
  id            text COLLATE "C" PRIMARY KEY,
  target_key    text COLLATE "C" NOT NULL,
  message       jsonb NOT NULL,
  due_at        bigint NOT NULL,
  fired_at      bigint NULL,
  cancelled_at  bigint NULL,
  -- The journal entry that scheduled it, for operators tracing a timer to its cause.
  scheduled_seq integer NOT NULL CHECK (scheduled_seq > 0),
  created_at    bigint NOT NULL
);

-- The scheduler reads pending timers in (due_at, id) order, a window at a time; a timer leaves
-- this index once fired or cancelled, so it stays as small as the set of pending timers.
CREATE INDEX IF NOT EXISTS timers_pending_due ON timers (due_at, id) WHERE fired_at IS NULL AND cancelled_at IS NULL;

-- Operators list one actor's pending timers.
CREATE INDEX IF NOT EXISTS timers_pending_target ON timers (target_key, due_at) WHERE fired_at IS NULL AND cancelled_at IS NULL;
