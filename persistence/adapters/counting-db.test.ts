import { describe, expect, it } from 'vitest';
import { countingDb } from './counting-db.ts';
import type { Db } from './db.ts';

/** A Db that answers every query with no rows and runs transactions on itself. */
function fakeDb(): Db {
  const db: Db = {
    dialect: 'pglite',
    query: async () => [],
    transaction: (fn) => fn(db),
    batch: async () => {},
    close: async () => {},
  };
  return db;
}

describe('countingDb', () => {
  it('counts queries, transactions and the statements that open and close them', async () => {
    const db = countingDb(fakeDb());
    await db.query('SELECT 1');
    await db.transaction(async (tx) => {
      await tx.query('INSERT 1');
      await tx.query('INSERT 2');
      await tx.transaction(async (nested) => {
        await nested.query('INSERT 3');
      });
    });
    // 1 outside + BEGIN, 2 inserts, SAVEPOINT, 1 insert, RELEASE, COMMIT.
    expect(db.counts()).toEqual({ statements: 8, transactions: 1 });
  });

  it('counts a transaction that rolls back, and passes the failure on', async () => {
    const db = countingDb(fakeDb());
    await expect(db.transaction(async () => Promise.reject(new Error('no')))).rejects.toThrow('no');
    expect(db.counts()).toEqual({ statements: 2, transactions: 1 });
  });

  it('counts a batch as a transaction of its statements, a nested one as a savepoint, and an empty one as nothing', async () => {
    const db = countingDb(fakeDb());
    const insert = { sql: 'INSERT 1', params: [] };
    await db.batch([insert, insert, insert]);
    expect(db.counts()).toEqual({ statements: 5, transactions: 1 });
    await db.transaction(async (tx) => tx.batch([insert]));
    // BEGIN, SAVEPOINT, the insert, RELEASE, COMMIT.
    expect(db.counts()).toEqual({ statements: 10, transactions: 2 });
    await db.batch([]);
    expect(db.counts()).toEqual({ statements: 10, transactions: 2 });
  });
});
