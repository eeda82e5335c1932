/**
 * The Db port on PGlite, PostgreSQL compiled to WASM and run in-process: the embedded mode
 * (DESIGN.md §6, §7). openStores runs it in a worker thread instead (pglite-worker.ts), which
 * opens it with the same `pgliteOptions`; in-process it stays for tests and small tools.
 *
 * PGlite runs one query at a time and an open transaction blocks every other query, so
 * transactions go through its own `transaction` API, which queues the rest behind it. Code
 * inside `transaction(fn)` must use the `tx` it is given: a query on the outer Db waits for
 * the transaction to end, which waits for that query, and both hang.
 */
import { PGlite, type PGliteOptions, type Transaction } from '@electric-sql/pglite';
import type { Db, Row, Statement } from './db.ts';
import { PreparedStatements } from './pglite-prepared.ts';
import { parseInt8, pgOid, serializeJson } from './sql-values.ts';

/** PGlite's options for `dataDir`, or in memory when it is undefined: one place, so the
 *  in-process and the worker adapter parse and serialise values alike. */
export function pgliteOptions(dataDir?: string): PGliteOptions {
  return {
    ...(dataDir === undefined ? {} : { dataDir }),
    // PGlite already turns small int8 values into numbers; ours also refuses the unsafe ones.
    parsers: { [pgOid.int8]: parseInt8 },
    serializers: { [pgOid.json]: serializeJson, [pgOid.jsonb]: serializeJson },
  };
}

/**
 * Starts PGlite with `options` and sets its session up as every adapter needs it. PGlite's pages
 * live in its own memory, so a random page read costs what a sequential one does: with the
 * default random_page_cost of 4 (a spinning disk's), and no statistics ever gathered (PGlite runs
 * no autovacuum), the planner chose to read whole tables for a few dozen lookups by key, and those
 * lookups grew slower with every order taken. 1.1 is what PostgreSQL's docs advise for data that
 * is cached or on SSD.
 */
export async function createPglite(options: PGliteOptions): Promise<PGlite> {
  const pg = await PGlite.create(options);
  await pg.exec('SET random_page_cost = 1.1');
  return pg;
}

/** Opens PGlite in `dataDir`, or in memory when it is undefined (about 6 s on a first start). */
export async function openPglite(dataDir?: string): Promise<Db> {
  return pgliteDb(await createPglite(pgliteOptions(dataDir)));
}

/** The Db port over an open PGlite (tests open one from a dump of a migrated cluster). */
export function pgliteDb(pg: PGlite): Db {
  const prepared = new PreparedStatements();
  return {
    dialect: 'pglite',
    query: async <T extends Row>(text: string, params: readonly unknown[] = []) =>
      (await prepared.query<T>(pg, text, params, undefined, false)).rows,
    transaction: <T>(fn: (tx: Db) => Promise<T>) => pg.transaction((tx) => fn(transactionDb(tx, prepared))),
    batch: async (statements) => {
      if (statements.length > 0) await pg.transaction((tx) => runInOrder(transactionDb(tx, prepared), statements));
    },
    close: () => pg.close(),
  };
}

function transactionDb(tx: Transaction, prepared: PreparedStatements): Db {
  return savepointDb('pglite', async <T extends Row>(text: string, params: readonly unknown[] = []) =>
    (await prepared.query<T>(tx, text, params, undefined, true)).rows,
  );
}

/**
 * The Db inside an open transaction, given the function that queries on its connection.
 * PGlite has no nested transaction API; a savepoint gives the same semantics.
 */
export function savepointDb(dialect: Db['dialect'], query: Db['query']): Db {
  let savepoints = 0;
  const db: Db = {
    dialect,
    query,
    transaction: async <T>(fn: (inner: Db) => Promise<T>) => {
      savepoints += 1;
      const name = `nested_${savepoints}`;
      await query(`SAVEPOINT ${name}`);
      try {
        const result = await fn(db);
        await query(`RELEASE SAVEPOINT ${name}`);
        return result;
      } catch (error) {
        await query(`ROLLBACK TO SAVEPOINT ${name}`);
        throw error;
      }
    },
    batch: async (statements) => {
      if (statements.length > 0) await db.transaction((inner) => runInOrder(inner, statements));
    },
    close: () => Promise.reject(new Error('close the Db, not a transaction')),
  };
  return db;
}

/** Runs a batch's statements one after another on `db` (a transaction's, so all or nothing). */
export async function runInOrder(db: Pick<Db, 'query'>, statements: readonly Statement[]): Promise<void> {
  for (const statement of statements) await db.query(statement.sql, statement.params);
}
