/**
 * Memory readings after full garbage collections, so a difference between two readings is
 * what stayed reachable, not garbage that had not been collected yet. Needs `node --expose-gc`;
 * without it readings still work but include uncollected garbage, and `gcExposed` says so.
 */
import { sleep } from './pool.ts';

export interface MemoryReading {
  readonly rssBytes: number;
  readonly heapUsedBytes: number;
  readonly heapTotalBytes: number;
  /** C++ objects bound to JS, plus ArrayBuffers (PGlite's WASM memory and its in-memory files). */
  readonly externalBytes: number;
  readonly arrayBuffersBytes: number;
}

const collect = (globalThis as { gc?: () => void }).gc;

export const gcExposed = collect !== undefined;

export async function readMemory(): Promise<MemoryReading> {
  // Two rounds: the first collection can run finalizers that free more for the second, and the
  // pauses let callbacks queued with setImmediate (such as nact's afterStop) run first.
  for (let round = 0; round < 2; round += 1) {
    await sleep(50);
    collect?.();
  }
  const usage = process.memoryUsage();
  return {
    rssBytes: usage.rss,
    heapUsedBytes: usage.heapUsed,
    heapTotalBytes: usage.heapTotal,
    externalBytes: usage.external,
    arrayBuffersBytes: usage.arrayBuffers,
  };
}

export type MemoryDelta = MemoryReading;

/** `after - before`, field by field. */
export function memoryDelta(before: MemoryReading, after: MemoryReading): MemoryDelta {
  return {
    rssBytes: after.rssBytes - before.rssBytes,
    heapUsedBytes: after.heapUsedBytes - before.heapUsedBytes,
    heapTotalBytes: after.heapTotalBytes - before.heapTotalBytes,
    externalBytes: after.externalBytes - before.externalBytes,
    arrayBuffersBytes: after.arrayBuffersBytes - before.arrayBuffersBytes,
  };
}

/** A delta divided by a count (bytes per actor), rounded to whole bytes. */
export function perItem(delta: MemoryDelta, count: number): MemoryDelta {
  const each = (bytes: number) => Math.round(bytes / count);
  return {
    rssBytes: each(delta.rssBytes),
    heapUsedBytes: each(delta.heapUsedBytes),
    heapTotalBytes: each(delta.heapTotalBytes),
    externalBytes: each(delta.externalBytes),
    arrayBuffersBytes: each(delta.arrayBuffersBytes),
  };
}

export function megabytes(bytes: number): number {
  return Math.round((bytes / 2 ** 20) * 10) / 10;
}
