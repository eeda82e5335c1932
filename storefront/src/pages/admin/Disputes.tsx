/** The dispute queue (ADMIN): disputed orders with their reason, and refund or release. */
import { For, Show } from 'solid-js';
import type { JSX } from 'solid-js';
import { A, createAsync } from '@solidjs/router';
import { RequireRole } from '../../components/RequireRole.tsx';
import { Async, EmptyState, formatDateTime, Money, PageHeader } from '../../components/ui.tsx';
import { getDisputes } from '../../data/admin.ts';
import { ResolveButtons } from '../shop/OrderDetail.tsx';

function Queue(): JSX.Element {
  const disputes = createAsync(() => getDisputes());
  return (
    <Show when={disputes()}>
      {(page) => (
        <Show when={page().items.length > 0} fallback={<EmptyState title="No open disputes" icon="🕊️">Disputed orders wait here for a decision.</EmptyState>}>
          <ul class="m-0 grid list-none gap-3 p-0">
            <For each={page().items}>
              {(order) => (
                <li data-testid="dispute-row" data-order-id={order.id} class="card-premium grid gap-3 p-4 rise-in">
                  <div class="flex flex-wrap items-center gap-x-4 gap-y-1">
                    <A href={`/orders/${encodeURIComponent(order.id)}`} class="font-mono font-bold">
                      #{order.number}
                    </A>
                    <span class="text-muted">{order.sellerName}</span>
                    <span class="text-sm text-muted">{formatDateTime(order.placedAt)}</span>
                    <Money cents={order.totalMinor} class="ml-auto font-semibold" />
                  </div>
                  <p class="m-0 text-sm">
                    <span class="text-muted">Reason: </span>
                    {order.disputeReason ?? '—'}
                  </p>
                  <ResolveButtons orderId={order.id} />
                </li>
              )}
            </For>
          </ul>
        </Show>
      )}
    </Show>
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
