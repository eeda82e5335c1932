/**
 * The Db port on PGlite, PostgreSQL compiled to WASM and run in-process: the embedded mode
 * (DESIGN.md §6, §7).
 *
 * PGlite runs one query at a time and an open transaction blocks every other query, so
 * transactions go through its own `transaction` API, which queues the rest behind it. Code
 * inside `transaction(fn)` must use the `tx` it is given: a query on the outer Db waits for
 * the transaction to end, which waits for that query, and both hang.
 */
import { PGlite, type Transaction } from '@electric-sql/pglite';
import type { Db, Row } from './db.ts';
import { parseInt8, pgOid, serializeJson } from './sql-values.ts';

/** Opens PGlite in `dataDir`, or in memory when it is undefined (about 6 s on a first start). */
export async function openPglite(dataDir?: string): Promise<Db> {
  const pg = await PGlite.create({
    ...(dataDir === undefined ? {} : { dataDir }),
    // PGlite already turns small int8 values into numbers; ours also refuses the unsafe ones.
    parsers: { [pgOid.int8]: parseInt8 },
    serializers: { [pgOid.json]: serializeJson, [pgOid.jsonb]: serializeJson },
  });
  return {
    dialect: 'pglite',
    query: async <T extends Row>(text: string, params: readonly unknown[] = []) =>
      (await pg.query<T>(text, [...params])).rows,
    transaction: <T>(fn: (tx: Db) => Promise<T>) => pg.transaction((tx) => fn(transactionDb(tx))),
    close: () => pg.close(),
  };
}

function transactionDb(tx: Transaction): Db {
  let savepoints = 0;
  const db: Db = {
    dialect: 'pglite',
    query: async <T extends Row>(text: string, params: readonly unknown[] = []) =>
      (await tx.query<T>(text, [...params])).rows,
    // PGlite has no nested transaction API; a savepoint gives the same semantics.
    transaction: async <T>(fn: (inner: Db) => Promise<T>) => {
      savepoints += 1;
      const name = `nested_${savepoints}`;
      await tx.query(`SAVEPOINT ${name}`);
      try {
        const result = await fn(db);
        await tx.query(`RELEASE SAVEPOINT ${name}`);
        return result;
      } catch (error) {
        await tx.query(`ROLLBACK TO SAVEPOINT ${name}`);
        throw error;
      }
    },
    close: () => Promise.reject(new Error('close the Db, not a transaction')),
  };
  return db;
}
