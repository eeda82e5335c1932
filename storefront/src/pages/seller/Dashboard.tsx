/**
 * The seller dashboard: the live order feed (revalidated by `order.new` / `order.status`
 * notifications, so it updates without a refresh) with a Ship action, pending vs available
 * funds, stats tiles and the sales chart.
 */
import { For, Show } from 'solid-js';
import type { JSX } from 'solid-js';
import { createAsync } from '@solidjs/router';
import { RequireRole } from '../../components/RequireRole.tsx';
import { Async, formatDuration, formatPercent, PageHeader } from '../../components/ui.tsx';
import { getSellerOrders, getSellerStats, statsRange } from '../../data/seller.ts';
import { SellerOrderRows } from './OrderRow.tsx';
import { Balances } from '../account/Wallet.tsx';
import { SalesChart } from './SalesChart.tsx';
import { Link } from '../../components/Link.tsx';

/** Orders the feed shows; older ones are on the Orders page. */
const feedSize = 20;
/** Days the chart covers. */
const chartDays = 30;

function Feed(): JSX.Element {
  const orders = createAsync(() => getSellerOrders(feedSize));
  return (
    <Show when={orders()}>
      {(page) => (
        <ul data-testid="seller-feed" class="card-premium m-0 list-none p-0" aria-live="polite">
          <SellerOrderRows orders={page().items} testId="feed-order" empty={<li class="p-6 text-center text-muted">No orders yet. New orders appear here the moment their checkout is confirmed.</li>} />
        </ul>
      )}
    </Show>
  );
}

function Tile(props: { label: string; value: string; hint?: string }): JSX.Element {
  return (
    <div class="card-premium p-4">
      <p class="m-0 text-sm text-muted">{props.label}</p>
      <p class="m-0 mt-1 text-2xl font-extrabold tabular">{props.value}</p>
      <Show when={props.hint}>
        <p class="m-0 text-xs text-muted">{props.hint}</p>
      </Show>
    </div>
  );
}

function Stats(): JSX.Element {
  const range = statsRange(Date.now(), chartDays);
  const stats = createAsync(() => getSellerStats(range.from, range.to));
  return (
    <Show when={stats()}>
      {(current) => (
        <div class="grid gap-4">
          <div class="grid grid-cols-2 gap-4 lg:grid-cols-4" data-testid="stats-tiles">
            <Tile label="Orders" value={String(current().ordersPlaced)} hint={`${current().ordersCompleted} completed`} />
            <Tile label="Fulfilment rate" value={formatPercent(current().fulfilmentRate)} hint={`${current().ordersShipped} shipped`} />
            <Tile label="Dispute rate" value={formatPercent(current().disputeRate)} hint={`${current().ordersDisputed} disputed, ${current().ordersCancelled} cancelled`} />
            <Tile label="Avg time to ship" value={current().avgTimeToShipMs === null ? '—' : formatDuration(current().avgTimeToShipMs ?? 0)} />
          </div>
          <section class="card-premium p-4" aria-labelledby="chart-title">
            <h2 id="chart-title" class="m-0 mb-2 text-lg font-bold">Sales, last {chartDays} days</h2>
            <SalesChart from={range.from} to={range.to} sales={current().salesByDay} daily={current().daily} />
          </section>
        </div>
      )}
    </Show>
  );
}

export default function SellerDashboard(): JSX.Element {
  return (
    <RequireRole roles={['SELLER']}>
      {(user) => (
        <div class="grid gap-8">
          <PageHeader title={`Hello, ${user.displayName}`} subtitle="Your orders arrive here live." >
            <Link href="/seller/products/new" class="btn-premium no-underline">
              + New listing
            </Link>
          </PageHeader>
          <Async rows={1} fallback={<div class="skeleton h-28" />}>
            <Balances />
          </Async>
          <section aria-labelledby="feed-title">
            <div class="mb-3 flex items-baseline justify-between gap-3">
              <h2 id="feed-title" class="m-0 text-xl font-bold">Live order feed</h2>
              <Link href="/seller/orders">All orders</Link>
            </div>
            <Async rows={3}>
              <Feed />
            </Async>
          </section>
          <Async rows={2} fallback={<div class="skeleton h-64" />}>
            <Stats />
          </Async>
        </div>
      )}
    </RequireRole>
  );
}
