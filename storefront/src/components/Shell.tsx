/**
 * The frame of every page: header with navigation per role, cart count, sign in/out, the search
 * overlay (button or Ctrl/Cmd+K), the live connection for the signed-in user, and the toasts.
 */
import { createEffect, createMemo, createSignal, For, onCleanup, onMount, Show } from 'solid-js';
import type { JSX, ParentProps } from 'solid-js';
import { createAsync, useAction, useNavigate } from '@solidjs/router';
import type { UserDto, UserRole } from '../../../gateway/api-types.ts';
import { getMeOrNull, logoutAction } from '../data/auth.ts';
import { cartCount } from '../data/cart.ts';
import { connectLive } from '../lib/live.ts';
import type { LiveStatus } from '../lib/live.ts';
import type { SitePath } from '../lib/paths.ts';
import { connectionRecovered } from '../lib/recovery.ts';
import { applyNotification } from '../data/notifications.ts';
import { showToast } from '../lib/toasts.ts';
import { NotificationCentre } from './NotificationCentre.tsx';
import { SearchOverlay } from './SearchOverlay.tsx';
import { Toasts } from './Toasts.tsx';
import { Async } from './ui.tsx';
import { Link } from './Link.tsx';

const roleLinks: Readonly<Record<UserRole, readonly { href: SitePath; label: string }[]>> = {
  BUYER: [
    { href: '/orders', label: 'Orders' },
    { href: '/wallet', label: 'Wallet' },
    { href: '/account/addresses', label: 'Addresses' },
  ],
  SELLER: [
    { href: '/seller', label: 'Dashboard' },
    { href: '/seller/orders', label: 'Orders' },
    { href: '/seller/products', label: 'Products' },
    { href: '/wallet', label: 'Wallet' },
  ],
  ADMIN: [
    { href: '/admin', label: 'Overview' },
    { href: '/admin/actors', label: 'Actors' },
    { href: '/admin/audit', label: 'Audit' },
    { href: '/admin/disputes', label: 'Disputes' },
    { href: '/admin/mail', label: 'Mail' },
    { href: '/admin/cluster', label: 'Cluster' },
  ],
};

const navLink = 'inline-flex min-h-11 items-center whitespace-nowrap rounded-lg px-2.5 py-1.5 text-sm font-medium text-muted no-underline hover:text-ink hover:bg-[var(--c-hover)]';
/** Header controls are at least 44 px square, the smallest target a thumb hits reliably. */
const headerButton = 'btn-ghost min-h-11 min-w-11 whitespace-nowrap !py-1.5 text-sm';
/** Links whose route is exact, so "Dashboard" or "Overview" is not active on their subpages. */
const exactLinks = new Set(['/seller', '/admin']);
const activeLink = '!text-ink bg-[var(--c-hover)]';

/** Keeps the WebSocket open while someone is signed in, and closes it when they sign out. */
function useLiveConnection(user: () => UserDto | null | undefined): () => LiveStatus {
  const [status, setStatus] = createSignal<LiveStatus>('offline');
  // Keyed on the id: a revalidated `me` with the same user must not reconnect the socket.
  const userId = createMemo(() => user()?.id ?? null);
  createEffect(() => {
    const id = userId();
    if (id === null) return;
    let wasOffline = false;
    const connection = connectLive(id, {
      onNotification: (notification) => applyNotification(notification, showToast),
      onStatus: (next) => {
        // Back live after an outage: data fetched meanwhile may have failed; refresh it.
        if (next === 'live' && wasOffline) connectionRecovered();
        if (next === 'offline') wasOffline = true;
        else if (next === 'live') wasOffline = false;
        setStatus(next);
      },
    });
    onCleanup(connection.close);
  });
  return status;
}

function LiveDot(props: { status: LiveStatus }): JSX.Element {
  const label = (): string => (props.status === 'live' ? 'Live updates on' : props.status === 'connecting' ? 'Connecting for live updates' : 'Live updates offline, reconnecting');
  return <span class={`inline-block h-2 w-2 rounded-full ${props.status === 'live' ? 'bg-good' : props.status === 'connecting' ? 'bg-warn' : 'bg-bad'}`} title={label()} role="img" aria-label={label()} />;
}

function UserArea(props: { user: UserDto | null | undefined; live: LiveStatus; compact?: boolean }): JSX.Element {
  const logout = useAction(logoutAction);
  const navigate = useNavigate();
  const [busy, setBusy] = createSignal(false);
  async function signOut(): Promise<void> {
    setBusy(true);
    try {
      await logout();
      navigate('/');
    } catch {
      showToast('Signing out failed. Please try again.', 'error');
    } finally {
      setBusy(false);
    }
  }
  return (
    <Show
      when={props.user}
      fallback={
        <Show when={props.user === null}>
          <Link href="/login" class={navLink} activeClass={activeLink}>
            Sign in
          </Link>
          <Link href="/register" class="btn-premium min-h-11 whitespace-nowrap !py-1.5 text-sm no-underline">
            Register
          </Link>
        </Show>
      }
    >
      {(user) => (
        <>
          <NotificationCentre />
          <span class="flex items-center gap-2 text-sm">
            <LiveDot status={props.live} />
            <span class={`max-w-[10rem] truncate font-medium ${props.compact ? '' : 'hidden sm:inline'}`}>{user().displayName}</span>
          </span>
          <button type="button" class={`${headerButton} ${props.compact ? '' : 'hidden sm:inline-flex'}`} disabled={busy()} onClick={() => void signOut()}>
            Sign out
          </button>
        </>
      )}
    </Show>
  );
}

/**
 * On a phone the role links, the user's name and "Sign out" fold into one menu, so the signed-in
 * header stays one row (it was three rows, 134 px, before).
 */
function PhoneMenu(props: { user: UserDto; live: LiveStatus }): JSX.Element {
  const [open, setOpen] = createSignal(false);
  return (
    <div class="relative sm:hidden">
      <button type="button" class={headerButton} aria-expanded={open()} aria-controls="phone-menu" aria-label="Menu" onClick={() => setOpen(!open())}>
        <span aria-hidden="true">☰</span>
      </button>
      <Show when={open()}>
        <div id="phone-menu" class="card-premium absolute right-0 top-12 z-40 grid w-56 gap-1 p-2" onClick={(event) => (event.target as HTMLElement).closest('a') !== null && setOpen(false)}>
          <nav aria-label="Main" class="grid gap-1">
            <For each={roleLinks[props.user.role]}>{(link) => <Link href={link.href} end={exactLinks.has(link.href)} class={navLink} activeClass={activeLink}>{link.label}</Link>}</For>
          </nav>
          <div class="flex items-center justify-between gap-2 border-t border-line pt-2">
            <UserArea user={props.user} live={props.live} compact />
          </div>
        </div>
      </Show>
    </div>
  );
}

export function Shell(props: ParentProps): JSX.Element {
  const user = createAsync(() => getMeOrNull());
  const [searchOpen, setSearchOpen] = createSignal(false);
  const live = useLiveConnection(() => user());

  onMount(() => {
    const onKey = (event: KeyboardEvent): void => {
      if ((event.ctrlKey || event.metaKey) && event.key.toLowerCase() === 'k') {
        event.preventDefault();
        setSearchOpen(true);
      }
    };
    window.addEventListener('keydown', onKey);
    onCleanup(() => window.removeEventListener('keydown', onKey));
  });

  return (
    <div class="min-h-screen">
      <a href="#main" class="sr-only focus:not-sr-only focus:fixed focus:left-2 focus:top-2 focus:z-50 btn-premium">
        Skip to content
      </a>
      <header class="sticky top-0 z-30 border-b border-line bg-[var(--c-surface)] backdrop-blur-md">
        <div class="mx-auto flex max-w-6xl items-center gap-x-2 px-3 py-2 sm:gap-x-3 sm:px-4">
          <Link href="/" end class="mr-1 flex min-h-11 min-w-11 items-center gap-2 text-lg font-extrabold tracking-tight no-underline" aria-label="Bazaary home">
            <img src="/favicon.svg" alt="" width="28" height="28" />
            <span class={user() ? 'hidden min-[400px]:inline' : 'hidden min-[420px]:inline'}>Bazaary</span>
          </Link>
          <nav aria-label="Main" class="hidden flex-wrap items-center gap-1 sm:flex">
            <Show when={user()}>{(current) => <For each={roleLinks[current().role]}>{(link) => <Link href={link.href} end={exactLinks.has(link.href)} class={navLink} activeClass={activeLink}>{link.label}</Link>}</For>}</Show>
          </nav>
          <div class="ml-auto flex items-center gap-1 sm:gap-2">
            <button type="button" class={headerButton} aria-keyshortcuts="Control+K Meta+K" onClick={() => setSearchOpen(true)}>
              <span aria-hidden="true">🔎</span>
              <span class="sr-only sm:not-sr-only">Search</span>
              <kbd class="hidden rounded border border-line px-1 text-xs text-muted md:inline" aria-hidden="true">
                Ctrl K
              </kbd>
            </button>
            <Link href="/cart" class={`${navLink} gap-1`} activeClass={activeLink} aria-label={`Cart, ${cartCount()} items`}>
              <span aria-hidden="true">🛒</span>
              <span aria-hidden="true">
                <span class="hidden sm:inline">Cart </span>({cartCount()})
              </span>
            </Link>
            <UserArea user={user()} live={live()} />
            <Show when={user()}>{(current) => <PhoneMenu user={current()} live={live()} />}</Show>
          </div>
        </div>
      </header>
      <main id="main" class="mx-auto max-w-6xl px-4 py-6 sm:py-8">
        <Async rows={4}>{props.children}</Async>
      </main>
      <footer class="mx-auto max-w-6xl px-4 pb-10 pt-4 text-sm text-muted">Bazaary · every cent escrowed, journaled and audited.</footer>
      <Show when={searchOpen()}>
        <SearchOverlay onClose={() => setSearchOpen(false)} />
      </Show>
      <Toasts />
    </div>
  );
}
