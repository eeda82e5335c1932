import { describe, expect, it } from 'vitest';
import { clusterCounters, countersBetween, sumMetric } from './prometheus.ts';

const exposition = [
  '# HELP bazaary_cluster_forwards_total Commands forwarded.',
  '# TYPE bazaary_cluster_forwards_total counter',
  'bazaary_cluster_forwards_total{outcome="answered"} 12',
  'bazaary_cluster_forwards_total{outcome="unavailable"} 3',
  'bazaary_cluster_forwards_total_extra 1000',
  'bazaary_cluster_fenced_batches_total 2',
  'bazaary_cluster_forward_misdirected_total 1',
].join('\n');

describe('sumMetric', () => {
  it('sums a metric over its label sets, and only the samples whose labels match', () => {
    expect(sumMetric(exposition, 'bazaary_cluster_forwards_total')).toBe(15);
    expect(sumMetric(exposition, 'bazaary_cluster_forwards_total', { outcome: 'answered' })).toBe(12);
  });

  it('does not take a longer name that starts with the same text, nor comments', () => {
    expect(sumMetric(exposition, 'bazaary_cluster_forwards_total_extra')).toBe(1000);
    expect(sumMetric(exposition, 'bazaary_cluster_fenced_batches_total')).toBe(2);
    expect(sumMetric('# HELP bazaary_x_total 5\n', 'bazaary_x_total')).toBe(0);
  });
});

describe('clusterCounters', () => {
  it('adds the nodes up, and a difference is per counter', () => {
    const two = clusterCounters([exposition, exposition]);
    expect(two).toEqual({ fencedBatches: 4, forwardsAnswered: 24, forwards: 30, misdirected: 2, failedSends: 0 });
    expect(countersBetween(clusterCounters([exposition]), two)).toEqual(clusterCounters([exposition]));
  });
});
