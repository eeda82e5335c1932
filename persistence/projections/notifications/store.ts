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

  /**
   * Stores many at once, in their order, in one statement: each new one gets its user's next seq
   * (a user's several in this call, consecutive ones); a source stored before, or repeated in
   * the call, is left out. Returns what was stored, in the given order, with its user.
   */
  async appendMany(planned: readonly PlannedNotification[]): Promise<{ readonly userId: string; readonly notification: NotificationDto }[]> {
    if (planned.length === 0) return [];
    const rows = await this.db.query(
      `WITH input AS (
         SELECT * FROM json_to_recordset($1::json) AS p(ord integer, user_id text, event text, data jsonb, source text, created_at bigint)
       ), fresh AS (
         SELECT DISTINCT ON (i.user_id, i.source) i.* FROM input i
         WHERE NOT EXISTS (SELECT 1 FROM notifications n WHERE n.user_id = i.user_id AND n.source = i.source)
         ORDER BY i.user_id, i.source, i.ord
       ), numbered AS (
         SELECT f.*, (SELECT coalesce(max(n.seq), 0) FROM notifications n WHERE n.user_id = f.user_id)
                     + row_number() OVER (PARTITION BY f.user_id ORDER BY f.ord) AS seq
         FROM fresh f
       )
       INSERT INTO notifications (user_id, seq, event, data, source, created_at)
       SELECT user_id, seq, event, data, source, created_at FROM numbered ORDER BY ord
       RETURNING user_id, source, seq, event, data, created_at`,
      [JSON.stringify(planned.map((each, ord) => ({ ord, user_id: each.userId, event: each.event, data: each.data, source: each.source, created_at: each.at })))],
    );
    // RETURNING promises no order: put them back in the order given.
    // (A source repeated in the call was stored at its first place.)
    const ordOf = new Map<string, number>();
    planned.forEach((each, ord) => {
      const id = `${each.userId}\u0000${each.source}`;
      if (!ordOf.has(id)) ordOf.set(id, ord);
    });
    return rows
      .map((row) => ({ ord: ordOf.get(`${String(row['user_id'])}\u0000${String(row['source'])}`) ?? 0, userId: String(row['user_id']), notification: toDto(row) }))
      .sort((left, right) => left.ord - right.ord)
      .map(({ userId, notification }) => ({ userId, notification }));
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
