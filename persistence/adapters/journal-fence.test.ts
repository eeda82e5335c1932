import { describe, expect, it } from 'vitest';
import { shardOf } from '../cluster/shards.ts';
import type { JournalEntry } from './journal.ts';
import { BatchRefused } from './journal.ts';
import { fenceBatch } from './journal-fence.ts';

const shardCount = 16;
const entry = (key: string, seq: number): JournalEntry => ({ key, seq, events: [], commandId: `${key}-${seq}`, at: 0 });
// Pinned in cluster/shards.test.ts: of 16 shards, wallet:alice is on 12 and seller:s1 on 14.
const [onTwelve, onFourteen] = ['wallet:alice', 'seller:s1'];

describe('fenceBatch', () => {
  it('numbers each shard\'s entries in batch order and lists the shards ascending with their epochs', () => {
    expect([shardOf(onTwelve, shardCount), shardOf(onFourteen, shardCount)]).toEqual([12, 14]);
    const fenced = fenceBatch([entry(onFourteen, 1), entry(onTwelve, 1), entry(onFourteen, 2)], { shardCount, epochs: new Map([[14, 9], [12, 4], [3, 1]]) });
    expect(fenced.rows).toEqual([{ shard: 14, shardOrd: 1 }, { shard: 12, shardOrd: 1 }, { shard: 14, shardOrd: 2 }]);
    expect(fenced.shards).toEqual([12, 14]);
    expect(fenced.epochs).toEqual([4, 9]);
  });

  it('refuses as fenced a batch writing a shard the node holds no lease on, and an epoch that cannot be one', () => {
    expect(() => fenceBatch([entry(onTwelve, 1), entry(onFourteen, 1)], { shardCount, epochs: new Map([[12, 1]]) })).toThrow(
      expect.objectContaining({ constructor: BatchRefused, reason: 'fenced', message: expect.stringContaining('no lease on shard 14') }),
    );
    expect(() => fenceBatch([entry(onTwelve, 1)], { shardCount, epochs: new Map([[12, 0]]) })).toThrow(RangeError);
  });
});
