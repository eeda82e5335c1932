/** My orders (buyer, seller or operator view), newest first, filterable by status. */
import { createMemo, For, Show } from 'solid-js';
import type { JSX } from 'solid-js';
import { createAsync, useSearchParams } from '@solidjs/router';
import type { OrderItemDto, OrderStatus } from '../../../../gateway/api-types.ts';
import { ProductImage } from '../../components/ProductCard.tsx';
import { RequireRole } from '../../components/RequireRole.tsx';
import { Async, Badge, EmptyState, FilterSelect, formatDateTime, Money, PageHeader, Pager } from '../../components/ui.tsx';
import { pageParam, single } from '../../lib/params.ts';
import { getOrders, orderStatuses, statusTone } from '../../data/orders.ts';
import { Link } from '../../components/Link.tsx';

const pageSize = 25;

/** "Desk lamp ×2, Mug and 1 more": what the order holds, in words. */
export function itemNames(items: readonly OrderItemDto[]): string {
  const named = items.slice(0, 2).map((item) => (item.qty > 1 ? `${item.title} ×${item.qty}` : item.title));
  const more = items.length - named.length;
  return `${named.join(', ')}${more > 0 ? ` and ${more} more` : ''}`;
}

function isStatus(value: string | undefined): value is OrderStatus {
  return orderStatuses.some((status) => status === value);
}

/**
 * A list keyed by order id: a live re-read brings new objects, and rows keyed by object would be
 * rebuilt (blinking through their entry animation) on every update.
 */
export function KeyedById<Item extends { readonly id: string }>(props: { items: readonly Item[]; children: (item: () => Item) => JSX.Element }): JSX.Element {
  const ids = createMemo(() => props.items.map((item) => item.id), [], { equals: (left, right) => left.length === right.length && left.every((id, index) => id === right[index]) });
  const byId = createMemo(() => new Map(props.items.map((item) => [item.id, item] as const)));
  return <For each={ids()}>{(id) => <Show when={byId().get(id)}>{(item) => props.children(item)}</Show>}</For>;
}

function OrderList(props: { status: OrderStatus | undefined; page: number; setPage: (page: number) => void }): JSX.Element {
  const orders = createAsync(() => getOrders({ status: props.status, page: props.page, pageSize }));
  return (
    <Show when={orders()}>
      {(page) => (
        <Show when={page().items.length > 0} fallback={<EmptyState title="No orders yet" icon="📦">Orders you place show up here, live.</EmptyState>}>
          <ul class="m-0 grid list-none gap-3 p-0">
            <KeyedById items={page().items}>
              {(order) => (
                <li>
                  <Link href={`/orders/${encodeURIComponent(order().id)}`} data-testid="order-row" data-order-id={order().id} class="card-premium flex flex-wrap items-center gap-x-4 gap-y-1 p-4 no-underline transition-transform hover:-translate-y-0.5 rise-in">
                    <span class="flex shrink-0 -space-x-3" aria-hidden="true">
                      <For each={order().items.slice(0, 3)}>{(item) => <ProductImage url={item.imageUrl} title="" class="h-11 w-11 rounded-lg ring-2 ring-[var(--c-surface)]" />}</For>
                    </span>
                    <span class="grid min-w-0 flex-1 basis-40">
                      <span class="truncate font-semibold">{itemNames(order().items)}</span>
                      <span class="truncate text-sm text-muted">
                        <span class="font-mono">#{order().number}</span> · {order().sellerName}
                      </span>
                    </span>
                    {/* On a phone the date gives its room to the item names; the order page has it. */}
                    <span class="hidden text-sm text-muted sm:inline">{formatDateTime(order().placedAt)}</span>
                    <Money cents={order().totalMinor} class="font-semibold" />
                    <Badge tone={statusTone(order().status)}>{order().status}</Badge>
                  </Link>
                </li>
              )}
            </KeyedById>
          </ul>
          <Pager page={props.page} total={page().total} pageSize={pageSize} onPage={props.setPage} label="Pages" />
        </Show>
      )}
    </Show>
  );
}

export function OrdersPage(): JSX.Element {
  const [params, setParams] = useSearchParams();
  const status = (): OrderStatus | undefined => {
    const text = single(params.status);
    return isStatus(text) ? text : undefined;
  };
  const page = (): number => pageParam(params.page);
  return (
    <RequireRole roles={['BUYER', 'SELLER', 'ADMIN']}>
      {() => (
        <div>
          <PageHeader title="Orders" subtitle="Status changes arrive live.">
            <FilterSelect id="order-status-filter" label="Status" value={status() ?? ''} all="All statuses" options={orderStatuses.map((option) => [option, option])} onChange={(next) => setParams({ status: next || undefined, page: undefined })} />
          </PageHeader>
          <Async rows={4}>
            <OrderList status={status()} page={page()} setPage={(next) => setParams({ page: String(next) })} />
          </Async>
        </div>
      )}
    </RequireRole>
  );
}
