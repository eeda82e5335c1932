/**
 * The dispute queue (ADMIN): disputed orders with their reason, and refund or release, each asked
 * first. The queue stays true for every operator viewing it: it re-reads while open (operators get
 * no per-order notifications) and the row an operator resolves leaves at once; a row someone else
 * resolved meanwhile leaves with a sentence instead of "This order is not disputed".
 */
import { createMemo, createSignal, For, onCleanup, onMount, Show } from 'solid-js';
import type { JSX } from 'solid-js';
import { createAsync, revalidate } from '@solidjs/router';
import type { OrderDto } from '../../../../gateway/api-types.ts';
import { RequireRole } from '../../components/RequireRole.tsx';
import { Async, EmptyState, formatDateTime, Money, PageHeader } from '../../components/ui.tsx';
import { getDisputes } from '../../data/admin.ts';
import { ResolveButtons } from '../shop/OrderDetail.tsx';
import { Link } from '../../components/Link.tsx';

/** How often an open queue re-reads: one small indexed query, so a resolution elsewhere shows within it. */
const queueRefreshMs = 2_000;

function Queue(): JSX.Element {
  const disputes = createAsync(() => getDisputes());
  const [gone, setGone] = createSignal<ReadonlySet<string>>(new Set());
  const [notice, setNotice] = createSignal<string | null>(null);
  onMount(() => {
    const timer = window.setInterval(() => {
      if (document.visibilityState === 'visible') void revalidate(getDisputes.key);
    }, queueRefreshMs);
    onCleanup(() => window.clearInterval(timer));
  });
  function resolved(orderId: string, number: string, outcome: 'done' | 'already'): void {
    setGone((current) => new Set([...current, orderId]));
    setNotice(outcome === 'done' ? `Dispute #${number} resolved.` : `Dispute #${number} was already resolved by another operator.`);
    void revalidate(getDisputes.key);
  }
  const open = () => disputes()?.items.filter((order) => order.status === 'DISPUTED' && !gone().has(order.id)) ?? [];
  // Rows are keyed by order id (strings compare by value): each re-read brings new objects, and a
  // row keyed by object would be rebuilt and lose a confirmation the operator has open.
  const openIds = createMemo(() => open().map((order) => order.id), [], { equals: (left, right) => left.length === right.length && left.every((id, index) => id === right[index]) });
  const byId = createMemo(() => new Map(open().map((order) => [order.id, order] as const)));
  return (
    <Show when={disputes()}>
      <p role="status" class="m-0 mb-3 min-h-5 text-sm text-muted">
        {notice()}
      </p>
      <Show when={open().length > 0} fallback={<EmptyState title="No open disputes" icon="🕊️">Disputed orders wait here for a decision.</EmptyState>}>
        <ul class="m-0 grid list-none gap-3 p-0">
          <For each={openIds()}>
            {(orderId) => (
              <Show when={byId().get(orderId)}>
                {(current) => <DisputeRow order={current()} onResolved={resolved} />}
              </Show>
            )}
          </For>
        </ul>
      </Show>
    </Show>
  );
}

function DisputeRow(props: { order: OrderDto; onResolved: (orderId: string, number: string, outcome: 'done' | 'already') => void }): JSX.Element {
  return (
    <li data-testid="dispute-row" data-order-id={props.order.id} class="card-premium grid gap-3 p-4 rise-in">
      <div class="flex flex-wrap items-center gap-x-4 gap-y-1">
        <Link href={`/orders/${encodeURIComponent(props.order.id)}`} class="font-mono font-bold">
          #{props.order.number}
        </Link>
        <span class="text-muted">
          {props.order.buyerName || 'Buyer'} → {props.order.sellerName}
        </span>
        <span class="text-sm text-muted">{formatDateTime(props.order.placedAt)}</span>
        <Money cents={props.order.totalMinor} class="ml-auto font-semibold" />
      </div>
      <p class="m-0 text-sm">
        <span class="text-muted">Reason: </span>
        {props.order.disputeReason ?? '—'}
      </p>
      <ResolveButtons order={props.order} onResolved={(outcome) => props.onResolved(props.order.id, props.order.number, outcome)} />
    </li>
  );
}

export default function AdminDisputes(): JSX.Element {
  return (
    <RequireRole roles={['ADMIN']}>
      {() => (
        <div>
          <PageHeader title="Dispute queue" subtitle="Funds stay frozen until you refund the buyer or release them to the seller." />
          <Async rows={3}>
            <Queue />
          </Async>
        </div>
      )}
    </RequireRole>
  );
}
