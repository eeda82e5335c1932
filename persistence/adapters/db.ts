/**
 * The small SQL port every relational adapter uses. Both postgres.js (a real server) and
 * PGlite (in-process, the embedded mode) implement it, so SQL code is written once.
 *
 * Conventions every implementation guarantees (the Db contract suite checks them):
 * - placeholders are `$1, $2, …`;
 * - `int8`/`bigint` columns come back as JS numbers (money in minor units stays far below 2^53);
 * - `jsonb` columns come back parsed, and a JS object passed as a parameter for a jsonb
 *   column must be passed through `JSON.stringify` by the caller and cast with `$n::jsonb`;
 * - `transaction` commits when `fn` resolves and rolls back when it rejects.
 */
export type Row = Record<string, unknown>;

export interface Db {
  readonly dialect: 'postgres' | 'pglite';
  query<T extends Row = Row>(sql: string, params?: readonly unknown[]): Promise<T[]>;
  transaction<T>(fn: (tx: Db) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}
