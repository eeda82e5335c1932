/**
 * The sentence each live notification shows as a toast (ui-contract.md wording). Pure, so the
 * wording is tested without a browser; notifications.ts adds what each one makes stale.
 */
import type { NotificationDto } from '../../../gateway/api-types.ts';
import { formatCents } from './money.ts';
import type { ToastTone } from './toasts.ts';

/** The wallet actor's event names (gateway/notifications/notifications.ts) in words. */
const walletChangeLabels: Readonly<Record<string, string>> = {
  Deposited: 'deposit of',
  Withdrawn: 'withdrawal of',
  DebitedForOrder: 'paid',
  PendingCredited: 'pending sale of',
  PendingReleased: 'released',
  PendingVoided: 'pending sale voided,',
  OrderRefunded: 'refund of',
};

export function notificationText(notification: NotificationDto): { readonly text: string; readonly tone: ToastTone } {
  switch (notification.event) {
    case 'funds.released':
      return { text: `💰 Funds released: ${formatCents(notification.data.amountMinor)} from order #${notification.data.orderNumber}`, tone: 'money' };
    case 'order.new':
      return { text: `🛒 New order #${notification.data.orderNumber}: ${formatCents(notification.data.totalMinor)}`, tone: 'success' };
    case 'order.status':
      return { text: `Order #${notification.data.orderNumber} is now ${notification.data.status}`, tone: 'info' };
    case 'wallet.changed': {
      const label = walletChangeLabels[notification.data.change] ?? notification.data.change;
      return { text: `👛 Wallet: ${label} ${formatCents(notification.data.amountMinor)}`, tone: 'info' };
    }
    default: {
      const unknownEvent: never = notification;
      return unknownEvent;
    }
  }
}
