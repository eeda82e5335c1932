/**
 * A small live line chart in SVG. uPlot would cost 22 KiB gzipped, more than the storefront's
 * whole JS budget has left (bench/results/storefront.json counts every chunk), and a dashboard
 * tile needs only a line, its latest value and its peak.
 */
import type { JSX } from 'solid-js';

const width = 240;
const height = 56;

export function Sparkline(props: { title: string; values: readonly number[]; unit: string; testId?: string }): JSX.Element {
  const peak = (): number => Math.max(0, ...props.values);
  /** The chart's top: the peak, but at least 1 so an idle minute draws a flat line at the bottom. */
  const scale = (): number => Math.max(1, peak());
  // A single sample is drawn as a flat line across, so a fresh chart is never blank.
  const values = (): readonly number[] => (props.values.length === 1 ? [props.values[0] ?? 0, props.values[0] ?? 0] : props.values);
  const points = (): string =>
    values()
      .map((value, index) => {
        const x = (index / Math.max(1, values().length - 1)) * width;
        const y = height - 2 - (value / scale()) * (height - 4);
        return `${x.toFixed(1)},${y.toFixed(1)}`;
      })
      .join(' ');
  const latest = (): number => props.values[props.values.length - 1] ?? 0;
  const shown = (value: number): string => (value >= 100 || Number.isInteger(value) ? String(Math.round(value)) : value.toFixed(1));
  return (
    <figure class="card-premium m-0 grid gap-1 p-4" data-testid={props.testId}>
      <figcaption class="flex items-baseline justify-between gap-2">
        <span class="text-sm font-medium text-muted">{props.title}</span>
        <span class="tabular text-xl font-bold" data-testid="tile-value">
          {shown(latest())}
          <span class="ml-1 text-xs font-normal text-muted">{props.unit}</span>
        </span>
      </figcaption>
      <svg viewBox={`0 0 ${width} ${height}`} class="h-14 w-full" preserveAspectRatio="none" role="img" aria-label={`${props.title}: ${shown(latest())} ${props.unit} now, peak ${shown(peak())}`}>
        <line x1="0" x2={width} y1={height - 1} y2={height - 1} stroke="var(--c-line)" />
        <polyline points={points()} fill="none" stroke="var(--c-brand)" stroke-width="2" vector-effect="non-scaling-stroke" />
      </svg>
      <span class="text-xs text-muted">peak {shown(peak())} over the last {props.values.length} s</span>
    </figure>
  );
}
