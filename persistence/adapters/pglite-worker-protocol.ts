/**
 * The messages between the worker adapter (pglite-worker.ts, on the runtime's thread) and the
 * thread that runs PGlite (pglite-worker-thread.ts). Rows and parameters cross by structured
 * clone, except large results whose columns are all JSON-safe: those cross as one JSON string,
 * which the receiving thread parses in about half the time it takes to deserialise the clone
 * (measured on journal rows: 500 rows, 0.6 ms against 1.1 ms of the runtime thread's CPU; below
 * a few dozen rows the two cost the same).
 */
import type { Statement } from './db.ts';
import { pgOid } from './sql-values.ts';

/** Requests from the runtime's thread. `tx` 0 is outside any transaction. */
export type WorkerRequest =
  | { readonly op: 'query'; readonly id: number; readonly tx: number; readonly sql: string; readonly params: readonly unknown[] }
  /** Statements run back to back as one transaction (a savepoint inside transaction `tx`). */
  | { readonly op: 'batch'; readonly id: number; readonly tx: number; readonly statements: readonly Statement[] }
  | { readonly op: 'begin'; readonly tx: number }
  | { readonly op: 'end'; readonly id: number; readonly tx: number; readonly commit: boolean }
  | { readonly op: 'close'; readonly id: number };

export type WorkerReply =
  | { readonly op: 'ready'; readonly threadPath: string | null }
  | { readonly op: 'failed'; readonly error: EncodedError }
  | { readonly op: 'rows'; readonly id: number; readonly rows: readonly Record<string, unknown>[] }
  | { readonly op: 'json'; readonly id: number; readonly json: string }
  | { readonly op: 'done'; readonly id: number }
  | { readonly op: 'error'; readonly id: number; readonly error: EncodedError };

/** What the worker is started with. */
export interface WorkerStart {
  /** The module the boot file loads (pglite-worker-thread.ts). */
  readonly entry: string;
  readonly dataDir: string | undefined;
}

/**
 * An error crosses as its name, message and the string or number fields PostgreSQL errors carry
 * (code, detail, constraint, …). Structured clone would keep name and message but drop those.
 */
export interface EncodedError {
  readonly name: string;
  readonly message: string;
  readonly fields: Readonly<Record<string, string | number>>;
}

export function encodeError(error: unknown): EncodedError {
  if (!(error instanceof Error)) return { name: 'Error', message: String(error), fields: {} };
  const fields: Record<string, string | number> = {};
  for (const [name, value] of Object.entries(error)) {
    if (typeof value === 'string' || typeof value === 'number') fields[name] = value;
  }
  return { name: error.name, message: error.message, fields };
}

/** Rebuilds the error on the caller's thread, with the caller's stack. The error classes code
 *  tells apart (RangeError from parseInt8, TypeError) keep their class. */
export function decodeError(encoded: EncodedError): Error {
  const make = encoded.name === 'RangeError' ? RangeError : encoded.name === 'TypeError' ? TypeError : Error;
  const error = new make(encoded.message);
  if (error.name !== encoded.name) error.name = encoded.name;
  Object.assign(error, encoded.fields);
  return error;
}

/** Below this many rows a result crosses by structured clone (the JSON detour gains nothing). */
export const jsonResultMinRows = 32;

/**
 * Column types whose parsed values JSON keeps exactly: strings, booleans, safe integers (int8
 * included: parseInt8 refuses the rest) and parsed json. Floats are left out (NaN, Infinity and
 * -0 do not survive JSON), and so are dates, bytea and arrays (they come back as objects).
 */
const jsonSafeTypes: ReadonlySet<number> = new Set([
  16, // bool
  19, // name
  21, // int2
  23, // int4
  pgOid.int8,
  25, // text
  26, // oid
  pgOid.json,
  1042, // bpchar
  1043, // varchar
  2950, // uuid
  pgOid.jsonb,
]);

export function isJsonSafe(fields: readonly { readonly dataTypeID: number }[]): boolean {
  return fields.every((field) => jsonSafeTypes.has(field.dataTypeID));
}
