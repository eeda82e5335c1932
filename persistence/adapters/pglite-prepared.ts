/**
 * Statements with parameters run on PGlite as named prepared statements: parsed and planned once
 * per text, then each call is one `EXECUTE name('…', …)` over the simple protocol.
 *
 * Why: PGlite's `query` parses and plans its text on every call and crosses into WASM five times
 * (parse, describe, bind, describe, execute), and a statement's fixed cost is most of what the
 * embedded runtime pays (PGlite's thread is the limit there). Measured on the journal's 7-entry
 * batch insert: 1.03–1.24 ms a call through `query`, 0.57–0.69 ms prepared.
 *
 * The values go into the EXECUTE as quoted literals, each turned into its parameter's type by
 * that type's input function, as a bound text parameter is; json and jsonb take JSON text, as
 * `serializeJson` gives it. A statement PREPARE refuses, or a value with no literal here (bytes,
 * objects for a non-JSON type), runs through `query` as before. Prepared statements belong to the
 * session, not to a transaction: a PREPARE inside one stays after a rollback, and it runs inside a
 * savepoint there, so one that fails leaves the transaction usable.
 */
import type { QueryOptions, Results } from '@electric-sql/pglite';
import { serializeJson } from './sql-values.ts';

/** What both PGlite and its open transactions offer. */
export interface PgliteSession {
  query<T>(sql: string, params?: unknown[], options?: QueryOptions): Promise<Results<T>>;
  exec(sql: string, options?: QueryOptions): Promise<Array<Results>>;
}

interface Prepared {
  readonly name: string;
  /** Each parameter's type as `format_type` spells it (`jsonb`, `text[]`, …). */
  readonly types: readonly string[];
}

/** More distinct texts than the runtime sends; past it new texts run unprepared. */
const defaultLimit = 1_000;

export class PreparedStatements {
  /** By text; null when the text runs unprepared. A promise, so concurrent first calls share one PREPARE. */
  private readonly prepared = new Map<string, Promise<Prepared | null>>();
  /** Names are never reused: a PREPARE that failed after it ran may have left its name taken. */
  private nextName = 1;

  constructor(private readonly limit = defaultLimit) {}

  /** Runs `sql` with `params` on `session`; `inTransaction` when the session is an open transaction. */
  async query<T>(session: PgliteSession, sql: string, params: readonly unknown[], options: QueryOptions | undefined, inTransaction: boolean): Promise<Results<T>> {
    if (params.length === 0) return session.query<T>(sql, [], options);
    const statement = await this.statementFor(session, sql, inTransaction);
    const literals = statement === null ? null : literalsOf(params, statement.types);
    if (statement === null || literals === null) return session.query<T>(sql, [...params], options);
    try {
      const [result] = await session.exec(`EXECUTE ${statement.name}(${literals.join(',')})`, options);
      if (result === undefined) throw new Error(`EXECUTE ${statement.name} returned no result`);
      return result as Results<T>;
    } catch (error) {
      // The error names the statement the caller sent, not the EXECUTE with its literals.
      if (typeof error === 'object' && error !== null) Object.assign(error, { query: sql });
      throw error;
    }
  }

  private statementFor(session: PgliteSession, sql: string, inTransaction: boolean): Promise<Prepared | null> {
    const known = this.prepared.get(sql);
    if (known !== undefined) return known;
    if (this.prepared.size >= this.limit) return Promise.resolve(null);
    const prepared = prepare(session, `bazaary_${this.nextName++}`, sql, inTransaction);
    this.prepared.set(sql, prepared);
    // A PREPARE that could not be tried at all (the session was failing, an aborted transaction
    // refused the savepoint) fails this call only: the next call of the text tries again.
    prepared.catch(() => {
      if (this.prepared.get(sql) === prepared) this.prepared.delete(sql);
    });
    return prepared;
  }
}

async function prepare(session: PgliteSession, name: string, sql: string, inTransaction: boolean): Promise<Prepared | null> {
  if (inTransaction) await session.exec('SAVEPOINT bazaary_prepare');
  try {
    await session.exec(`PREPARE ${name} AS ${sql}`);
  } catch {
    // Not preparable (a text of several statements, say): it runs through `query` from now on,
    // which reports whatever is wrong with it.
    if (inTransaction) await session.exec('ROLLBACK TO SAVEPOINT bazaary_prepare');
    return null;
  } finally {
    if (inTransaction) await session.exec('RELEASE SAVEPOINT bazaary_prepare');
  }
  const { rows } = await session.query<{ types: string[] }>('SELECT parameter_types::text[] AS types FROM pg_prepared_statements WHERE name = $1', [name]);
  const types = rows[0]?.types;
  return types === undefined ? null : { name, types };
}

/** The EXECUTE arguments for `params`, or null when one of them has no literal here. */
export function literalsOf(params: readonly unknown[], types: readonly string[]): string[] | null {
  if (params.length !== types.length) return null;
  const literals: string[] = [];
  for (const [index, value] of params.entries()) {
    const text = textOf(value, types[index] ?? '');
    if (text === undefined) return null;
    literals.push(text === null ? 'NULL' : quote(text));
  }
  return literals.some((literal) => literal.includes('\0')) ? null : literals;
}

/** A value as its type's input function reads it; null for SQL NULL, undefined when unsupported. */
function textOf(value: unknown, type: string): string | null | undefined {
  if (value === null || value === undefined) return null;
  if (type === 'json' || type === 'jsonb') return serializeJson(value);
  if (type.endsWith('[]')) return Array.isArray(value) ? arrayText(value) : undefined;
  return scalarText(value);
}

function scalarText(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'bigint' || typeof value === 'boolean') return String(value);
  if (value instanceof Date) return value.toISOString();
  return undefined;
}

/** A one-dimensional array literal: `{"a","b\"c",NULL}`. */
function arrayText(values: readonly unknown[]): string | undefined {
  const elements: string[] = [];
  for (const value of values) {
    if (value === null || value === undefined) {
      elements.push('NULL');
      continue;
    }
    const text = scalarText(value);
    if (text === undefined) return undefined;
    elements.push(`"${text.replace(/[\\"]/g, (character) => `\\${character}`)}"`);
  }
  return `{${elements.join(',')}}`;
}

/** A standard SQL string literal (standard_conforming_strings is on: only quotes are doubled). */
function quote(text: string): string {
  return `'${text.replaceAll("'", "''")}'`;
}
