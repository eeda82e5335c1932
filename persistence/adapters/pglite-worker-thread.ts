/**
 * The thread that runs PGlite for the worker adapter (pglite-worker.ts). It takes requests in
 * the order they arrive and hands them to PGlite at once; PGlite runs them one at a time in that
 * order, and while a transaction is open it queues every query outside it, exactly as it does
 * in-process. A transaction stays open across messages: `begin` starts PGlite's `transaction`,
 * whose callback waits for the `end` request.
 */
import { readlinkSync } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import { type PGlite, type Results, type Transaction } from '@electric-sql/pglite';
import type { Statement } from './db.ts';
import { createPglite, pgliteOptions } from './pglite.ts';
import { PreparedStatements } from './pglite-prepared.ts';
import { encodeError, isJsonSafe, jsonResultMinRows, type WorkerReply, type WorkerRequest, type WorkerStart } from './pglite-worker-protocol.ts';
import { pgOid } from './sql-values.ts';

interface OpenTransaction {
  /** Resolves with PGlite's transaction once BEGIN ran; rejects when it could not start. */
  readonly handle: Promise<Transaction>;
  finish(commit: boolean): void;
  /** Settles when COMMIT or ROLLBACK ran. */
  readonly done: Promise<void>;
}

const port = parentPort;
if (port === null) throw new Error('pglite-worker-thread.ts runs only as a worker thread');
const start = workerData as WorkerStart;
const transactions = new Map<number, OpenTransaction>();
const prepared = new PreparedStatements();

/** json and jsonb come back as PostgreSQL's text, parsed below only when a result crosses by clone. */
const rawJson = { [pgOid.json]: (text: string) => text, [pgOid.jsonb]: (text: string) => text };
const jsonTypes: ReadonlySet<number> = new Set([pgOid.json, pgOid.jsonb]);

function reply(message: WorkerReply): void {
  port?.postMessage(message);
}

/** This thread's /proc entry (`<pid>/task/<tid>`), so the other thread can read its CPU time. */
function threadPath(): string | null {
  try {
    return readlinkSync('/proc/thread-self');
  } catch {
    return null; // Not Linux: the CPU split is simply not reported.
  }
}

let pg: PGlite;
try {
  pg = await createPglite(pgliteOptions(start.dataDir));
} catch (error) {
  reply({ op: 'failed', error: encodeError(error) });
  throw error;
}
port.on('message', (request: WorkerRequest) => handle(request));
reply({ op: 'ready', threadPath: threadPath() });

function handle(request: WorkerRequest): void {
  switch (request.op) {
    case 'query':
      void runQuery(request.id, request.tx, request.sql, request.params);
      return;
    case 'batch':
      void runBatch(request.id, request.tx, request.statements);
      return;
    case 'begin':
      transactions.set(request.tx, begin());
      return;
    case 'end':
      void end(request.id, request.tx, request.commit);
      return;
    case 'close':
      void close(request.id);
      return;
    default:
      request satisfies never;
  }
}

async function runQuery(id: number, tx: number, sql: string, params: readonly unknown[]): Promise<void> {
  try {
    const options = { parsers: rawJson };
    let result: Results<Record<string, unknown>>;
    if (tx === 0) {
      result = await prepared.query(pg, sql, params, options, false);
    } else {
      const open = transactions.get(tx);
      if (open === undefined) throw new Error(`transaction ${tx} is not open`);
      result = await prepared.query(await open.handle, sql, params, options, true);
    }
    reply(encodeResult(id, result));
  } catch (error) {
    reply({ op: 'error', id, error: encodeError(error) });
  }
}

/** A batch runs here from its first statement to its COMMIT, with no trip to the other thread. */
async function runBatch(id: number, tx: number, statements: readonly Statement[]): Promise<void> {
  try {
    if (tx === 0) {
      await pg.transaction((open) => runInOrder(open, statements));
    } else {
      const open = transactions.get(tx);
      if (open === undefined) throw new Error(`transaction ${tx} is not open`);
      const handle = await open.handle;
      await handle.query('SAVEPOINT batch');
      try {
        await runInOrder(handle, statements);
      } catch (error) {
        await handle.query('ROLLBACK TO SAVEPOINT batch');
        throw error;
      }
      await handle.query('RELEASE SAVEPOINT batch');
    }
    reply({ op: 'done', id });
  } catch (error) {
    reply({ op: 'error', id, error: encodeError(error) });
  }
}

async function runInOrder(open: Transaction, statements: readonly Statement[]): Promise<void> {
  for (const { sql, params } of statements) await prepared.query(open, sql, params, undefined, true);
}

function encodeResult(id: number, result: Results<Record<string, unknown>>): WorkerReply {
  const { rows, fields } = result;
  if (rows.length >= jsonResultMinRows && isJsonSafe(fields)) return { op: 'json', id, json: rowsAsJson(result) };
  const jsonColumns = fields.filter((field) => jsonTypes.has(field.dataTypeID)).map((field) => field.name);
  if (jsonColumns.length > 0) {
    for (const row of rows) {
      for (const name of jsonColumns) {
        const text = row[name];
        // The same parse PGlite's own json parser does; null stays null.
        if (typeof text === 'string') row[name] = JSON.parse(text);
      }
    }
  }
  return { op: 'rows', id, rows };
}

/** The rows as one JSON array; json and jsonb text goes in as PostgreSQL wrote it. */
function rowsAsJson({ rows, fields }: Results<Record<string, unknown>>): string {
  const parts: string[] = [];
  // A repeated column name keeps its last value, as PGlite's own row objects do.
  const names = [...new Set(fields.map((field) => field.name))];
  const keys = names.map((name) => `${JSON.stringify(name)}:`);
  const raw = names.map((name) => fields.findLast((field) => field.name === name)?.dataTypeID ?? 0).map((type) => jsonTypes.has(type));
  for (const row of rows) {
    const values = names.map((name, index) => {
      const value = row[name];
      if (value === null || value === undefined) return `${keys[index]}null`;
      return `${keys[index]}${raw[index] ? String(value) : JSON.stringify(value)}`;
    });
    parts.push(`{${values.join(',')}}`);
  }
  return `[${parts.join(',')}]`;
}

function begin(): OpenTransaction {
  let finish: (commit: boolean) => void = () => {};
  const finished = new Promise<boolean>((resolve) => {
    finish = resolve;
  });
  let started: (tx: Transaction) => void = () => {};
  let refused: (error: unknown) => void = () => {};
  const handle = new Promise<Transaction>((resolve, reject) => {
    started = resolve;
    refused = reject;
  });
  const done = pg.transaction(async (tx) => {
    started(tx);
    if (!(await finished)) await tx.rollback();
  });
  // BEGIN failing rejects `done` before the callback ran; the queries waiting on it fail too.
  done.catch(refused);
  handle.catch(() => {}); // Reported through `done` to whoever ends the transaction.
  return { handle, finish, done };
}

async function end(id: number, tx: number, commit: boolean): Promise<void> {
  const open = transactions.get(tx);
  transactions.delete(tx);
  try {
    if (open === undefined) throw new Error(`transaction ${tx} is not open`);
    open.finish(commit);
    await open.done;
    reply({ op: 'done', id });
  } catch (error) {
    reply({ op: 'error', id, error: encodeError(error) });
  }
}

async function close(id: number): Promise<void> {
  try {
    await pg.close();
    reply({ op: 'done', id });
  } catch (error) {
    reply({ op: 'error', id, error: encodeError(error) });
  }
  // Nothing else keeps this thread alive once the port closes, so it ends by itself.
  port?.close();
}
