/**
 * One statement for the lookups a read-model round starts together. A round reads the rows its
 * streams build on from up to five tables at once (orders, wallets, seller stats, products,
 * reservations), and PGlite spends far more per statement than per row it returns: in the live
 * benchmark a lookup of a few rows cost it about 0.7 ms, so a small round's reads were mostly
 * overhead. `withRoundReads` gives the round a Db on which `selectByKeys` calls made in the same
 * turn are sent as one `UNION ALL` of their statements, each row tagged with its lookup and
 * carried as json; a lone lookup goes as it is.
 */
import type { Db, Row } from '../../adapters/db.ts';

interface Lookup {
  /** A SELECT whose only parameter is `$1`. */
  readonly sql: string;
  readonly param: unknown;
  resolve(rows: Row[]): void;
  reject(error: unknown): void;
}

class RoundReads {
  private pending: Lookup[] = [];

  constructor(private readonly db: Db) {}

  lookup<R extends Row>(sql: string, param: unknown): Promise<R[]> {
    return new Promise<R[]>((resolve, reject) => {
      if (this.pending.length === 0) queueMicrotask(() => void this.flush());
      this.pending.push({ sql, param, resolve: resolve as (rows: Row[]) => void, reject });
    });
  }

  private async flush(): Promise<void> {
    const lookups = this.pending;
    this.pending = [];
    try {
      if (lookups.length === 1) {
        const [only] = lookups as [Lookup];
        only.resolve(await this.db.query(only.sql, [only.param]));
        return;
      }
      const parts = lookups.map(({ sql }, index) => `SELECT ${index} AS lookup, to_json(x) AS row FROM (${renumbered(sql, index + 1)}) x`);
      const rows = await this.db.query<{ lookup: number; row: unknown }>(parts.join('\nUNION ALL\n'), lookups.map(({ param }) => param));
      const byLookup = lookups.map((): Row[] => []);
      for (const { lookup, row } of rows) byLookup[Number(lookup)]?.push((typeof row === 'string' ? JSON.parse(row) : row) as Row);
      lookups.forEach((each, index) => each.resolve(byLookup[index] ?? []));
    } catch (error) {
      for (const each of lookups) each.reject(error);
    }
  }
}

/** `$1` of a single-parameter statement as `$n`. */
function renumbered(sql: string, parameter: number): string {
  if (/\$[2-9]/.test(sql)) throw new Error('a round lookup takes one parameter');
  return sql.replaceAll('$1', `$${parameter}`);
}

const rounds = new WeakMap<Db, RoundReads>();

/** A Db for one round: the same store, with its `selectByKeys` lookups of a turn sent together. */
export function withRoundReads(db: Db): Db {
  const round: Db = {
    dialect: db.dialect,
    query: (sql, params) => db.query(sql, params),
    transaction: (fn) => db.transaction(fn),
    batch: (statements) => db.batch(statements),
    close: () => db.close(),
  };
  rounds.set(round, new RoundReads(db));
  return round;
}

/** Sends `sql` with `param`, together with the round's other lookups when `db` is a round's. */
export function roundLookup<R extends Row>(db: Db, sql: string, param: unknown): Promise<R[]> {
  const round = rounds.get(db);
  return round === undefined ? db.query<R>(sql, [param]) : round.lookup<R>(sql, param);
}
