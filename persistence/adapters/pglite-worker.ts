/**
 * The Db port on PGlite in a worker thread: the embedded mode's default (openStores). PGlite's
 * WASM and its JavaScript glue took 73% of the CPU on the runtime's thread (DESIGN.md §7); here
 * they run on a thread of their own, so the runtime and the database use both cores.
 *
 * The semantics are PGlite's in-process ones (pglite.ts), because PGlite itself still does the
 * queueing, in the worker (pglite-worker-thread.ts): one query at a time, in the order they
 * were sent, and an open transaction holds the only connection while every query outside it
 * waits. So, as in-process, code inside `transaction(fn)` must use the `tx` it is given.
 * Values are parsed by the same options (`pgliteOptions`): int8 as safe numbers, jsonb parsed.
 *
 * If the thread dies (a WASM abort, an out-of-memory, a bug), every waiting and later call
 * rejects with an error that says so: the stores fail loudly instead of hanging.
 */
import { readFileSync } from 'node:fs';
import type { EventLoopUtilization } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';
import type { Db, Row } from './db.ts';
import { savepointDb } from './pglite.ts';
import { decodeError, type WorkerReply, type WorkerRequest, type WorkerStart } from './pglite-worker-protocol.ts';

/** The database thread, for benchmarks and diagnostics. */
export interface DbThread {
  /** CPU seconds the thread has used since it started; null where /proc is missing. */
  cpuSeconds(): number | null;
  /** The thread's event-loop utilisation (perf_hooks), as `performance.eventLoopUtilization`. */
  eventLoopUtilization(previous?: EventLoopUtilization): EventLoopUtilization;
  /** Ends the thread at once, as a crash would (tests use it); every call then fails. */
  kill(): Promise<void>;
}

export interface WorkerDb extends Db {
  readonly thread: DbThread;
}

/** How long close waits for the thread to end after PGlite closed, before it is terminated. */
const exitWaitMs = 5_000;

const bootFile = new URL('./pglite-worker-boot.mjs', import.meta.url);
const threadEntry = new URL('./pglite-worker-thread.ts', import.meta.url).href;

type Pending = { resolve(reply: WorkerReply): void; reject(error: Error): void };
type Request = WorkerRequest extends infer R ? (R extends { id: number } ? Omit<R, 'id'> : never) : never;

/** Starts the thread and opens PGlite there, in `dataDir` or in memory (about 6 s on a first start). */
export async function openPgliteWorker(dataDir?: string): Promise<WorkerDb> {
  const start: WorkerStart = { entry: threadEntry, dataDir };
  const worker = new Worker(bootFile, { workerData: start });
  const threadPath = await ready(worker);
  const link = new WorkerLink(worker);
  let nextTransaction = 0;

  const query = async <T extends Row>(sql: string, params: readonly unknown[] = [], tx = 0): Promise<T[]> =>
    rowsOf<T>(await link.request({ op: 'query', tx, sql, params }));

  return {
    dialect: 'pglite',
    query: (sql, params) => query(sql, params),
    async transaction<T>(fn: (tx: Db) => Promise<T>): Promise<T> {
      nextTransaction += 1;
      const tx = nextTransaction;
      link.post({ op: 'begin', tx });
      let result: T;
      try {
        const inside = savepointDb('pglite', (sql, params) => query(sql, params, tx));
        result = await fn({
          ...inside,
          batch: async (statements) => {
            if (statements.length > 0) await link.request({ op: 'batch', tx, statements });
          },
        });
      } catch (error) {
        // The caller's error is the one worth seeing; a failed ROLLBACK (the thread gone) adds nothing.
        await link.request({ op: 'end', tx, commit: false }).catch(() => {});
        throw error;
      }
      await link.request({ op: 'end', tx, commit: true });
      return result;
    },
    async batch(statements) {
      if (statements.length > 0) await link.request({ op: 'batch', tx: 0, statements });
    },
    close: () => link.close(),
    thread: {
      cpuSeconds: () => (threadPath === null ? null : threadCpuSeconds(threadPath)),
      eventLoopUtilization: (previous) => worker.performance.eventLoopUtilization(previous),
      kill: async () => {
        await worker.terminate();
      },
    },
  };
}

/** Waits for the thread's `ready`; a failed start rejects with PGlite's error. */
function ready(worker: Worker): Promise<string | null> {
  return new Promise((resolve, reject) => {
    const onMessage = (message: WorkerReply) => {
      if (message.op === 'ready') settle(() => resolve(message.threadPath));
      else if (message.op === 'failed') settle(() => reject(decodeError(message.error)));
    };
    const onError = (error: Error) => settle(() => reject(error));
    const onExit = (code: number) => settle(() => reject(new Error(`the PGlite worker thread exited with code ${code} while starting`)));
    const settle = (then: () => void) => {
      worker.off('message', onMessage).off('error', onError).off('exit', onExit);
      then();
    };
    worker.on('message', onMessage).on('error', onError).on('exit', onExit);
  });
}

function rowsOf<T extends Row>(reply: WorkerReply): T[] {
  if (reply.op === 'rows') return reply.rows as T[];
  if (reply.op === 'json') return JSON.parse(reply.json) as T[];
  throw new Error(`the PGlite worker answered a query with "${reply.op}"`);
}

/** Requests and their replies over the worker's port, and the thread's death as their failure. */
class WorkerLink {
  private readonly pending = new Map<number, Pending>();
  private nextId = 0;
  /** Why the thread can no longer answer; set once, when it ends. */
  private stopped: Error | null = null;
  private closing: Promise<void> | null = null;

  constructor(private readonly worker: Worker) {
    worker.on('message', (reply: WorkerReply) => this.settle(reply));
    worker.on('error', (error: Error) => this.stop(new Error(`the PGlite worker thread failed: ${error.message}`, { cause: error })));
    worker.on('exit', (code: number) => this.stop(new Error(`the PGlite worker thread exited with code ${code}`)));
    // An idle thread must not keep the process alive, just as in-process PGlite does not.
    worker.unref();
  }

  post(message: WorkerRequest): void {
    if (this.stopped !== null) throw this.stopped;
    this.worker.postMessage(message);
  }

  request(message: Request): Promise<WorkerReply> {
    if (this.stopped !== null) return Promise.reject(this.stopped);
    this.nextId += 1;
    const id = this.nextId;
    return new Promise((resolve, reject) => {
      if (this.pending.size === 0) this.worker.ref();
      this.pending.set(id, { resolve, reject });
      this.worker.postMessage({ ...message, id } as WorkerRequest);
    });
  }

  close(): Promise<void> {
    this.closing ??= this.closeThread();
    return this.closing;
  }

  private async closeThread(): Promise<void> {
    if (this.stopped !== null) return;
    const exited = new Promise<void>((resolve) => this.worker.once('exit', () => resolve()));
    try {
      await this.request({ op: 'close' });
    } finally {
      this.stopped ??= new Error('the PGlite worker is closed');
      const timer = setTimeout(() => void this.worker.terminate(), exitWaitMs);
      await exited;
      clearTimeout(timer);
    }
  }

  private settle(reply: WorkerReply): void {
    if (!('id' in reply)) return;
    const waiting = this.pending.get(reply.id);
    if (waiting === undefined) return;
    this.pending.delete(reply.id);
    if (this.pending.size === 0) this.worker.unref();
    if (reply.op === 'error') waiting.reject(decodeError(reply.error));
    else waiting.resolve(reply);
  }

  private stop(reason: Error): void {
    this.stopped ??= reason;
    const waiting = [...this.pending.values()];
    this.pending.clear();
    for (const { reject } of waiting) reject(this.stopped);
  }
}

/** CPU seconds from /proc/<pid>/task/<tid>/schedstat (its first field: nanoseconds on a core). */
export function threadCpuSeconds(threadPath: string): number | null {
  try {
    return Number(readFileSync(`/proc/${threadPath}/schedstat`, 'utf8').split(' ')[0]) / 1e9;
  } catch {
    return null;
  }
}
