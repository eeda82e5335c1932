/**
 * What each live notification does on screen: a toast (notification-text.ts) and a revalidation
 * of the queries it makes stale, so the open page updates without a reload.
 */
import { revalidate } from '@solidjs/router';
import type { NotificationDto } from '../../../gateway/api-types.ts';
import { getDisputes } from './admin.ts';
import { getOrder, getOrders } from './orders.ts';
import { getSellerOrders, getSellerStats } from './seller.ts';
import { getLedger, getWallet } from './wallet.ts';
import { notificationText } from '../lib/notification-text.ts';
import type { ToastTone } from '../lib/toasts.ts';

const walletKeys = [getWallet.key, getLedger.key];
const orderKeys = [getOrders.key, getOrder.key, getDisputes.key];
const sellerKeys = [getSellerOrders.key, getSellerStats.key];

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

export function applyNotification(notification: NotificationDto, toast: (text: string, tone: ToastTone) => void): void {
  const view = notificationText(notification);
  toast(view.text, view.tone);
  void revalidate([...staleKeys(notification)]);
}
