/**
 * The CPU split of a measurement: the runtime's thread (the main thread: actors, sagas, the
 * gateway's JavaScript) against the database (PGlite's worker thread in embedded mode, or the
 * PostgreSQL backends serving this run's database), and the process's other threads (V8's
 * collector and compiler, libuv's pool). cpu.ts counts whole processes; this one reads threads.
 *
 * Thread and backend times come from /proc/…/schedstat (nanoseconds on a core), so a split is
 * exact to the microsecond; the database thread's event-loop utilisation (perf_hooks) is kept
 * beside it as the share of time PGlite's thread was busy. Linux only; elsewhere null.
 */
import { readFileSync } from 'node:fs';
import type { EventLoopUtilization } from 'node:perf_hooks';
import { performance } from 'node:perf_hooks';
import type { DbThread } from '../../persistence/adapters/pglite-worker.ts';

/** Where the database's CPU is to be read from. */
export interface DatabaseProbe {
  /** PGlite's own thread (embedded mode in a worker), or null. */
  readonly thread: DbThread | null;
  /** The PostgreSQL backends serving the measured database (pg_stat_activity), or null. */
  readonly backendPids: (() => Promise<readonly number[]>) | null;
}

export interface ThreadSample {
  readonly atMs: number;
  readonly processSeconds: number;
  readonly mainThreadSeconds: number | null;
  readonly databaseThreadSeconds: number | null;
  readonly databaseLoop: EventLoopUtilization | null;
  /** CPU seconds of each backend, by pid. */
  readonly backends: ReadonlyMap<number, number> | null;
}

/** Average cores over the interval, by who used them. */
export interface CpuSplit {
  readonly runtimeThreadCores: number | null;
  /** PGlite's worker thread; null when PGlite is not in a worker. */
  readonly databaseThreadCores: number | null;
  /** The rest of this process: garbage collection, compilation, libuv's threads. */
  readonly otherThreadsCores: number;
  /** Share of the interval PGlite's thread was busy (0…1). */
  readonly databaseLoopUtilization: number | null;
  /** The PostgreSQL backends serving this run's database; null without PostgreSQL. */
  readonly postgresBackendCores: number | null;
  /** The database's share of all the CPU the measured work used (this process + its backends). */
  readonly databaseShare: number | null;
}

function schedstatSeconds(path: string): number | null {
  try {
    return Number(readFileSync(path, 'utf8').split(' ')[0]) / 1e9;
  } catch {
    return null; // Not Linux, or the thread or process ended.
  }
}

export async function sampleThreads(probe: DatabaseProbe): Promise<ThreadSample> {
  const pids = probe.backendPids === null ? null : await probe.backendPids();
  const usage = process.cpuUsage();
  return {
    atMs: performance.now(),
    processSeconds: (usage.user + usage.system) / 1e6,
    mainThreadSeconds: schedstatSeconds(`/proc/${process.pid}/task/${process.pid}/schedstat`),
    databaseThreadSeconds: probe.thread?.cpuSeconds() ?? null,
    databaseLoop: probe.thread?.eventLoopUtilization() ?? null,
    backends: pids === null ? null : new Map(pids.flatMap((pid) => {
      const seconds = schedstatSeconds(`/proc/${pid}/schedstat`);
      return seconds === null ? [] : [[pid, seconds] as const];
    })),
  };
}

const twoDecimals = (value: number) => Math.round(value * 100) / 100;

export function splitBetween(start: ThreadSample, end: ThreadSample): CpuSplit | null {
  const wallSeconds = (end.atMs - start.atMs) / 1_000;
  if (wallSeconds <= 0) return null;
  const cores = (from: number | null, to: number | null) => (from === null || to === null ? null : Math.max(0, to - from) / wallSeconds);
  const processCores = (end.processSeconds - start.processSeconds) / wallSeconds;
  const runtime = cores(start.mainThreadSeconds, end.mainThreadSeconds);
  const database = cores(start.databaseThreadSeconds, end.databaseThreadSeconds);
  const backends = backendCores(start, end, wallSeconds);
  const loop = start.databaseLoop !== null && end.databaseLoop !== null ? end.databaseLoop.active - start.databaseLoop.active : null;
  const loopWindowMs = start.databaseLoop !== null && end.databaseLoop !== null ? end.databaseLoop.idle + end.databaseLoop.active - start.databaseLoop.idle - start.databaseLoop.active : 0;
  const databaseCores = database ?? backends;
  const totalCores = processCores + (backends ?? 0);
  return {
    runtimeThreadCores: runtime === null ? null : twoDecimals(runtime),
    databaseThreadCores: database === null ? null : twoDecimals(database),
    otherThreadsCores: twoDecimals(Math.max(0, processCores - (runtime ?? 0) - (database ?? 0))),
    databaseLoopUtilization: loop === null || loopWindowMs <= 0 ? null : twoDecimals(loop / loopWindowMs),
    postgresBackendCores: backends === null ? null : twoDecimals(backends),
    databaseShare: databaseCores === null || totalCores <= 0 ? null : twoDecimals(databaseCores / totalCores),
  };
}

/** Backends present at both ends count; one that came or went in between is left out. */
function backendCores(start: ThreadSample, end: ThreadSample, wallSeconds: number): number | null {
  if (start.backends === null || end.backends === null) return null;
  let seconds = 0;
  for (const [pid, to] of end.backends) {
    const from = start.backends.get(pid);
    if (from !== undefined) seconds += Math.max(0, to - from);
  }
  return seconds / wallSeconds;
}
