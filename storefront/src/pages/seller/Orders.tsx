/**
 * The seller's order desk (issue #15 §4): every confirmed order placed with me, filtered by status,
 * found by the number a buyer quotes, paged; rows show the buyer, the items and, while PAID, the
 * ship-by deadline. The filters live in the URL, so reload, back and a shared link keep them.
 */
import { createSignal, For, Show } from 'solid-js';
import type { JSX } from 'solid-js';
import { createAsync, useSearchParams } from '@solidjs/router';
import type { OrderStatus } from '../../../../gateway/api-types.ts';
import { RequireRole } from '../../components/RequireRole.tsx';
import { Async, EmptyState, FilterSelect, PageHeader, Pager } from '../../components/ui.tsx';
import { pageParam, single as one } from '../../lib/params.ts';
import { getSellerDesk } from '../../data/seller.ts';
import { SellerOrderRows } from './OrderRow.tsx';

const pageSize = 20;
/** The statuses a confirmed order can have; PLACED and FAILED belong to unconfirmed checkouts. */
const deskStatuses: readonly OrderStatus[] = ['PAID', 'SHIPPED', 'DELIVERED', 'COMPLETED', 'CANCELLED', 'DISPUTED'];
const statusLabels: Readonly<Partial<Record<OrderStatus, string>>> = { PAID: 'To ship (PAID)' };

function Desk(props: { status: OrderStatus | undefined; number: string | undefined; page: number; setPage: (page: number) => void }): JSX.Element {
  const orders = createAsync(() => getSellerDesk({ status: props.status, number: props.number, page: props.page, pageSize }));
  return (
    <Show when={orders()}>
      {(page) => (
        <Show
          when={page().items.length > 0}
          fallback={<EmptyState title={props.number === undefined ? 'No orders here' : `No order #${props.number.toUpperCase()}`} icon="📦">Try another status or number.</EmptyState>}
        >
          <p class="m-0 mb-2 text-sm text-muted">{page().total === 1 ? '1 order' : `${page().total} orders`}</p>
          <ul data-testid="seller-desk" class="card-premium m-0 list-none p-0">
            <SellerOrderRows orders={page().items} testId="desk-order" />
          </ul>
          <Pager page={props.page} total={page().total} pageSize={pageSize} onPage={props.setPage} label="Order pages" />
        </Show>
      )}
    </Show>
  );
}

export default function SellerOrders(): JSX.Element {
  const [params, setParams] = useSearchParams();
  const status = (): OrderStatus | undefined => deskStatuses.find((candidate) => candidate === one(params.status));
  const number = (): string | undefined => {
    const value = one(params.number)?.trim().replace(/^#/, '');
    return value !== undefined && /^[0-9A-Fa-f]{1,8}$/.test(value) ? value : undefined;
  };
  const page = (): number => pageParam(params.page);
  const [typed, setTyped] = createSignal(one(params.number) ?? '');
  // The input's pattern lets the browser refuse a malformed number before it is sent.
  function search(event: SubmitEvent): void {
    event.preventDefault();
    setParams({ number: typed().trim().replace(/^#/, '') || undefined, page: undefined });
  }
  return (
    <RequireRole roles={['SELLER']}>
      {() => (
        <div>
          <PageHeader title="Orders" subtitle="Every confirmed order placed with you. Ship paid orders before their ship-by date." />
          <div class="mb-4 flex flex-wrap items-end gap-3">
            <FilterSelect id="desk-status" label="Status" value={status() ?? ''} all="All statuses" options={deskStatuses.map((option) => [option, statusLabels[option] ?? option])} onChange={(next) => setParams({ status: next || undefined, page: undefined })} />
            <form class="flex flex-wrap items-end gap-2" role="search" onSubmit={search}>
              <div>
                <label for="desk-number" class="field-label">
                  Order number
                </label>
                <input id="desk-number" class="field !w-44 font-mono" placeholder="3F2A91C0" pattern="\s*#?[0-9A-Fa-f]{1,8}\s*" title="Up to 8 letters A–F and digits, like 3F2A91C0" value={typed()} onInput={(event) => setTyped(event.currentTarget.value)} />
              </div>
              <button type="submit" class="btn-ghost">
                Find
              </button>
              <Show when={number() !== undefined}>
                <button type="button" class="btn-ghost" onClick={() => (setTyped(''), setParams({ number: undefined, page: undefined }))}>
                  Clear
                </button>
              </Show>
            </form>
          </div>
          <Async rows={4}>
            <Desk status={status()} number={number()} page={page()} setPage={(next) => setParams({ page: String(next) })} />
          </Async>
        </div>
      )}
    </RequireRole>
  );
}
