/**
 * Which toasts a burst of live notifications makes (issue #15 §2). Pure, so the policy is tested
 * without a browser:
 * - a person's own action already shows its result in place, so the status they just caused in
 *   this tab (`orderId:status` in `own`), and their own wallet moves, make no toast;
 * - one order's several notifications arriving together (delivered, completed, funds released)
 *   make one toast: the one that matters most;
 * - several orders at once make one grouped toast, and the bell keeps every notification.
 */
import type { NotificationDto } from '../../../gateway/api-types.ts';
import { notificationText } from './notification-text.ts';
import type { ToastTone } from './toasts.ts';

export interface ToastView {
  readonly text: string;
  readonly tone: ToastTone;
}

/** Sentences a grouped toast names before "and N more"; the bell lists the rest. */
const namedInGroup = 3;

const weight: Readonly<Record<NotificationDto['event'], number>> = {
  'wallet.changed': 0,
  'order.status': 1,
  'order.new': 2,
  'funds.released': 3,
};

function orderIdOf(notification: NotificationDto): string | null {
  return notification.event === 'wallet.changed' ? null : notification.data.orderId;
}

/** Whether this tab caused the notification (its status is one this tab's click just set). */
export function causedHere(notification: NotificationDto, own: ReadonlySet<string>): boolean {
  return notification.event === 'order.status' && own.has(`${notification.data.orderId}:${notification.data.status}`);
}

/** The toasts for notifications that arrived together; `own` holds the `orderId:status` this tab caused. */
export function toastsFor(burst: readonly NotificationDto[], own: ReadonlySet<string>): ToastView[] {
  const byOrder = new Map<string, NotificationDto>();
  for (const notification of burst) {
    const orderId = orderIdOf(notification);
    if (orderId === null || causedHere(notification, own)) continue;
    const kept = byOrder.get(orderId);
    // The later of equal weight wins: a status that moved twice shows where it is now.
    if (kept === undefined || weight[notification.event] >= weight[kept.event]) byOrder.set(orderId, notification);
  }
  const views = [...byOrder.values()].sort((left, right) => left.seq - right.seq).map(notificationText);
  if (views.length <= 1) return views;
  const named = views.slice(0, namedInGroup).map((view) => view.text);
  const more = views.length - named.length;
  const tone = views.some((view) => view.tone === 'money') ? 'money' : 'info';
  return [{ text: `${views.length} updates: ${named.join(' · ')}${more > 0 ? ` and ${more} more` : ''}`, tone }];
}
