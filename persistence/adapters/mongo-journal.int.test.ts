/**
 * The journal contract on MongoDB (MONGO_URL). No MongoDB server can be installed on the
 * development machines (DESIGN.md §7), so there this file reports itself skipped.
 */
import { randomUUID } from 'node:crypto';
import type { Collection } from 'mongodb';
import { MongoClient } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeJournalContract } from './journal.contract.ts';
import type { JournalDocument } from './mongo-journal.ts';
import { createJournalIndexes, MongoJournal, openMongoJournal } from './mongo-journal.ts';

const mongoUrl = process.env['MONGO_URL'] ?? '';
if (mongoUrl === '') {
  console.warn('mongo-journal.int.test.ts skipped: MONGO_URL is not set (no MongoDB server on this machine)');
}

describe.skipIf(mongoUrl === '')('MongoDB journal', () => {
  const dbName = `bazaary_test_${randomUUID().slice(0, 8)}`;
  let client: MongoClient;
  let collection: Collection<JournalDocument>;

  beforeAll(async () => {
    client = new MongoClient(mongoUrl, { ignoreUndefined: true });
    await client.connect();
    collection = client.db(dbName).collection<JournalDocument>('journal');
    await createJournalIndexes(collection);
  });

  afterAll(async () => {
    await client.db(dbName).dropDatabase();
    await client.close();
  });

  for (const batching of [true, false]) {
    describeJournalContract(`MongoJournal, batching ${batching ? 'on' : 'off'}`, async () => {
      await collection.deleteMany({});
      const journal = new MongoJournal(collection, { batching, maxBatch: 500, maxWaitMs: 0 }, null, client);
      return { journal, batching, stats: () => journal.stats(), cleanup: () => journal.close() };
    });
  }

  it('opens with its own client and indexes, and closes that client', async () => {
    await collection.deleteMany({});
    const journal = await openMongoJournal(mongoUrl, dbName, { batching: true, maxBatch: 500, maxWaitMs: 0 });
    await journal.append('wallet:opened', 0, { events: [{ type: 'Opened' }], commandId: 'cmd-open', at: 1 });
    await journal.close();
    const indexNames = (await collection.indexes()).map((index) => index.name);
    expect(indexNames).toEqual(expect.arrayContaining(['key_seq', 'key_command_id', 'unprocessed']));
    expect(await collection.countDocuments({ key: 'wallet:opened' })).toBe(1);
  });
});
