import { describe, expect, it } from 'vitest';
import { distributionOf, round, summarize } from './stats.ts';

describe('the benchmarks\' percentiles', () => {
  it('reads nearest-rank percentiles to the precision results are printed with', () => {
    const oneToThousand = Array.from({ length: 1_000 }, (_, index) => index + 1);
    const distribution = distributionOf(oneToThousand.reverse());
    expect([0.5, 0.95, 0.99, 1].map((fraction) => round(distribution.percentile(fraction)))).toEqual([500, 950, 990, 1_000]);
    expect(round(distribution.percentile(0.001))).toBe(1);
    expect(summarize([0.0123, 0.0456, 7.5])).toEqual({ count: 3, mean: (0.0123 + 0.0456 + 7.5) / 3, p50: expect.closeTo(0.0456, 4), p99: 7.5, max: 7.5 });
  });

  it('stays within 0.1 % from microseconds to minutes, and never outside what was measured', () => {
    for (const sample of [0.001_234, 1.234, 12_345.6, 3_600_000]) {
      const distribution = distributionOf([sample]);
      expect(distribution.percentile(0.5)).toBe(sample);
      const spread = distributionOf([sample, sample * 1.5, sample * 2]);
      expect(Math.abs(spread.percentile(0.5) / (sample * 1.5) - 1)).toBeLessThan(0.001);
      expect(spread.percentile(1)).toBe(sample * 2);
    }
  });

  it('has no percentile without samples and refuses samples it cannot hold', () => {
    expect(summarize([])).toEqual({ count: 0, mean: Number.NaN, p50: Number.NaN, p99: Number.NaN, max: Number.NaN });
    expect(() => distributionOf([-1])).toThrow(RangeError);
    expect(() => distributionOf([Number.NaN])).toThrow(RangeError);
    expect(() => distributionOf([1]).percentile(1.5)).toThrow(RangeError);
  });
});
