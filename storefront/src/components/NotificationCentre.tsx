/**
 * The bell and its notification centre (issue #15 §2): the unread count and the history, read from
 * the persisted per-user notifications, with read marks kept on the server, so nothing a toast
 * showed is lost when it fades. Opening an entry marks it read; "Mark all as read" marks the rest.
 */
import { createSignal, For, onCleanup, onMount, Show } from 'solid-js';
import type { JSX } from 'solid-js';
import { createAsync, revalidate, useAction } from '@solidjs/router';
import type { NotificationDto } from '../../../gateway/api-types.ts';
import { getNotificationCentre, markNotificationsRead } from '../data/notifications.ts';
import { notificationText } from '../lib/notification-text.ts';
import type { SitePath } from '../lib/paths.ts';
import { formatDateTime } from './ui.tsx';
import { Link } from './Link.tsx';

function orderLink(notification: NotificationDto): SitePath | null {
  return notification.event === 'wallet.changed' ? (notification.data.orderId === null ? '/wallet' : null) : `/orders/${encodeURIComponent(notification.data.orderId)}`;
}

export function NotificationCentre(): JSX.Element {
  const centre = createAsync(() => getNotificationCentre());
  const markRead = useAction(markNotificationsRead);
  const [open, setOpen] = createSignal(false);
  let root: HTMLDivElement | undefined;
  const unread = (): number => centre()?.unread ?? 0;

  onMount(() => {
    const onPointer = (event: PointerEvent): void => {
      if (open() && root !== undefined && !root.contains(event.target as Node)) setOpen(false);
    };
    const onKey = (event: KeyboardEvent): void => {
      if (event.key === 'Escape' && open()) setOpen(false);
    };
    document.addEventListener('pointerdown', onPointer);
    document.addEventListener('keydown', onKey);
    onCleanup(() => {
      document.removeEventListener('pointerdown', onPointer);
      document.removeEventListener('keydown', onKey);
    });
  });

  async function mark(target: { seq: number } | { throughSeq: number }): Promise<void> {
    try {
      await markRead(target);
    } finally {
      void revalidate(getNotificationCentre.key);
    }
  }

  const newestSeq = (): number => centre()?.items[0]?.notification.seq ?? 0;
  const label = (): string => (unread() === 0 ? 'Notifications' : `Notifications, ${unread()} unread`);

  return (
    <div ref={root} class="relative">
      <button type="button" class="btn-ghost relative min-h-11 min-w-11 !px-2.5 !py-1.5 text-sm" aria-label={label()} aria-expanded={open()} aria-haspopup="dialog" onClick={() => setOpen(!open())}>
        {/* A drawn bell rather than an emoji: it renders the same without an emoji font. */}
        <svg aria-hidden="true" width="18" height="18" viewBox="0 0 24 24" fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round" stroke-linejoin="round">
          <path d="M6 8a6 6 0 0 1 12 0c0 7 3 9 3 9H3s3-2 3-9" />
          <path d="M10.3 21a1.94 1.94 0 0 0 3.4 0" />
        </svg>
        <Show when={unread() > 0}>
          <span data-testid="unread-count" aria-hidden="true" class="absolute -right-1 -top-1 grid h-5 min-w-5 place-items-center rounded-full bg-bad px-1 text-xs font-bold text-white">
            {unread() > 99 ? '99+' : unread()}
          </span>
        </Show>
      </button>
      <Show when={open()}>
        <div role="dialog" aria-label="Notifications" class="card-premium fixed inset-x-2 top-16 z-40 grid max-h-[70vh] gap-2 overflow-y-auto p-3 sm:absolute sm:inset-x-auto sm:right-0 sm:top-full sm:mt-2 sm:w-96">
          <div class="flex items-center justify-between gap-2">
            <h2 class="m-0 text-base font-bold">Notifications</h2>
            <button type="button" class="btn-ghost !py-1 text-sm" disabled={unread() === 0} onClick={() => void mark({ throughSeq: newestSeq() })}>
              Mark all as read
            </button>
          </div>
          <ul class="m-0 grid list-none gap-1 p-0">
            <For each={centre()?.items ?? []} fallback={<li class="p-4 text-center text-sm text-muted">Nothing yet. Orders and payouts show up here.</li>}>
              {(entry) => {
                const view = notificationText(entry.notification);
                const href = orderLink(entry.notification);
                const body = (
                  <>
                    <span class={`block text-sm ${entry.read ? 'text-muted' : 'font-semibold'}`}>{view.text}</span>
                    <span class="block text-xs text-muted">{formatDateTime(entry.notification.at)}</span>
                  </>
                );
                const onOpen = (): void => {
                  if (!entry.read) void mark({ seq: entry.notification.seq });
                  setOpen(false);
                };
                return (
                  <li data-testid="notification-item" data-read={entry.read ? 'true' : 'false'} class={`rounded-lg ${entry.read ? '' : 'bg-[var(--c-hover)]'}`}>
                    <Show when={href} fallback={<button type="button" class="block w-full border-0 bg-transparent p-2 text-left" onClick={onOpen}>{body}</button>}>
                      {(link) => (
                        <Link href={link()} class="block p-2 text-ink no-underline" onClick={onOpen}>
                          {body}
                        </Link>
                      )}
                    </Show>
                  </li>
                );
              }}
            </For>
          </ul>
        </div>
      </Show>
    </div>
  );
}
