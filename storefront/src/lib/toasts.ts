/**
 * Toasts: short-lived messages in one polite live region (components/Toasts.tsx). Bounded so a
 * burst of notifications after a long offline spell cannot flood the screen.
 */
import { createSignal } from 'solid-js';

export type ToastTone = 'info' | 'success' | 'money' | 'error';

export interface Toast {
  readonly id: number;
  readonly text: string;
  readonly tone: ToastTone;
}

/** Toasts on screen at once; older ones drop off first (the pages show the full history). */
const maxVisibleToasts = 5;
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
