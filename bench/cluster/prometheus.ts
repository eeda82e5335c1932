/**
 * Reading a node's /metrics: the sum of one metric over its label sets (a counter such as
 * `bazaary_cluster_forwards_total{outcome="answered"}`), optionally only the samples whose labels
 * include given pairs. Enough of the text exposition format for our own gateway's output.
 */

/** Sums every sample of `metric` in a Prometheus text exposition; 0 when there is none. */
export function sumMetric(text: string, metric: string, labels: Readonly<Record<string, string>> = {}): number {
  let sum = 0;
  for (const line of text.split('\n')) {
    if (line.startsWith('#') || !line.startsWith(metric)) continue;
    const rest = line.slice(metric.length);
    // `bazaary_x_total` must not match `bazaary_x_total_more`: a name ends at '{' or a space.
    if (rest[0] !== '{' && rest[0] !== ' ') continue;
    const labelText = rest[0] === '{' ? rest.slice(1, rest.indexOf('}')) : '';
    if (!Object.entries(labels).every(([name, value]) => labelText.includes(`${name}="${value}"`))) continue;
    const value = Number(rest.slice(rest[0] === '{' ? rest.indexOf('}') + 1 : 0).trim().split(' ')[0]);
    if (Number.isFinite(value)) sum += value;
  }
  return sum;
}

export async function scrape(metricsUrl: string): Promise<string> {
  const response = await fetch(metricsUrl, { signal: AbortSignal.timeout(5_000) });
  if (!response.ok) throw new Error(`${metricsUrl} answered ${response.status}`);
  return response.text();
}

/** The cluster counters the benchmark reads, summed over the nodes scraped. */
export interface ClusterCounters {
  readonly fencedBatches: number;
  /** Forwards the owner answered. */
  readonly forwardsAnswered: number;
  /** Every forward, whatever its outcome. */
  readonly forwards: number;
  /** 421s: sends to a node that no longer (or not yet) owned the key. */
  readonly misdirected: number;
  readonly failedSends: number;
}

export function clusterCounters(texts: readonly string[]): ClusterCounters {
  const sum = (metric: string, labels: Readonly<Record<string, string>> = {}) => texts.reduce((total, text) => total + sumMetric(text, metric, labels), 0);
  return {
    fencedBatches: sum('bazaary_cluster_fenced_batches_total'),
    forwardsAnswered: sum('bazaary_cluster_forwards_total', { outcome: 'answered' }),
    forwards: sum('bazaary_cluster_forwards_total'),
    misdirected: sum('bazaary_cluster_forward_misdirected_total'),
    failedSends: sum('bazaary_cluster_forward_failed_sends_total'),
  };
}

export function countersBetween(before: ClusterCounters, after: ClusterCounters): ClusterCounters {
  return {
    fencedBatches: after.fencedBatches - before.fencedBatches,
    forwardsAnswered: after.forwardsAnswered - before.forwardsAnswered,
    forwards: after.forwards - before.forwards,
    misdirected: after.misdirected - before.misdirected,
    failedSends: after.failedSends - before.failedSends,
  };
}
