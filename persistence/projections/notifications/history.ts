/**
 * The notification centre's reads and read marks (migration 013): a user's notifications newest
 * first with whether each was read, the unread count, and marking one or all as read. Separate
 * from store.ts, which the consumer appends through, because only the edge reads history.
 *
 * The centre holds what happened to a person, not what they did: their own deposits and
 * withdrawals (`wallet.changed`, persisted so other tabs refresh their balance) are left out.
 */
import type { Db, Row } from '../../adapters/db.ts';
import type { NotificationDto } from '../views.ts';

export interface NotificationEntry {
  readonly notification: NotificationDto;
  readonly read: boolean;
}

export interface NotificationHistory {
  readonly items: readonly NotificationEntry[];
  readonly unread: number;
}

function toEntry(row: Row): NotificationEntry {
  const data = typeof row['data'] === 'string' ? JSON.parse(row['data']) : row['data'];
  const notification = { type: 'notification', seq: Number(row['seq']), event: row['event'], data, at: Number(row['created_at']) } as NotificationDto;
  return { notification, read: row['read_at'] !== null && row['read_at'] !== undefined };
}

/** Newest first, `limit` rows with seq < beforeSeq (null: from the newest). */
export async function notificationHistory(db: Db, userId: string, beforeSeq: number | null, limit: number): Promise<NotificationHistory> {
  const rows = await db.query(
    `SELECT seq, event, data, created_at, read_at FROM notifications
     WHERE user_id = $1 AND event <> 'wallet.changed' AND ($2::integer IS NULL OR seq < $2::integer) ORDER BY seq DESC LIMIT $3`,
    [userId, beforeSeq, limit],
  );
  return { items: rows.map(toEntry), unread: await unreadCount(db, userId) };
}

export async function unreadCount(db: Db, userId: string): Promise<number> {
  const rows = await db.query("SELECT count(*) AS unread FROM notifications WHERE user_id = $1 AND read_at IS NULL AND event <> 'wallet.changed'", [userId]);
  return Number(rows[0]?.['unread'] ?? 0);
}

/** Marks one notification (seq) or every one up to `throughSeq` as read; returns the unread count. */
export async function markRead(db: Db, userId: string, target: { readonly seq: number } | { readonly throughSeq: number }, at: number): Promise<number> {
  if ('seq' in target) {
    await db.query('UPDATE notifications SET read_at = $3 WHERE user_id = $1 AND seq = $2 AND read_at IS NULL', [userId, target.seq, at]);
  } else {
    await db.query('UPDATE notifications SET read_at = $3 WHERE user_id = $1 AND seq <= $2 AND read_at IS NULL', [userId, target.throughSeq, at]);
  }
  return unreadCount(db, userId);
}
