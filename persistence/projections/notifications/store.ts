/**
 * The `notifications` table (006_notifications.sql): append with the next per-user seq, read
 * after a seq for a resume. Appends come from the one event-processor consumer, so computing
 * the next seq as max + 1 inside the insert has no race within a process; across processes the
 * primary key (user_id, seq) turns a race into an error and the processor retries the round.
 */
import type { Db, Row } from '../../adapters/db.ts';
import type { NotificationDto } from '../views.ts';
import type { NotificationStore } from './ports.ts';
import type { PlannedNotification } from './notifications.ts';

function toDto(row: Row): NotificationDto {
  const data = typeof row['data'] === 'string' ? JSON.parse(row['data']) : row['data'];
  return { type: 'notification', seq: Number(row['seq']), event: row['event'], data, at: Number(row['created_at']) } as NotificationDto;
}

export class SqlNotificationStore implements NotificationStore {
  constructor(private readonly db: Db) {}

  /** Stores what is new and returns it with its seq; a source stored before returns nothing. */
  async append(planned: PlannedNotification): Promise<NotificationDto | null> {
    const rows = await this.db.query(
      `INSERT INTO notifications (user_id, seq, event, data, source, created_at)
       SELECT $1, coalesce(max(seq), 0) + 1, $2, $3::jsonb, $4, $5 FROM notifications WHERE user_id = $1
       ON CONFLICT (user_id, source) DO NOTHING
       RETURNING seq, event, data, created_at`,
      [planned.userId, planned.event, JSON.stringify(planned.data), planned.source, planned.at],
    );
    const row = rows[0];
    return row === undefined ? null : toDto(row);
  }

  async after(userId: string, afterSeq: number, limit: number): Promise<NotificationDto[]> {
    const rows = await this.db.query(
      'SELECT seq, event, data, created_at FROM notifications WHERE user_id = $1 AND seq > $2 ORDER BY seq LIMIT $3',
      [userId, afterSeq, limit],
    );
    return rows.map(toDto);
  }

  async lastSeq(userId: string): Promise<number> {
    const rows = await this.db.query('SELECT coalesce(max(seq), 0) AS last FROM notifications WHERE user_id = $1', [userId]);
    return Number(rows[0]?.['last'] ?? 0);
  }
}
