/**
 * Query plans for the tests that pin how hot statements reach their rows (lookup-plans.fixtures.ts,
 * runtime/timer-index-plans.fixtures.ts), on PGlite and on PostgreSQL alike.
 */
import { expect } from 'vitest';
import type { Db, Row } from '../db.ts';

export interface SentStatement {
  readonly sql: string;
  readonly params: readonly unknown[];
}

/** The plan PostgreSQL picks for `sql` with these values now (a custom plan), as text. */
export async function planOf(db: Db, sql: string, params: readonly unknown[]): Promise<string> {
  return (await db.query(`EXPLAIN ${sql}`, params)).map((row) => String(Object.values(row)[0])).join('\n');
}

/**
 * The generic plan of `sql`: the one a pooled connection caches for a prepared statement (after
 * five custom plans, when it costs no more) and keeps until the next ANALYZE of its tables, which
 * on PGlite never comes. Taken while a table is small, it is what every later call runs.
 */
export async function genericPlanOf(db: Db, sql: string, settings: readonly string[] = []): Promise<string> {
  const parameterCount = Math.max(0, ...[...sql.matchAll(/\$(\d+)/g)].map((match) => Number(match[1])));
  const nulls = Array.from({ length: parameterCount }, () => 'NULL').join(', ');
  // One connection for the PREPARE and the EXPLAIN; the settings and the statement end with it.
  return db.transaction(async (tx) => {
    await tx.query('SET LOCAL plan_cache_mode = force_generic_plan');
    for (const setting of settings) {
      const [name, value] = setting.split('=');
      await tx.query(`SELECT set_config($1, $2, true)`, [name, value]);
    }
    await tx.query(`PREPARE generic_plan_probe AS ${sql}`);
    try {
      const rows = await tx.query(`EXPLAIN EXECUTE generic_plan_probe${parameterCount === 0 ? '' : `(${nulls})`}`);
      return rows.map((row) => String(Object.values(row)[0])).join('\n');
    } finally {
      await tx.query('DEALLOCATE generic_plan_probe');
    }
  });
}

/**
 * The generic plan of the statement inside function `name` of the current schema, planned
 * under the function's own settings (its `SET` clauses) with `parameters` for its named
 * parameters (`{ ids: '$1::text[]' }`): what the function runs, which EXPLAIN of a call hides.
 */
export async function functionPlanOf(db: Db, name: string, parameters: Readonly<Record<string, string>>): Promise<string> {
  const [found] = await db.query<{ body: string; settings: string[] | null }>(
    'SELECT prosrc AS body, proconfig AS settings FROM pg_proc WHERE proname = $1 AND pronamespace = current_schema()::regnamespace',
    [name],
  );
  if (found === undefined) throw new Error(`no function ${name} in the current schema`);
  // A PL/pgSQL body holds its statement as `RETURN QUERY <statement>;`; a SQL body is the statement.
  const returned = /RETURN QUERY\s+([\s\S]*?);\s*END\s*$/i.exec(found.body.trim());
  let sql = returned?.[1] ?? found.body;
  for (const [parameter, placeholder] of Object.entries(parameters)) sql = sql.replace(new RegExp(`\\b${parameter}\\b`, 'g'), placeholder);
  return genericPlanOf(db, sql, found.settings ?? []);
}

/** Runs `use` against a Db that records what it sends, and returns what it sent. */
export async function statementsSentBy(db: Db, use: (db: Db) => Promise<unknown>): Promise<SentStatement[]> {
  const sent: SentStatement[] = [];
  const recording: Db = {
    ...db,
    query: <T extends Row>(sql: string, params: readonly unknown[] = []) => {
      // A copy: a caller may go on to extend the array it passed (listOrders does).
      sent.push({ sql, params: [...params] });
      return db.query<T>(sql, params);
    },
  };
  await use(recording);
  expect(sent.length).toBeGreaterThan(0);
  return sent;
}

/** The plan's lines that read all of one of `tables`. */
export function fullReads(plan: string, tables: readonly string[]): string[] {
  const scan = new RegExp(`Seq Scan on (${tables.join('|')})\\b`);
  return plan.split('\n').filter((line) => scan.test(line));
}
