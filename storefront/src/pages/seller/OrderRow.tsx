/**
 * One order as the seller works it, in the live feed and on the order desk: number, buyer, items,
 * total, status, the ship-by deadline while PAID, and Ship with carrier and tracking number.
 * Shipping moves no money (the escrow stays held); the order page has cancel-and-refund, which asks first.
 */
import { createMemo, For, Show } from 'solid-js';
import type { JSX } from 'solid-js';
import type { OrderDto } from '../../../../gateway/api-types.ts';
import { ShipForm } from '../../components/ShipForm.tsx';
import { Badge, formatDateTime, Money } from '../../components/ui.tsx';
import { statusTone } from '../../data/orders.ts';
import { itemNames } from '../shop/Orders.tsx';
import { shipToText } from '../shop/OrderDetail.tsx';
import { Link } from '../../components/Link.tsx';

export function SellerOrderRow(props: { order: OrderDto; testId: string }): JSX.Element {
  return (
    <li data-testid={props.testId} data-order-id={props.order.id} class="border-t border-line px-4 py-3 first:border-t-0 rise-in">
      <div class="flex flex-wrap items-center gap-x-4 gap-y-2">
        <div class="grid min-w-0 flex-1 basis-56">
          <span class="flex flex-wrap items-baseline gap-x-2">
            <Link href={`/orders/${encodeURIComponent(props.order.id)}`} class="font-mono font-bold">
              #{props.order.number}
            </Link>
            <span class="font-semibold" data-testid="order-buyer">
              {props.order.buyerName || 'A buyer'}
            </span>
          </span>
          <span class="truncate text-sm" data-testid="order-items">
            {itemNames(props.order.items)}
          </span>
          <span class={`text-sm ${props.order.shipTo === null ? 'text-muted' : ''}`} data-testid="order-ship-to">
            <span aria-hidden="true">📦 </span>
            {shipToText(props.order)}
          </span>
          <span class="text-xs text-muted">
            {formatDateTime(props.order.placedAt)}
            <Show when={props.order.status === 'PAID' && props.order.shipByAt}>
              {(due) => (
                <span class="font-semibold text-warn" data-testid="ship-by">
                  {' '}
                  · Ship by {formatDateTime(due())}
                </span>
              )}
            </Show>
          </span>
        </div>
        <Money cents={props.order.totalMinor} class="font-semibold" />
        <Badge tone={statusTone(props.order.status)}>{props.order.status}</Badge>
        <Show when={props.order.status === 'PAID'}>
          <ShipForm orderId={props.order.id} compact />
        </Show>
      </div>
    </li>
  );
}

/**
 * Rows keyed by order id: a live update re-reads the list as new objects, and rows keyed by
 * object would be rebuilt, closing a ship form the seller is filling in.
 */
export function SellerOrderRows(props: { orders: readonly OrderDto[]; testId: string; empty?: JSX.Element }): JSX.Element {
  const ids = createMemo(() => props.orders.map((order) => order.id), [], { equals: (left, right) => left.length === right.length && left.every((id, index) => id === right[index]) });
  const byId = createMemo(() => new Map(props.orders.map((order) => [order.id, order] as const)));
  return (
    <For each={ids()} fallback={props.empty}>
      {(orderId) => <Show when={byId().get(orderId)}>{(order) => <SellerOrderRow order={order()} testId={props.testId} />}</Show>}
    </For>
  );
}
