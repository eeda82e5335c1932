/**
 * The small SQL port every relational adapter uses. Both postgres.js (a real server) and
 * PGlite (in-process, the embedded mode) implement it, so SQL code is written once.
 *
 * Conventions every implementation guarantees (the Db contract suite checks them):
 * - placeholders are `$1, $2, …`;
 * - `int8`/`bigint` columns come back as JS numbers (money in minor units stays far below 2^53);
 * - `jsonb` columns come back parsed, and a JS object passed as a parameter for a jsonb
 *   column must be passed through `JSON.stringify` by the caller and cast with `$n::jsonb`;
 * - `transaction` commits when `fn` resolves and rolls back when it rejects;
 * - `batch` runs its statements in order as one transaction (a savepoint inside one), all or
 *   nothing, without waiting for the caller between them.
 */
export type Row = Record<string, unknown>;

/** A statement of a batch: its text and parameters, as `query` takes them. */
export interface Statement {
  readonly sql: string;
  readonly params: readonly unknown[];
}

export interface Db {
  readonly dialect: 'postgres' | 'pglite';
  query<T extends Row = Row>(sql: string, params?: readonly unknown[]): Promise<T[]>;
  transaction<T>(fn: (tx: Db) => Promise<T>): Promise<T>;
  /**
   * Writes that need no answer, as one transaction. Unlike a `transaction` whose function sends
   * one statement at a time, the store gets them all at once: PGlite in its worker runs them back
   * to back instead of sitting locked while the runtime's thread, busy with other work, gets
   * round to sending the next one (the read-model consumer's rounds, projections/readmodels).
   */
  batch(statements: readonly Statement[]): Promise<void>;
  /**
   * Calls `onNotify` with the payload of every NOTIFY on `channel` until the function it resolves
   * with is called. Only a real server has it: PGlite has no LISTEN/NOTIFY (DESIGN.md §7).
   * postgres.js listens on a connection of its own and listens again after a reconnect; a
   * notification sent while it was away is lost, so a listener keeps a periodic read as well.
   */
  readonly listen?: (channel: string, onNotify: (payload: string) => void) => Promise<() => Promise<void>>;
  close(): Promise<void>;
}
