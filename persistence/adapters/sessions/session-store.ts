/**
 * The sessions port (issue #14): the server-side half of an access token. The gateway caches
 * what it reads here (gateway/auth/sessions.ts), so this table is read about once a minute per
 * active session, not once per request.
 */
export interface SessionRecord {
  readonly id: string;
  readonly userId: string;
  readonly createdAt: number;
  /** Epoch ms of the last request seen, written at most once a minute: the idle timeout slides from it. */
  readonly lastSeenAt: number;
  /** Epoch ms after which the session ends however active it is (the absolute cap). */
  readonly expiresAt: number;
}

export interface SessionStore {
  /**
   * Stores a new session and drops the user's sessions that are expired (idle since before
   * `idleSince`, or past their cap), then all but the newest `keepPerUser`, so one account's
   * rows stay bounded however often it signs in. Returns the ids it dropped.
   */
  open(session: SessionRecord, idleSince: number, keepPerUser: number): Promise<string[]>;
  find(id: string): Promise<SessionRecord | null>;
  /** Moves `lastSeenAt` forward (never back); false when the session is gone. */
  touch(id: string, lastSeenAt: number): Promise<boolean>;
  /** True when a row was removed. */
  remove(id: string): Promise<boolean>;
  /** Removes every session of a user; returns their ids. */
  removeForUser(userId: string): Promise<string[]>;
}
