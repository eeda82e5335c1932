/**
 * A Db that counts what it sends: statements (every query, plus BEGIN and COMMIT or ROLLBACK
 * for a transaction, SAVEPOINT and RELEASE or ROLLBACK TO for a nested one) and transactions.
 * The cost of a write path follows the number of statements (DESIGN.md §7), so the checkout
 * benchmark reports statements per order from these counters; a counter costs an increment.
 */
import type { Db } from './db.ts';

export interface SqlCounts {
  readonly statements: number;
  /** Outermost transactions only; nested ones are savepoints inside them. */
  readonly transactions: number;
}

export interface CountingDb extends Db {
  counts(): SqlCounts;
}

/** The statements a transaction adds around its queries: BEGIN and COMMIT (or ROLLBACK). */
const transactionStatements = 2;

export function countingDb(db: Db): CountingDb {
  let statements = 0;
  let transactions = 0;
  const wrap = (inner: Db): Db => ({
    dialect: inner.dialect,
    query: (sql, params) => {
      statements += 1;
      return inner.query(sql, params);
    },
    transaction: (fn) => {
      statements += transactionStatements;
      return inner.transaction((tx) => fn(wrap(tx)));
    },
    batch: (batch) => {
      if (batch.length > 0) statements += batch.length + transactionStatements;
      return inner.batch(batch);
    },
    // Listening sends nothing the write path pays for: it is passed through uncounted.
    ...(inner.listen === undefined ? {} : { listen: inner.listen }),
    close: () => inner.close(),
  });
  const outer = wrap(db);
  return {
    ...outer,
    transaction: (fn) => {
      transactions += 1;
      return outer.transaction(fn);
    },
    batch: (batch) => {
      if (batch.length > 0) transactions += 1;
      return outer.batch(batch);
    },
    counts: () => ({ statements, transactions }),
  };
}
