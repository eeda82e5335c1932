/**
 * What the notification projection needs from the edge: a store of persisted per-user
 * notifications (implemented beside it, in store.ts) and live delivery to connected sockets
 * (the gateway's hub, which also fans out over Redis between gateway processes).
 */
import type { NotificationDto } from '../views.ts';

/** The persisted per-user notifications (DESIGN.md §5). */
export interface NotificationStore {
  /** Notifications of `userId` with seq > afterSeq, oldest first, at most `limit`. */
  after(userId: string, afterSeq: number, limit: number): Promise<NotificationDto[]>;
  lastSeq(userId: string): Promise<number>;
}

/** Live delivery to connected WebSockets (and, with Redis, to other gateway processes). */
export interface NotificationHub {
  /** Called by the notification consumer after a notification is stored. */
  publish(userId: string, notification: NotificationDto): void;
  /** Connected sockets, for /metrics. */
  connections(): number;
}
