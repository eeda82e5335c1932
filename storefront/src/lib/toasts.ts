/**
 * Toasts: short-lived messages in one polite live region (components/Toasts.tsx). Bounded so a
 * burst of notifications after a long offline spell cannot flood the screen.
 */
import { createSignal } from 'solid-js';
import type { OrderStatus } from '../../../gateway/api-types.ts';

export type ToastTone = 'info' | 'success' | 'money' | 'error';

export interface Toast {
  readonly id: number;
  readonly text: string;
  readonly tone: ToastTone;
}

/** Toasts on screen at once; older ones drop off first (the pages show the full history). */
const maxVisibleToasts = 3;
/** How long a toast stays; long enough to read a sentence, short enough not to pile up. */
const toastLifetimeMs = 8_000;

const [toasts, setToasts] = createSignal<readonly Toast[]>([]);
let nextToastId = 1;

export { toasts };

export function dismissToast(id: number): void {
  setToasts((current) => current.filter((toast) => toast.id !== id));
}

export function showToast(text: string, tone: ToastTone = 'info'): void {
  const id = nextToastId++;
  setToasts((current) => [...current, { id, text, tone }].slice(-maxVisibleToasts));
  window.setTimeout(() => dismissToast(id), toastLifetimeMs);
}

/** How long after a click its order's notifications stay quiet: the page shows the result already. */
const ownActionQuietMs = 15_000;
const ownActions = new Map<string, number>();

/**
 * Records that this tab just moved `orderId` to one of `statuses`, so that echo comes back without
 * a toast. Only those statuses: what someone else does to the order meanwhile still toasts.
 */
export function noteOwnAction(orderId: string, statuses: readonly OrderStatus[]): void {
  for (const status of statuses) ownActions.set(ownActionKey(orderId, status), Date.now() + ownActionQuietMs);
}

export function ownActionKey(orderId: string, status: OrderStatus): string {
  return `${orderId}:${status}`;
}

/** `orderId:status` keys this tab caused within the quiet window. */
export function recentOwnActions(): ReadonlySet<string> {
  const now = Date.now();
  for (const [orderId, until] of ownActions) if (until < now) ownActions.delete(orderId);
  return new Set(ownActions.keys());
}
