/**
 * Rebuilds the read models from the journal: empties every read-model table, then replays the
 * whole journal through the same consumer the event processor feeds, a page of (key, seq) at a
 * time, each page in its own transaction.
 *
 * Run it while Bazaary is stopped: a live processor writing the same tables would race the
 * truncate, and the embedded PGlite data directory must never be opened by two processes.
 * A rebuild that stops half-way leaves half the read models; running it again starts over.
 * The journal's processed flags are left alone: entries the processor has yet to deliver are
 * replayed here and skipped there, since the consumer is idempotent.
 */
import type { Db } from '../../adapters/db.ts';
import type { EntryPosition, Journal } from '../../adapters/journal.ts';
import { createReadModelConsumer, truncateReadModels } from './consumer.ts';

/** Entries per page (and per transaction). Larger pages need fewer statements per entry but hold
 *  more entries in memory, and in PGlite a longer transaction blocks everything else. */
export const defaultRebuildPageSize = 1_000;

export interface RebuildProgress {
  readonly done: number;
  /** Entries expected in all, or null when unknown. */
  readonly total: number | null;
  readonly elapsedMs: number;
}

export interface RebuildOptions {
  readonly pageSize?: number;
  readonly onProgress?: (progress: RebuildProgress) => void;
  /** How many entries the journal holds, for the progress total. The default asks the journal
   *  port (one lastSeq per key); a SQL journal can answer with one count instead. */
  readonly countEntries?: () => Promise<number>;
  /** A monotonic clock in milliseconds, for the rate and ETA. */
  readonly nowMs?: () => number;
}

export interface RebuildResult {
  readonly entries: number;
  readonly elapsedMs: number;
}

export async function rebuildReadModels(db: Db, journal: Journal, options: RebuildOptions = {}): Promise<RebuildResult> {
  const pageSize = options.pageSize ?? defaultRebuildPageSize;
  if (!Number.isSafeInteger(pageSize) || pageSize < 1) throw new RangeError(`page size must be a whole number ≥ 1, not ${pageSize}`);
  const nowMs = options.nowMs ?? (() => performance.now());
  const startedMs = nowMs();
  const counted = await (options.countEntries ?? (() => countEntries(journal)))();
  await truncateReadModels(db);
  const consumer = createReadModelConsumer(db);
  let after: EntryPosition | null = null;
  let done = 0;
  options.onProgress?.({ done, total: counted, elapsedMs: 0 });
  for (;;) {
    const page = await journal.readAll(after, pageSize);
    const last = page.at(-1);
    if (last === undefined) break;
    await consumer.handle(page);
    done += page.length;
    after = { key: last.key, seq: last.seq };
    // Appends after the count (there should be none) make the total grow rather than pass 100 %.
    options.onProgress?.({ done, total: Math.max(counted, done), elapsedMs: nowMs() - startedMs });
    if (page.length < pageSize) break;
  }
  return { entries: done, elapsedMs: nowMs() - startedMs };
}

/** Seqs of a key run 1, 2, … with no gaps, so a key's last seq is its number of entries. */
export async function countEntries(journal: Journal): Promise<number> {
  let total = 0;
  for (const key of await journal.keys('')) total += await journal.lastSeq(key);
  return total;
}
