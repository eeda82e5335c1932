/**
 * What a fenced batch (journal.ts, ShardFence) checks and records, worked out before any store is
 * asked: each entry's shard and its place among the batch's entries of that shard (which numbers
 * the per-shard seq), and the epoch the writer holds each shard at. Pure, so every journal adapter
 * that honours a fence fences the same way.
 */
import { shardOf } from '../cluster/shards.ts';
import type { JournalEntry, ShardFence } from './journal.ts';
import { BatchRefused } from './journal.ts';

export interface FencedBatch {
  /** Per entry, in batch order: its shard, and 1, 2, … among the batch's entries of that shard. */
  readonly rows: readonly { readonly shard: number; readonly shardOrd: number }[];
  /** The shards the batch writes, ascending (the order their lease rows are locked in). */
  readonly shards: readonly number[];
  /** The epoch the writer holds each of `shards` at, index for index. */
  readonly epochs: readonly number[];
}

/** Refuses the batch as fenced, writing nothing, when it writes a shard the fence holds no lease on. */
export function fenceBatch(entries: readonly JournalEntry[], fence: ShardFence): FencedBatch {
  const counts = new Map<number, number>();
  const rows = entries.map((entry) => {
    const shard = shardOf(entry.key, fence.shardCount);
    const shardOrd = (counts.get(shard) ?? 0) + 1;
    counts.set(shard, shardOrd);
    return { shard, shardOrd };
  });
  const shards = [...counts.keys()].sort((left, right) => left - right);
  const unheld = shards.filter((shard) => !fence.epochs.has(shard));
  if (unheld.length > 0) throw new BatchRefused('fenced', `this node holds no lease on shard ${unheld.join(', ')}`);
  const epochs = shards.map((shard) => {
    const epoch = fence.epochs.get(shard) ?? 0;
    if (!Number.isSafeInteger(epoch) || epoch < 1) throw new RangeError(`the fence holds shard ${shard} at epoch ${epoch}; epochs start at 1`);
    return epoch;
  });
  return { rows, shards, epochs };
}
