/**
 * The notification consumer: turns order and wallet journal entries into persisted per-user
 * notifications, then hands each new one to the hub for live delivery. It runs after the
 * read-model consumer in the same round, so the order's parties are already in `orders`.
 */
import type { Db } from '../../adapters/db.ts';
import type { Consumer } from '../../adapters/consumer.ts';
import type { NotificationHub } from './ports.ts';
import type { OrderParties, PlannedNotification } from './notifications.ts';
import { planOrderNotifications, planWalletNotifications } from './notifications.ts';
import type { SqlNotificationStore } from './store.ts';
import { idOfKey, isKeyOf } from '../../../actors/keys.ts';

async function partiesOf(db: Db, orderIds: readonly string[]): Promise<Map<string, OrderParties>> {
  if (orderIds.length === 0) return new Map();
  const rows = await db.query(
    `SELECT o.id, o.buyer_id, o.seller_id, o.total_minor, o.confirmed_at, (SELECT count(*) FROM order_items i WHERE i.order_id = o.id) AS item_count
     FROM orders o WHERE o.id = ANY($1::text[])`,
    [orderIds],
  );
  return new Map(
    rows.map((row) => [
      String(row['id']),
      { buyerId: String(row['buyer_id']), sellerId: String(row['seller_id']), totalMinor: Number(row['total_minor']), itemCount: Number(row['item_count']), confirmed: row['confirmed_at'] !== null && row['confirmed_at'] !== undefined },
    ]),
  );
}

export function createNotificationConsumer(db: Db, store: SqlNotificationStore, hub: NotificationHub): Consumer {
  return {
    name: 'notifications',
    async handle(entries) {
      const orderIds = [...new Set(entries.filter((entry) => isKeyOf('order', entry.key)).map((entry) => idOfKey('order', entry.key)))];
      const parties = await partiesOf(db, orderIds);
      const planned: PlannedNotification[] = [];
      for (const entry of entries) {
        if (isKeyOf('wallet', entry.key)) planned.push(...planWalletNotifications(entry));
        const orderParties = isKeyOf('order', entry.key) ? parties.get(idOfKey('order', entry.key)) : undefined;
        if (orderParties !== undefined) planned.push(...planOrderNotifications(entry, orderParties));
      }
      for (const notification of planned) {
        const stored = await store.append(notification);
        if (stored !== null) hub.publish(notification.userId, stored);
      }
    },
  };
}
