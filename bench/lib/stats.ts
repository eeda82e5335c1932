/**
 * Latency and size summaries, the one place the benchmarks compute percentiles. The samples go
 * into an HDR histogram (hdr-histogram-js) at 3 significant digits, the precision every result is
 * printed and recorded with (`round`), with a resolution of a millionth of the sample's unit (a
 * nanosecond for milliseconds). Percentiles are nearest-rank, as HDR reads them; count, mean, min
 * and max are kept exactly beside the histogram, and a percentile is clamped between min and max,
 * so no reported value lies outside what was actually measured.
 */
import { build, type Histogram } from 'hdr-histogram-js';

/** Sample units per histogram unit: a sample is recorded as `Math.round(sample * resolution)`. */
const resolution = 1_000_000;

export interface Summary {
  readonly count: number;
  readonly mean: number;
  readonly p50: number;
  readonly p99: number;
  readonly max: number;
}

/** Samples as they come; `percentile` and the rest are NaN while it is empty. */
export class Distribution {
  private readonly histogram: Histogram = build({ lowestDiscernibleValue: 1, highestTrackableValue: 2, autoResize: true, numberOfSignificantValueDigits: 3 });
  private total = 0;
  private samples = 0;
  private smallest = Number.NaN;
  private largest = Number.NaN;

  record(sample: number): void {
    const scaled = Math.round(sample * resolution);
    if (!(scaled >= 0 && scaled <= Number.MAX_SAFE_INTEGER)) throw new RangeError(`a sample is a finite number from 0 to ${Number.MAX_SAFE_INTEGER / resolution}, got ${sample}`);
    this.histogram.recordValue(scaled);
    this.total += sample;
    this.samples += 1;
    this.smallest = this.samples === 1 ? sample : Math.min(this.smallest, sample);
    this.largest = this.samples === 1 ? sample : Math.max(this.largest, sample);
  }

  get count(): number {
    return this.samples;
  }

  get min(): number {
    return this.smallest;
  }

  get max(): number {
    return this.largest;
  }

  get mean(): number {
    return this.count === 0 ? Number.NaN : this.total / this.count;
  }

  /** The value at or below which `fraction` (0 to 1) of the samples lie, nearest-rank. */
  percentile(fraction: number): number {
    if (!(fraction >= 0 && fraction <= 1)) throw new RangeError(`a percentile fraction is in [0, 1], got ${fraction}`);
    if (this.count === 0) return Number.NaN;
    const value = this.histogram.getValueAtPercentile(fraction * 100) / resolution;
    return Math.min(this.max, Math.max(this.min, value));
  }
}

export function distributionOf(samples: Iterable<number>): Distribution {
  const distribution = new Distribution();
  for (const sample of samples) distribution.record(sample);
  return distribution;
}

export function summarize(samples: Iterable<number>): Summary {
  const distribution = distributionOf(samples);
  return { count: distribution.count, mean: distribution.mean, p50: distribution.percentile(0.5), p99: distribution.percentile(0.99), max: distribution.max };
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
