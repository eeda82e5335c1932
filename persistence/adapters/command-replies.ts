/**
 * The `command_replies` table (014_command_replies.sql): the first answer to each client
 * command id, kept so a retry gets that answer again (status and body) instead of today's state.
 * A plain store: replies are facts of the edge, not of the journal.
 */
import type { Db } from './db.ts';

export interface StoredReply {
  readonly fingerprint: string;
  readonly status: number;
  readonly body: unknown;
}

export interface ReplyStore {
  find(scope: string, commandId: string): Promise<StoredReply | null>;
  /** Keeps the first reply; a second save of the same (scope, commandId) changes nothing. */
  save(scope: string, commandId: string, reply: StoredReply, at: number): Promise<void>;
}

export class SqlReplyStore implements ReplyStore {
  constructor(private readonly db: Db) {}

  async find(scope: string, commandId: string): Promise<StoredReply | null> {
    const rows = await this.db.query('SELECT fingerprint, status, body FROM command_replies WHERE scope = $1 AND command_id = $2', [scope, commandId]);
    const row = rows[0];
    if (row === undefined) return null;
    const body: unknown = typeof row['body'] === 'string' ? JSON.parse(row['body']) : row['body'];
    return { fingerprint: String(row['fingerprint']), status: Number(row['status']), body };
  }

  async save(scope: string, commandId: string, reply: StoredReply, at: number): Promise<void> {
    await this.db.query(
      `INSERT INTO command_replies (scope, command_id, fingerprint, status, body, created_at) VALUES ($1, $2, $3, $4, $5::jsonb, $6)
       ON CONFLICT (scope, command_id) DO NOTHING`,
      [scope, commandId, reply.fingerprint, reply.status, JSON.stringify(reply.body), at],
    );
  }
}
