/** The reply store on PGlite: a reply is found at once, written behind in one statement per turn, the first one kept. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SqlReplyStore, type StoredReply } from './command-replies.ts';
import { countingDb } from './counting-db.ts';
import type { Db } from './db.ts';
import { openMigratedPglite } from './testing/pglite-template.ts';

let db: Db;
beforeAll(async () => {
  db = await openMigratedPglite();
}, 60_000);
afterAll(() => db.close());

const reply = (n: number): StoredReply => ({ fingerprint: `f${n}`, status: 201, body: { n } });
const storedIds = async (scope: string) =>
  (await db.query<{ command_id: string }>('SELECT command_id FROM command_replies WHERE scope = $1 ORDER BY command_id', [scope])).map((row) => row.command_id);

describe('SqlReplyStore', () => {
  it('finds a reply as soon as it is saved, and writes every reply saved in one turn in one statement', async () => {
    const counted = countingDb(db);
    const store = new SqlReplyStore(counted);
    const saves = [1, 2, 3].map((n) => store.save('s1', `c${n}`, reply(n), 1_000));
    expect(await storedIds('s1')).toEqual([]);
    expect(await store.find('s1', 'c2')).toEqual(reply(2));
    const before = counted.counts().statements;
    await Promise.all(saves);
    expect(counted.counts().statements - before).toBe(1);
    expect(await storedIds('s1')).toEqual(['c1', 'c2', 'c3']);
    expect(await new SqlReplyStore(db).find('s1', 'c3')).toEqual(reply(3));
  });

  it('keeps the first reply of a command id, before and after it is written', async () => {
    const store = new SqlReplyStore(db);
    const first = store.save('s2', 'c1', reply(1), 1);
    await store.save('s2', 'c1', reply(2), 2);
    await first;
    await store.save('s2', 'c1', reply(3), 3);
    await store.flush();
    expect(await new SqlReplyStore(db).find('s2', 'c1')).toEqual(reply(1));
    expect(await store.find('s2', 'missing')).toBeNull();
  });

  it('writes replies saved during a write in the next one, and flush waits for both', async () => {
    const store = new SqlReplyStore(db);
    const early = store.save('s3', 'c1', reply(1), 1);
    await new Promise((resolve) => setImmediate(resolve)); // the first write has started
    const late = store.save('s3', 'c2', reply(2), 2);
    await store.flush();
    expect(await storedIds('s3')).toEqual(['c1', 'c2']);
    await Promise.all([early, late]);
  });

  it('reports a failed write to the save, and still finds nothing it did not keep', async () => {
    const failing: Db = { ...db, query: async () => Promise.reject(new Error('store down')) };
    const store = new SqlReplyStore(failing);
    await expect(store.save('s4', 'c1', reply(1), 1)).rejects.toThrow('store down');
    await expect(store.find('s4', 'c1')).rejects.toThrow('store down');
    await store.flush();
  });

  it('answers a never-stored id with no query when given a filter of the stored ids, and still finds every stored one', async () => {
    await new SqlReplyStore(db).save('s5', 'old', reply(1), 1);
    const counted = countingDb(db);
    const stored = new Set<string>();
    const filter = { mayHold: (key: string) => stored.has(key), add: (key: string) => void stored.add(key) };
    const store = new SqlReplyStore(counted, filter);
    for (const key of await store.storedKeys()) filter.add(key);
    const before = counted.counts().statements;
    expect(await store.find('s5', 'new')).toBeNull();
    expect(counted.counts().statements - before).toBe(0);
    expect(await store.find('s5', 'old')).toEqual(reply(1));
    await store.save('s5', 'saved-here', reply(2), 2);
    expect(await new SqlReplyStore(counted, filter).find('s5', 'saved-here')).toEqual(reply(2));
  });

  it('with a write delay, writes the replies saved within it in one statement, and flush writes at once', async () => {
    const counted = countingDb(db);
    const store = new SqlReplyStore(counted, undefined, 60_000);
    const before = counted.counts().statements;
    const saves = [1, 2].map((n) => store.save('s6', `c${n}`, reply(n), 1));
    await new Promise((resolve) => setTimeout(resolve, 20));
    const third = store.save('s6', 'c3', reply(3), 2);
    expect(counted.counts().statements - before).toBe(0);
    expect(await store.find('s6', 'c3')).toEqual(reply(3));
    await store.flush();
    await Promise.all([...saves, third]);
    expect(counted.counts().statements - before).toBe(1);
    expect(await storedIds('s6')).toEqual(['c1', 'c2', 'c3']);
  });
});
