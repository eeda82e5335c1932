/**
 * Latency and size summaries. Percentiles use the nearest-rank method on the sorted samples,
 * so every reported value is one that was actually measured.
 */
export interface Summary {
  readonly count: number;
  readonly mean: number;
  readonly p50: number;
  readonly p99: number;
  readonly max: number;
}

/** The smallest sample at or above `fraction` of the samples, from ascending `sorted`. */
export function percentile(sorted: ArrayLike<number>, fraction: number): number {
  if (sorted.length === 0) return Number.NaN;
  if (!(fraction >= 0 && fraction <= 1)) throw new RangeError(`a percentile fraction is in [0, 1], got ${fraction}`);
  const rank = Math.max(1, Math.ceil(fraction * sorted.length));
  return sorted[rank - 1] as number;
}

export function summarize(samples: readonly number[]): Summary {
  // A Float64Array sorts numerically without a comparator and is faster on large sample sets.
  const sorted = Float64Array.from(samples).sort();
  let total = 0;
  for (const sample of sorted) total += sample;
  return {
    count: sorted.length,
    mean: sorted.length === 0 ? Number.NaN : total / sorted.length,
    p50: percentile(sorted, 0.5),
    p99: percentile(sorted, 0.99),
    max: sorted.length === 0 ? Number.NaN : (sorted[sorted.length - 1] as number),
  };
}

/** Rounds for JSON and tables: keeps 3 significant figures, so 0.01234 and 1234.5 both read well. */
export function round(value: number, significant = 3): number {
  if (!Number.isFinite(value) || value === 0) return value;
  const digits = Math.max(0, significant - 1 - Math.floor(Math.log10(Math.abs(value))));
  return Number(value.toFixed(Math.min(digits, 20)));
}

export function roundSummary(summary: Summary): Summary {
  return {
    count: summary.count,
    mean: round(summary.mean),
    p50: round(summary.p50),
    p99: round(summary.p99),
    max: round(summary.max),
  };
}
