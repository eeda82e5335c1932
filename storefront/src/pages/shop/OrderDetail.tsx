/**
 * One order: live status, timeline, items, and the actions the viewer may take (buyer: confirm
 * delivery, open a dispute; seller: ship, cancel; operator: resolve a dispute). The status and
 * timeline update live: an `order.status` notification revalidates this query.
 */
import { createSignal, For, Show } from 'solid-js';
import type { JSX, ParentProps } from 'solid-js';
import { createAsync, useAction, useParams } from '@solidjs/router';
import type { OrderDto, UserDto } from '../../../../gateway/api-types.ts';
import { RequireRole } from '../../components/RequireRole.tsx';
import { Async, Badge, ErrorNote, formatDateTime, Money, PageHeader } from '../../components/ui.tsx';
import { cancelOrder, confirmDelivery, getOrder, openDispute, resolveDispute, statusTone } from '../../data/orders.ts';
import { addressLine } from '../../data/addresses.ts';
import { ShipForm } from '../../components/ShipForm.tsx';
import { sentenceFor } from '../../lib/errors.ts';
import { useCommand } from '../../lib/command.ts';
import { formatCents } from '../../lib/money.ts';
import { noteOwnAction } from '../../lib/toasts.ts';
import { ConfirmAction } from '../../components/ConfirmAction.tsx';
import { Link } from '../../components/Link.tsx';

const stepLabels: Readonly<Record<string, string>> = {
  PLACED: 'Order placed',
  CHECKOUT_CONFIRMED: 'Checkout confirmed',
  PAID: 'Paid, funds held in escrow',
  SHIPPED: 'Shipped',
  DELIVERED: 'Delivered',
  COMPLETED: 'Completed, funds released to the seller',
  CANCELLED: 'Cancelled and refunded',
  DISPUTED: 'Dispute opened',
  DISPUTE_RESOLVED: 'Dispute resolved',
  FAILED: 'Failed, nothing charged',
};

/** The rule that decides which actions an order allows now, in one sentence (issue #15 §5). */
function ruleFor(order: OrderDto, viewer: 'buyer' | 'seller'): string {
  switch (order.status) {
    case 'PAID':
      return viewer === 'seller' ? 'Ship it by the ship-by date or cancel it; an unshipped order is refunded then.' : 'The seller ships it by the ship-by date, or you are refunded automatically. Until it ships you may cancel it and be refunded at once; disputes are for shipped orders.';
    case 'SHIPPED':
    case 'DELIVERED':
      return viewer === 'seller' ? 'You are paid when the buyer confirms delivery, or on the auto-release date.' : 'Confirm delivery to pay the seller, or open a dispute to keep the money frozen until an operator decides.';
    case 'DISPUTED':
      return 'Frozen until an operator refunds the buyer or pays the seller.';
    case 'PLACED':
      return 'The checkout is still finishing.';
    case 'COMPLETED':
    case 'CANCELLED':
    case 'FAILED':
      return 'Closed: no further action is possible.';
    default: {
      const unknownStatus: never = order.status;
      return unknownStatus;
    }
  }
}

function Rule(props: { order: OrderDto; viewer: 'buyer' | 'seller' }): JSX.Element {
  return (
    <p data-testid="order-rule" class="m-0 text-sm text-muted">
      {ruleFor(props.order, props.viewer)}
    </p>
  );
}

function BuyerActions(props: { order: OrderDto }): JSX.Element {
  const confirm = useAction(confirmDelivery);
  const dispute = useAction(openDispute);
  const cancel = useAction(cancelOrder);
  const cancelCommand = useCommand();
  const confirmCommand = useCommand();
  const disputeCommand = useCommand();
  const [disputing, setDisputing] = createSignal(false);
  const [reason, setReason] = createSignal('');
  const open = (): boolean => props.order.status === 'SHIPPED' || props.order.status === 'DELIVERED';
  const total = (): string => formatCents(props.order.totalMinor);

  async function submitDispute(event: SubmitEvent): Promise<void> {
    event.preventDefault();
    noteOwnAction(props.order.id, ['DISPUTED']);
    if (await disputeCommand.run(() => dispute(props.order.id, reason().trim()))) setDisputing(false);
  }

  return (
    <div class="card-premium grid gap-3 p-4">
      <Rule order={props.order} viewer="buyer" />
      {/* Unshipped: the buyer cancels and is refunded; disputes are for shipped or delivered orders. */}
      <Show when={props.order.status === 'PAID'}>
        <div class="flex flex-wrap items-start gap-2">
          <ConfirmAction
            label="Cancel order"
            question={`Cancel this order? ${total()} comes back to your wallet at once; this cannot be undone.`}
            confirmLabel={`Cancel and refund ${total()}`}
            danger
            disabled={cancelCommand.pending()}
            run={() => (noteOwnAction(props.order.id, ['CANCELLED']), cancelCommand.run(() => cancel(props.order.id)))}
          />
        </div>
        <ErrorNote error={cancelCommand.error()} />
      </Show>
      <Show when={open()}>
        <div class="flex flex-wrap items-start gap-2">
          <ConfirmAction
            label="Confirm delivery"
            question={`Release ${total()} to ${props.order.sellerName}? The seller is paid at once; this cannot be undone.`}
            confirmLabel={`Release ${total()} to ${props.order.sellerName}`}
            disabled={confirmCommand.pending()}
            run={() => (noteOwnAction(props.order.id, ['DELIVERED', 'COMPLETED']), confirmCommand.run(() => confirm(props.order.id)))}
          />
          <button type="button" class="btn-ghost" aria-expanded={disputing()} onClick={() => setDisputing(!disputing())}>
            Open dispute
          </button>
        </div>
        <ErrorNote id="confirm-error" error={confirmCommand.error()} />
        <Show when={disputing()}>
          <form class="grid gap-2" onSubmit={(event) => void submitDispute(event)}>
            <label for="dispute-reason" class="field-label">
              Reason
            </label>
            <textarea id="dispute-reason" class="field min-h-24" maxLength={500} required value={reason()} onInput={(event) => setReason(event.currentTarget.value)} />
            <div>
              <button type="submit" class="btn-danger" disabled={disputeCommand.pending() || reason().trim() === ''}>
                Submit dispute
              </button>
            </div>
            <ErrorNote error={disputeCommand.error()} />
          </form>
        </Show>
      </Show>
    </div>
  );
}

function SellerActions(props: { order: OrderDto }): JSX.Element {
  const cancel = useAction(cancelOrder);
  const command = useCommand();
  const buyer = (): string => props.order.buyerName || 'the buyer';
  return (
    <div class="card-premium grid gap-3 p-4">
      <Rule order={props.order} viewer="seller" />
      <Show when={props.order.status === 'PAID'}>
        <div class="flex flex-wrap items-start gap-2">
          <ShipForm orderId={props.order.id} />
          <ConfirmAction
            label="Cancel and refund"
            question={`Cancel this order and refund ${formatCents(props.order.totalMinor)} to ${buyer()}? This cannot be undone.`}
            confirmLabel={`Refund ${formatCents(props.order.totalMinor)} to ${buyer()}`}
            danger
            disabled={command.pending()}
            run={() => (noteOwnAction(props.order.id, ['CANCELLED']), command.run(() => cancel(props.order.id)))}
          />
        </div>
      </Show>
      <ErrorNote error={command.error()} />
    </div>
  );
}

/**
 * An operator's decision on a dispute. Neither side is the highlighted default: each asks first,
 * naming the amount and who gets it. A dispute another operator resolved meanwhile leaves the
 * queue with a sentence instead of an error (`onResolved`).
 */
export function ResolveButtons(props: { order: OrderDto; onResolved?: (outcome: 'done' | 'already') => void }): JSX.Element {
  const resolve = useAction(resolveDispute);
  const command = useCommand();
  const total = (): string => formatCents(props.order.totalMinor);
  const buyer = (): string => props.order.buyerName || 'the buyer';
  async function decide(resolution: 'refund' | 'release'): Promise<void> {
    noteOwnAction(props.order.id, [resolution === 'refund' ? 'CANCELLED' : 'COMPLETED']);
    const done = await command.run(() => resolve(props.order.id, resolution));
    if (done) props.onResolved?.('done');
    else if (command.code() === 'not_disputed' || command.code() === 'invalid_transition') props.onResolved?.('already');
  }
  return (
    <div class="grid gap-2">
      <div class="flex flex-wrap items-start gap-2">
        <ConfirmAction
          label="Refund buyer"
          question={`Refund ${total()} to ${buyer()}? The seller gets nothing for this order.`}
          confirmLabel={`Refund ${total()} to ${buyer()}`}
          disabled={command.pending()}
          run={() => decide('refund')}
        />
        <ConfirmAction
          label="Release to seller"
          question={`Release ${total()} to ${props.order.sellerName}? The buyer gets no refund.`}
          confirmLabel={`Release ${total()} to ${props.order.sellerName}`}
          disabled={command.pending()}
          run={() => decide('release')}
        />
      </div>
      <ErrorNote error={command.error()} />
    </div>
  );
}

function Timeline(props: { order: OrderDto }): JSX.Element {
  return (
    <ol class="m-0 grid list-none gap-0 p-0" aria-label="Timeline">
      <For each={props.order.timeline}>
        {(step, index) => (
          <li data-testid="timeline-step" class="relative flex gap-3 pb-4 rise-in">
            <span class="relative flex flex-col items-center" aria-hidden="true">
              <span class={`mt-1.5 h-3 w-3 rounded-full ${index() === props.order.timeline.length - 1 ? 'bg-[linear-gradient(135deg,var(--c-brand),var(--c-accent))] ring-4 ring-[var(--c-hover)]' : 'bg-muted'}`} />
              <Show when={index() < props.order.timeline.length - 1}>
                <span class="mt-1 w-px flex-1 bg-line" />
              </Show>
            </span>
            <span>
              <span class="block font-semibold">{stepLabels[step.status] ?? step.status}</span>
              <span class="block text-sm text-muted">{formatDateTime(step.at)}</span>
            </span>
          </li>
        )}
      </For>
    </ol>
  );
}

/** Orders placed before addresses existed (or by scripts without one) have none recorded. */
export function shipToText(order: OrderDto): string {
  return order.shipTo === null ? 'No address recorded' : addressLine(order.shipTo);
}

/** One fact of the order, shown only while it has a value (`when`). */
function Fact(props: ParentProps<{ label: string; when: unknown; testId?: string }>): JSX.Element {
  return (
    <Show when={props.when}>
      <dt class="text-muted">{props.label}</dt>
      <dd class="m-0" data-testid={props.testId}>
        {props.children}
      </dd>
    </Show>
  );
}

function Facts(props: { order: OrderDto }): JSX.Element {
  const order = (): OrderDto => props.order;
  return (
    <dl class="m-0 grid grid-cols-[auto_1fr] gap-x-4 gap-y-1 text-sm">
      <Fact label="Seller" when>{order().sellerName}</Fact>
      <Fact label="Buyer" when={order().buyerName}>{order().buyerName}</Fact>
      <Fact label="Placed" when>{formatDateTime(order().placedAt)}</Fact>
      <Fact label="Ship to" testId="ship-to" when>{shipToText(order())}</Fact>
      <Fact label="Tracking" testId="tracking" when={order().tracking}>
        {order().tracking?.carrier} <span class="font-mono">{order().tracking?.trackingNumber}</span>
      </Fact>
      <Fact label="Ship by" testId="ship-by" when={order().shipByAt}>{formatDateTime(order().shipByAt ?? 0)}</Fact>
      {/* The release date applies only while the order waits on it: shipped, not confirmed or disputed. */}
      <Fact label="Auto-release" testId="auto-release" when={order().status === 'SHIPPED' && order().releaseDueAt}>{formatDateTime(order().releaseDueAt ?? 0)}</Fact>
      <Fact label="Dispute" when={order().disputeReason}>{order().disputeReason}</Fact>
      <Fact label="Resolution" when={order().disputeResolution}>{order().disputeResolution === 'refund' ? 'Refunded to the buyer' : 'Released to the seller'}</Fact>
      <Fact label="Failure" when={order().failureCode}>{sentenceFor(order().failureCode ?? '', order().failureCode ?? '')}</Fact>
      <Fact label="Released" when={order().releasedMinor !== null}>
        <Money cents={order().releasedMinor ?? 0} /> (fee <Money cents={order().feeMinor} />)
      </Fact>
      <Fact label="Refunded" when={order().refundedMinor !== null}>
        <Money cents={order().refundedMinor ?? 0} />
      </Fact>
    </dl>
  );
}

function OrderView(props: { user: UserDto }): JSX.Element {
  const params = useParams();
  const order = createAsync(() => getOrder(params['id'] ?? ''));
  return (
    <Show when={order()}>
      {(current) => (
        <div class="grid gap-6">
          <PageHeader title={`Order #${current().number}`}>
            <Badge tone={statusTone(current().status)} testId="order-status">
              {current().status}
            </Badge>
          </PageHeader>
          <div class="grid gap-6 lg:grid-cols-[1fr_20rem]">
            <div class="grid content-start gap-4">
              <Show when={props.user.role === 'BUYER' && current().buyerId === props.user.id}>
                <BuyerActions order={current()} />
              </Show>
              <Show when={props.user.role === 'SELLER' && current().sellerId === props.user.id}>
                <SellerActions order={current()} />
              </Show>
              <Show when={props.user.role === 'ADMIN' && current().status === 'DISPUTED'}>
                <div class="card-premium p-4">
                  <ResolveButtons order={current()} />
                </div>
              </Show>
              <section class="card-premium p-4" aria-labelledby="items-title">
                <h2 id="items-title" class="m-0 mb-3 text-lg font-bold">Items</h2>
                <ul class="m-0 grid list-none gap-2 p-0">
                  <For each={current().items}>
                    {(item) => (
                      <li class="flex flex-wrap items-center justify-between gap-2">
                        <Link href={`/products/${encodeURIComponent(item.productId)}`}>{item.title}</Link>
                        <span class="text-sm text-muted">
                          {item.qty} × <Money cents={item.unitPriceMinor} />
                        </span>
                        <Money cents={item.lineTotalMinor} class="font-semibold" />
                      </li>
                    )}
                  </For>
                </ul>
                <div class="mt-3 flex justify-between border-t border-line pt-3 font-bold">
                  <span>Total</span>
                  <Money cents={current().totalMinor} />
                </div>
              </section>
              <section class="card-premium p-4">
                <Facts order={current()} />
              </section>
            </div>
            <section class="card-premium p-4" aria-labelledby="timeline-title">
              <h2 id="timeline-title" class="m-0 mb-3 text-lg font-bold">Timeline</h2>
              <Timeline order={current()} />
            </section>
          </div>
        </div>
      )}
    </Show>
  );
}

export function OrderDetailPage(): JSX.Element {
  return (
    <RequireRole roles={['BUYER', 'SELLER', 'ADMIN']}>
      {(user) => (
        <Async rows={4}>
          <OrderView user={user} />
        </Async>
      )}
    </RequireRole>
  );
}
