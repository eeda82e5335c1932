/**
 * What each live notification does on screen: it revalidates the queries it makes stale, so the
 * open page updates without a reload; it lands in the notification centre (the bell, read from
 * the persisted notifications with server-side read marks); and a burst of them makes at most one
 * toast, none for what this tab did itself (lib/toasts-group.ts).
 */
import { action, query, revalidate } from '@solidjs/router';
import type { MarkReadDto, NotificationCentreDto, NotificationDto } from '../../../gateway/api-types.ts';
import { getDisputes } from './admin.ts';
import { getOrder, getOrders } from './orders.ts';
import { getSellerDesk, getSellerOrders, getSellerStats } from './seller.ts';
import { getLedger, getWallet } from './wallet.ts';
import { api } from '../lib/api.ts';
import { causedHere, toastsFor } from '../lib/toasts-group.ts';
import { recentOwnActions } from '../lib/toasts.ts';
import type { ToastTone } from '../lib/toasts.ts';

const walletKeys = [getWallet.key, getLedger.key];
const orderKeys = [getOrders.key, getOrder.key, getDisputes.key];
const sellerKeys = [getSellerOrders.key, getSellerStats.key, getSellerDesk.key];

/** Notifications arriving within this window count as one burst (one checkout, one confirmation). */
const burstWindowMs = 300;

export const getNotificationCentre = query(() => api<NotificationCentreDto>('/api/notifications', { query: { limit: 20 } }), 'notification-centre');

export const markNotificationsRead = action(
  (target: MarkReadDto) => api<{ unread: number }>('/api/notifications/read', { method: 'POST', body: target }),
  'notifications-read',
);

/** Query keys (see @solidjs/router `revalidate`) each notification makes stale. */
function staleKeys(notification: NotificationDto): readonly string[] {
  switch (notification.event) {
    case 'funds.released':
    case 'order.new':
    case 'order.status':
      // An order event moves money too (payment, pending credit, release), so wallets follow.
      return [...orderKeys, ...sellerKeys, ...walletKeys];
    case 'wallet.changed':
      return walletKeys;
    default: {
      const unknownEvent: never = notification;
      return unknownEvent;
    }
  }
}

let burst: NotificationDto[] = [];
let burstTimer: number | undefined;

async function flush(toast: (text: string, tone: ToastTone) => void): Promise<void> {
  const arrived = burst;
  burst = [];
  burstTimer = undefined;
  const own = recentOwnActions();
  for (const view of toastsFor(arrived, own)) toast(view.text, view.tone);
  // What this tab caused is no news to this person: it goes to the bell's history already read.
  const caused = arrived.filter((notification) => causedHere(notification, own));
  await Promise.allSettled(caused.map((notification) => api('/api/notifications/read', { method: 'POST', body: { seq: notification.seq } })));
  const keys = new Set(arrived.flatMap((notification) => staleKeys(notification)));
  void revalidate([...keys, getNotificationCentre.key]);
}

export function applyNotification(notification: NotificationDto, toast: (text: string, tone: ToastTone) => void): void {
  burst.push(notification);
  if (burstTimer === undefined) burstTimer = window.setTimeout(() => void flush(toast), burstWindowMs);
}
