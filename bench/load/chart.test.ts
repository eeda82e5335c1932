import { describe, expect, it } from 'vitest';
import { renderLoadChart, type LoadChart } from './chart.ts';

const chart: LoadChart = {
  title: 'load-browse: <home> & search',
  unit: 'requests',
  offered: [25, 50, 100, 200],
  achieved: [25, 50, 99, 140],
  latencies: [
    { name: 'p50', values: [2, 2.5, 3, 900], color: '#2ca02c' },
    { name: 'p99', values: [10, null, 40, 4_000], color: '#d62728' },
  ],
};

function polylines(svg: string): string[][] {
  return [...svg.matchAll(/<polyline[^>]* points="([^"]*)"/g)].map((match) => (match[1] ?? '').split(' '));
}

describe('renderLoadChart', () => {
  it('draws achieved and ideal throughput and each latency percentile, one point per step', () => {
    const svg = renderLoadChart(chart);
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(svg.trimEnd().endsWith('</svg>')).toBe(true);
    const lines = polylines(svg);
    // achieved, ideal, p50, and p99, whose missing second step leaves a lone point and a two-point line.
    expect(lines.map((points) => points.length)).toEqual([4, 4, 4, 2]);
    expect(svg.match(/<circle/g)).toHaveLength(4 + 4 + 4 + 3);
  });

  it('leaves a gap where a step had no sample instead of drawing it as zero', () => {
    const svg = renderLoadChart({ ...chart, latencies: [{ name: 'p99', values: [10, null, 40, 50], color: '#d62728' }] });
    // The p99 series has two one-point runs around the gap plus a two-point run: only the latter is a line.
    expect(polylines(svg).map((points) => points.length)).toEqual([4, 4, 2]);
  });

  it('puts a higher offered rate further right and a higher throughput further up', () => {
    const [achieved] = polylines(renderLoadChart(chart));
    const points = (achieved ?? []).map((point) => point.split(',').map(Number) as [number, number]);
    for (let index = 1; index < points.length; index += 1) {
      expect(points[index]?.[0]).toBeGreaterThan(points[index - 1]?.[0] ?? Number.POSITIVE_INFINITY);
      expect(points[index]?.[1]).toBeLessThan(points[index - 1]?.[1] ?? Number.NEGATIVE_INFINITY);
    }
  });

  it('escapes text so a title cannot break the document', () => {
    const svg = renderLoadChart(chart);
    expect(svg).toContain('load-browse: &lt;home&gt; &amp; search');
    expect(svg).not.toContain('<home>');
  });

  it('refuses mismatched series', () => {
    expect(() => renderLoadChart({ ...chart, achieved: [1] })).toThrow();
  });
});
