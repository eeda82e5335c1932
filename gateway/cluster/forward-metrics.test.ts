/** Forwarding's series render as Prometheus text: one counter line per outcome (commands and
 *  reads apart), and the latency. */
import { describe, expect, it } from 'vitest';
import { PrometheusMetrics } from '../metrics.ts';
import { forwardGauges } from './forward-metrics.ts';

describe('forwardGauges', () => {
  it('exports forwards by outcome and their latency, and nothing without forwarding', () => {
    const readOutcomes = { answered: 5, local: 0, unavailable: 1, rolled_back: 0 };
    const stats = { outcomes: { answered: 7, local: 1, unavailable: 2, rolled_back: 0 }, readOutcomes, misdirected: 3, failedSends: 4, latencySumMs: 21, latencyCount: 7, lastLatencyMs: 2.5 };
    const text = new PrometheusMetrics(() => forwardGauges(stats)).render();
    expect(text).toContain('bazaary_cluster_forwards_total{outcome="answered"} 7');
    expect(text).toContain('bazaary_cluster_forwards_total{outcome="unavailable"} 2');
    expect(text).toContain('bazaary_cluster_forwards_total{outcome="rolled_back"} 0');
    expect(text).toContain('bazaary_cluster_forwarded_reads_total{outcome="answered"} 5');
    expect(text).toContain('bazaary_cluster_forwarded_reads_total{outcome="unavailable"} 1');
    // A read rests on nothing of this node's, so it is never rolled back.
    expect(text).not.toContain('bazaary_cluster_forwarded_reads_total{outcome="rolled_back"}');
    expect(text).toContain('bazaary_cluster_forward_misdirected_total 3');
    expect(text).toContain('bazaary_cluster_forward_seconds_sum 0.021');
    expect(text).toContain('bazaary_cluster_forward_last_seconds 0.0025');
    expect(forwardGauges(undefined)).toEqual({});
  });
});
