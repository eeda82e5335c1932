/**
 * The Db port on a real PostgreSQL server through postgres.js (DESIGN.md §1, persistence/).
 */
import postgres from 'postgres';
import type { Db, Row, Statement } from './db.ts';
import { parseInt8, pgOid, serializeJson } from './sql-values.ts';

export interface PostgresOptions {
  /** Schema every connection works in (its search_path); created when missing. Integration
   *  tests isolate themselves in a throwaway one and drop it afterwards. */
  readonly schema?: string;
  /** Connections in the pool. Each costs a server backend (about 10 MB there). */
  readonly max?: number;
  /** Server-side limits for every connection of the pool. Cluster mode sets them from its lease
   *  TTL (shard-leases.ts, `clusterSessionTimeouts`), so a node paused inside a transaction or
   *  stuck behind a lock cannot hold a shard's lease row past its lease. */
  readonly sessionTimeouts?: SessionTimeouts;
  /** `plan_cache_mode` of every connection. The runtime keeps PostgreSQL's `auto`: its hot
   *  statements are written to find rows by key whatever the statistics say (LATERAL lookups; an
   *  UPDATE by a list of keys goes through a function planned with scans off, 023_timer_stamps.sql),
   *  so a generic plan cached while the tables were small stays right as they grow, and planning
   *  some of them costs more than running them (the round reads' UNION ALL: 5.7 ms to plan, under
   *  1 ms to run). The plan suites check the plans a connection caches at 20 rows
   *  (lookup-plans.fixtures.ts, runtime/timer-index-plans.fixtures.ts). The SQL baseline
   *  (bench/baseline/) asks for custom plans, which measured faster for its statements. */
  readonly planCacheMode?: 'auto' | 'force_custom_plan';
}

export interface SessionTimeouts {
  /** `idle_in_transaction_session_timeout`: the server ends a session left idle in a transaction this long. */
  readonly idleInTransactionMs: number;
  /** `lock_timeout`: a statement waiting this long for a lock fails instead. */
  readonly lockMs: number;
}

/** postgres.js's default pool size; enough for a 2-core machine behind group commit. */
const defaultMaxConnections = 10;

/** A plain identifier keeps quoting trivial in both CREATE SCHEMA and search_path. */
const schemaNamePattern = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;

type Types = { int8: number; json: postgres.SerializableParameter<never> };
type Sql = postgres.Sql<Types>;
type TransactionSql = postgres.TransactionSql<Types>;
type SqlParameters = postgres.ParameterOrJSON<Types[keyof Types]>[];

export async function openPostgres(url: string, options: PostgresOptions = {}): Promise<Db> {
  const { schema } = options;
  if (schema !== undefined && !schemaNamePattern.test(schema)) {
    throw new Error(`schema name ${JSON.stringify(schema)} is not a plain SQL identifier`);
  }
  const sql: Sql = postgres(url, {
    max: options.max ?? defaultMaxConnections,
    // postgres.js logs every NOTICE with console.log; IF NOT EXISTS alone raises several.
    onnotice: () => {},
    types: {
      int8: { to: pgOid.int8, from: [pgOid.int8], serialize: (value: number) => String(value), parse: parseInt8 },
      // Callers pass JSON text (db.ts). The default serializer would encode that text again,
      // storing a jsonb string instead of the object it spells.
      json: { to: pgOid.jsonb, from: [pgOid.json, pgOid.jsonb], serialize: serializeJson, parse: (raw: string): unknown => JSON.parse(raw) },
    },
    // Startup parameters apply to every connection the pool ever opens, reconnects included.
    // JIT off: the journal's batch insert reads its rows from a JSON recordset, which the planner
    // estimates high enough to JIT-compile every time, 130 ms of a statement that runs in 1 ms
    // (measured with EXPLAIN ANALYZE); short OLTP statements never gain from JIT.
    connection: { jit: 'off', plan_cache_mode: options.planCacheMode ?? 'auto', ...(schema === undefined ? {} : { search_path: quoteIdentifier(schema) }), ...timeoutParameters(options.sessionTimeouts) },
  });
  if (schema !== undefined) await createSchema(sql, schema);
  return {
    dialect: 'postgres',
    query: (text, params) => run(sql, text, params),
    transaction: <T>(fn: (tx: Db) => Promise<T>) => sql.begin((tx) => fn(transactionDb(tx))) as Promise<T>,
    // Sent without awaiting each other, postgres.js pipelines them on the transaction's connection.
    batch: async (statements) => {
      if (statements.length > 0) await sql.begin((tx) => runAll(tx, statements));
    },
    listen: async (channel, onNotify) => {
      const listening = await sql.listen(channel, onNotify);
      return () => listening.unlisten();
    },
    close: () => sql.end({ timeout: 5 }),
  };
}

function timeoutParameters(timeouts: SessionTimeouts | undefined): { idle_in_transaction_session_timeout?: number; lock_timeout?: number } {
  if (timeouts === undefined) return {};
  const { idleInTransactionMs, lockMs } = timeouts;
  // 0 would mean "no limit" to the server: a caller asking for a limit never means that.
  for (const [name, ms] of [['idleInTransactionMs', idleInTransactionMs], ['lockMs', lockMs]] as const) {
    if (!Number.isInteger(ms) || ms < 1) throw new RangeError(`${name} must be a positive integer of ms, got ${ms}`);
  }
  return { idle_in_transaction_session_timeout: idleInTransactionMs, lock_timeout: lockMs };
}

function transactionDb(tx: TransactionSql): Db {
  return {
    dialect: 'postgres',
    query: (text, params) => run(tx, text, params),
    // A nested transaction is a savepoint: its failure rolls back only its own work.
    transaction: <T>(fn: (tx: Db) => Promise<T>) =>
      tx.savepoint((savepoint) => fn(transactionDb(savepoint))) as Promise<T>,
    batch: async (statements) => {
      if (statements.length > 0) await tx.savepoint((savepoint) => runAll(savepoint, statements));
    },
    close: () => Promise.reject(new Error('close the Db, not a transaction')),
  };
}

async function runAll(tx: TransactionSql, statements: readonly Statement[]): Promise<void> {
  await Promise.all(statements.map((statement) => run(tx, statement.sql, statement.params)));
}

async function run<T extends Row>(sql: Sql | TransactionSql, text: string, params: readonly unknown[] = []): Promise<T[]> {
  // The port takes unknown parameters; postgres.js types them by the server's inferred oid.
  // Prepared (named, cached per connection): the statements are a fixed set of texts, so the
  // server parses and plans each once per connection instead of on every call (unless
  // `planCacheMode` asks for a plan per call).
  const rows = await sql.unsafe<T[]>(text, params as SqlParameters, { prepare: true });
  // A plain array: postgres.js's result carries extra fields (count, command, columns).
  return Array.from(rows);
}

async function createSchema(sql: Sql, schema: string): Promise<void> {
  try {
    await sql.unsafe(`CREATE SCHEMA IF NOT EXISTS ${quoteIdentifier(schema)}`);
  } catch (error) {
    // Two processes creating the schema at once: the loser sees a unique violation on the
    // catalog even with IF NOT EXISTS, and the schema it wanted exists.
    if (!(error instanceof postgres.PostgresError) || error.code !== '23505') throw error;
  }
}

function quoteIdentifier(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}
