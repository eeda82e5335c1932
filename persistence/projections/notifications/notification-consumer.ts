/**
 * The notification consumer: turns order and wallet journal entries into persisted per-user
 * notifications, then hands each new one to the hub for live delivery. It runs after the
 * read-model consumer in the same round, so the order's parties are already in `orders`.
 */
import type { Db } from '../../adapters/db.ts';
import type { Consumer } from '../../adapters/consumer.ts';
import type { NotificationHub } from './ports.ts';
import type { PlannedNotification } from './notifications.ts';
import { orderParties } from '../readmodels/order-queries.ts';
import { planOrderNotifications, planWalletNotifications } from './notifications.ts';
import type { SqlNotificationStore } from './store.ts';

export function createNotificationConsumer(db: Db, store: SqlNotificationStore, hub: NotificationHub): Consumer {
  return {
    name: 'notifications',
    async handle(entries) {
      const orderIds = [...new Set(entries.filter((entry) => entry.key.startsWith('order:')).map((entry) => entry.key.slice('order:'.length)))];
      const parties = await orderParties(db, orderIds);
      const planned: PlannedNotification[] = [];
      for (const entry of entries) {
        if (entry.key.startsWith('wallet:')) planned.push(...planWalletNotifications(entry));
        const orderParties = entry.key.startsWith('order:') ? parties.get(entry.key.slice('order:'.length)) : undefined;
        if (orderParties !== undefined) planned.push(...planOrderNotifications(entry, orderParties));
      }
      for (const notification of planned) {
        const stored = await store.append(notification);
        if (stored !== null) hub.publish(notification.userId, stored);
      }
    },
  };
}
