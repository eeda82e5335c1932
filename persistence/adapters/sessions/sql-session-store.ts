/** The `sessions` table (011_sessions.sql) over the Db port: postgres.js or PGlite. */
import type { Db, Row } from '../db.ts';
import type { SessionRecord, SessionStore } from './session-store.ts';

function toRecord(row: Row): SessionRecord {
  return {
    id: String(row['id']),
    userId: String(row['user_id']),
    createdAt: Number(row['created_at']),
    lastSeenAt: Number(row['last_seen_at']),
    expiresAt: Number(row['expires_at']),
  };
}

export class SqlSessionStore implements SessionStore {
  constructor(private readonly db: Db) {}

  open(session: SessionRecord, idleSince: number, keepPerUser: number): Promise<string[]> {
    return this.db.transaction(async (tx) => {
      await tx.query('INSERT INTO sessions (id, user_id, created_at, last_seen_at, expires_at) VALUES ($1, $2, $3, $4, $5)', [
        session.id, session.userId, session.createdAt, session.lastSeenAt, session.expiresAt,
      ]);
      const dropped = await tx.query(
        `DELETE FROM sessions WHERE user_id = $1 AND id <> $2 AND (
           last_seen_at < $3 OR expires_at <= $4
           OR id NOT IN (SELECT id FROM sessions WHERE user_id = $1 ORDER BY last_seen_at DESC, id LIMIT $5)
         ) RETURNING id`,
        [session.userId, session.id, idleSince, session.createdAt, keepPerUser],
      );
      return dropped.map((row) => String(row['id']));
    });
  }

  async find(id: string): Promise<SessionRecord | null> {
    const rows = await this.db.query('SELECT * FROM sessions WHERE id = $1', [id]);
    return rows[0] === undefined ? null : toRecord(rows[0]);
  }

  async touch(id: string, lastSeenAt: number): Promise<boolean> {
    const rows = await this.db.query('UPDATE sessions SET last_seen_at = GREATEST(last_seen_at, $2) WHERE id = $1 RETURNING id', [id, lastSeenAt]);
    return rows.length > 0;
  }

  async remove(id: string): Promise<boolean> {
    return (await this.db.query('DELETE FROM sessions WHERE id = $1 RETURNING id', [id])).length > 0;
  }

  async removeForUser(userId: string): Promise<string[]> {
    const rows = await this.db.query('DELETE FROM sessions WHERE user_id = $1 RETURNING id', [userId]);
    return rows.map((row) => String(row['id']));
  }
}
