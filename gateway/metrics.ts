/**
 * Prometheus text exposition (GET /metrics): request counts and a latency histogram per route,
 * plus runtime gauges read at scrape time (resident actors, mailbox depth, saga effects, journal
 * batches, WebSocket connections). Labels come from the route table, never from raw paths, so
 * the number of series is bounded by the number of routes.
 */
import type { Metrics } from './context.ts';

/** Latency bucket bounds in seconds. */
const bucketsSeconds = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

interface Series {
  count: number;
  sumSeconds: number;
  readonly buckets: number[];
}

/** One value per label set, for a gauge such as a lag per consumer. */
export interface LabelledValue {
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

export type Gauges = () => Readonly<Record<string, { readonly help: string; readonly value: number | readonly LabelledValue[] }>>;

function escapeLabel(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

export class PrometheusMetrics implements Metrics {
  private readonly requests = new Map<string, number>();
  private readonly latency = new Map<string, Series>();
  private readonly byClass = { requests: 0, rejections: 0, errors: 0 };

  constructor(private readonly gauges: Gauges) {}

  observeRequest(route: string, method: string, status: number, durationMs: number): void {
    const requestKey = `method="${escapeLabel(method)}",route="${escapeLabel(route)}",status="${status}"`;
    this.requests.set(requestKey, (this.requests.get(requestKey) ?? 0) + 1);
    this.byClass.requests += 1;
    if (status >= 400 && status < 500) this.byClass.rejections += 1;
    if (status >= 500) this.byClass.errors += 1;
    const latencyKey = `method="${escapeLabel(method)}",route="${escapeLabel(route)}"`;
    const series = this.latency.get(latencyKey) ?? { count: 0, sumSeconds: 0, buckets: bucketsSeconds.map(() => 0) };
    const seconds = durationMs / 1000;
    series.count += 1;
    series.sumSeconds += seconds;
    bucketsSeconds.forEach((bound, index) => {
      if (seconds <= bound) series.buckets[index] = (series.buckets[index] ?? 0) + 1;
    });
    this.latency.set(latencyKey, series);
  }

  totals(): { readonly requests: number; readonly rejections: number; readonly errors: number } {
    return { ...this.byClass };
  }

  render(): string {
    const lines = ['# HELP bazaary_http_requests_total HTTP requests answered.', '# TYPE bazaary_http_requests_total counter'];
    for (const [labels, count] of this.requests) lines.push(`bazaary_http_requests_total{${labels}} ${count}`);
    lines.push('# HELP bazaary_http_request_duration_seconds Time to answer.', '# TYPE bazaary_http_request_duration_seconds histogram');
    for (const [labels, series] of this.latency) {
      bucketsSeconds.forEach((bound, index) => lines.push(`bazaary_http_request_duration_seconds_bucket{${labels},le="${bound}"} ${series.buckets[index] ?? 0}`));
      lines.push(`bazaary_http_request_duration_seconds_bucket{${labels},le="+Inf"} ${series.count}`);
      lines.push(`bazaary_http_request_duration_seconds_sum{${labels}} ${series.sumSeconds}`);
      lines.push(`bazaary_http_request_duration_seconds_count{${labels}} ${series.count}`);
    }
    for (const [name, gauge] of Object.entries(this.gauges())) {
      lines.push(`# HELP ${name} ${gauge.help}`, `# TYPE ${name} gauge`);
      if (typeof gauge.value === 'number') lines.push(`${name} ${gauge.value}`);
      else {
        for (const { labels, value } of gauge.value) {
          const text = Object.entries(labels).map(([label, labelValue]) => `${label}="${escapeLabel(labelValue)}"`).join(',');
          lines.push(`${name}{${text}} ${value}`);
        }
      }
    }
    return `${lines.join('\n')}\n`;
  }
}
