/**
 * Sales over time as an SVG bar chart (one bar per UTC day, days without sales included as
 * zero), with the daily analytics series drawn as two rate lines
 * (fulfilment and return/dispute, 0–100 %). Plain SVG: no chart library for one small picture.
 */
import { For, Show } from 'solid-js';
import type { JSX } from 'solid-js';
import type { SellerDailyStatDto } from '../../../../gateway/api-types.ts';
import { formatCents } from '../../lib/money.ts';

const dayMs = 86_400_000;
const width = 640;
const height = 220;
const padding = { top: 16, right: 40, bottom: 28, left: 64 };

export interface DaySales {
  readonly day: string;
  readonly orders: number;
  readonly salesMinor: number;
}

/** Every day from `from` to `to` (YYYY-MM-DD, inclusive), with zero for days without sales. */
export function fillDays(from: string, to: string, sales: readonly DaySales[]): DaySales[] {
  const byDay = new Map(sales.map((entry) => [entry.day, entry]));
  const days: DaySales[] = [];
  for (let ms = Date.parse(`${from}T00:00:00Z`); ms <= Date.parse(`${to}T00:00:00Z`); ms += dayMs) {
    const day = new Date(ms).toISOString().slice(0, 10);
    days.push(byDay.get(day) ?? { day, orders: 0, salesMinor: 0 });
  }
  return days;
}

function ratePath(days: readonly DaySales[], daily: readonly SellerDailyStatDto[], pick: (row: SellerDailyStatDto) => number | null, x: (index: number) => number, y: (rate: number) => number): string {
  const byDay = new Map(daily.map((row) => [row.day, row]));
  const points: string[] = [];
  days.forEach((entry, index) => {
    const row = byDay.get(entry.day);
    const rate = row === undefined ? null : pick(row);
    if (rate !== null) points.push(`${points.length === 0 ? 'M' : 'L'}${x(index).toFixed(1)},${y(rate).toFixed(1)}`);
  });
  return points.join(' ');
}

export function SalesChart(props: { from: string; to: string; sales: readonly DaySales[]; daily: readonly SellerDailyStatDto[] }): JSX.Element {
  const days = (): DaySales[] => fillDays(props.from, props.to, props.sales);
  const maxSales = (): number => Math.max(1, ...days().map((entry) => entry.salesMinor));
  const plotWidth = width - padding.left - padding.right;
  const plotHeight = height - padding.top - padding.bottom;
  const slot = (): number => plotWidth / Math.max(1, days().length);
  const x = (index: number): number => padding.left + slot() * index + slot() / 2;
  const ySales = (cents: number): number => padding.top + plotHeight - (cents / maxSales()) * plotHeight;
  const yRate = (rate: number): number => padding.top + plotHeight - rate * plotHeight;
  const total = (): number => days().reduce((sum, entry) => sum + entry.salesMinor, 0);
  const label = (): string => `Sales per day from ${props.from} to ${props.to}: ${formatCents(total())} in total.`;

  return (
    <figure class="m-0">
      {/* On a phone the chart keeps a readable size and scrolls sideways inside its card,
          starting at the right end: the latest days are the ones a seller looks for. */}
      <div class="overflow-x-auto" ref={(element) => requestAnimationFrame(() => (element.scrollLeft = element.scrollWidth))}>
        <svg data-testid="sales-chart" viewBox={`0 0 ${width} ${height}`} role="img" aria-label={label()} class="h-auto w-full min-w-[30rem]">
          <For each={[0, 0.5, 1]}>
            {(fraction) => (
              <g>
                <line x1={padding.left} x2={width - padding.right} y1={padding.top + plotHeight * (1 - fraction)} y2={padding.top + plotHeight * (1 - fraction)} stroke="var(--c-line)" stroke-dasharray="3 4" />
                <text x={padding.left - 8} y={padding.top + plotHeight * (1 - fraction) + 4} text-anchor="end" font-size="11" fill="var(--c-muted)">
                  {formatCents(Math.round(maxSales() * fraction)).replace(/\.\d\d$/, '')}
                </text>
              </g>
            )}
          </For>
          <defs>
            <linearGradient id="bar-gradient" x1="0" y1="0" x2="0" y2="1">
              <stop offset="0" stop-color="var(--c-accent)" />
              <stop offset="1" stop-color="var(--c-brand)" />
            </linearGradient>
          </defs>
          <For each={days()}>
            {(entry, index) => (
              <rect x={x(index()) - slot() * 0.35} width={slot() * 0.7} y={ySales(entry.salesMinor)} height={Math.max(0, padding.top + plotHeight - ySales(entry.salesMinor))} rx="2" fill="url(#bar-gradient)">
                <title>{`${entry.day}: ${entry.orders} orders, ${formatCents(entry.salesMinor)}`}</title>
              </rect>
            )}
          </For>
          <Show when={props.daily.length > 0}>
            <path d={ratePath(days(), props.daily, (row) => row.fulfilmentRate, x, yRate)} fill="none" stroke="var(--c-good)" stroke-width="2" />
            <path d={ratePath(days(), props.daily, (row) => row.returnDisputeRate, x, yRate)} fill="none" stroke="var(--c-bad)" stroke-width="2" stroke-dasharray="5 4" />
            <text x={width - padding.right + 6} y={padding.top + 4} font-size="11" fill="var(--c-muted)">100%</text>
            <text x={width - padding.right + 6} y={padding.top + plotHeight + 4} font-size="11" fill="var(--c-muted)">0%</text>
          </Show>
          <text x={padding.left} y={height - 8} font-size="11" fill="var(--c-muted)">{props.from}</text>
          <text x={width - padding.right} y={height - 8} font-size="11" text-anchor="end" fill="var(--c-muted)">{props.to}</text>
        </svg>
      </div>
      <figcaption class="mt-2 flex flex-wrap gap-4 text-xs text-muted">
        <span>▮ Sales per day ({formatCents(total())} total)</span>
        <Show when={props.daily.length > 0}>
          <span class="text-good">— Fulfilment rate</span>
          <span class="text-bad">- - Return / dispute rate</span>
        </Show>
      </figcaption>
    </figure>
  );
}
