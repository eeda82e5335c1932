/**
 * What the MongoDB journal does without a server: it refuses a shard fence outright (its fence is
 * a later step of issue #16), before it touches the store. Its contract suite needs MONGO_URL
 * (mongo-journal.int.test.ts).
 */
import type { Collection } from 'mongodb';
import { describe, expect, it } from 'vitest';
import type { JournalDocument } from './mongo-journal.ts';
import { MongoJournal } from './mongo-journal.ts';

describe('MongoJournal and the shard fence', () => {
  it('refuses a fence it cannot honour instead of writing unfenced', async () => {
    const unreachable = {} as Collection<JournalDocument>;
    const journal = new MongoJournal(unreachable, { batching: true, maxBatch: 10, maxWaitMs: 0 });
    const batch = [{ key: 'wallet:a', seq: 1, events: [], commandId: 'c1', at: 0 }];
    await expect(journal.commit(batch, [], { shardCount: 16, epochs: new Map([[0, 1]]) })).rejects.toThrow(/cannot honour a shard fence/);
    await journal.close();
  });
});
