/**
 * Who used the CPU while something was measured. This machine has two cores that test runs
 * and other benchmarks share, so every result records how many cores went to this process,
 * to PostgreSQL (which does the work in the postgres cells, but may also serve someone else),
 * and to everything else (which only ever steals from the measurement).
 *
 * Others being busy matters only when the measured threads had to wait for a core, so it also
 * reads how long this process's main thread and PostgreSQL's processes sat runnable on a run queue
 * (/proc/…/schedstat). Some of that wait is the benchmark's own (node and PostgreSQL backends
 * sharing two cores), which is why a measurement counts as disturbed only when both are high.
 *
 * Linux only (it reads /proc); elsewhere the readings are null.
 */
import { readdirSync, readFileSync } from 'node:fs';
import os from 'node:os';
import { performance } from 'node:perf_hooks';

export interface CpuSample {
  readonly atMs: number;
  readonly machineBusySeconds: number;
  readonly machineTotalSeconds: number;
  readonly ownSeconds: number;
  readonly ownWaitSeconds: number;
  /** CPU and run-queue seconds of each live PostgreSQL process, by pid. */
  readonly postgres: ReadonlyMap<number, ProcessTimes>;
}

interface ProcessTimes {
  readonly cpuSeconds: number;
  readonly waitSeconds: number;
}

/** Average cores busy over an interval, split by who used them. */
export interface CpuUse {
  readonly machineCores: number;
  readonly ownCores: number;
  readonly postgresCores: number;
  /** Everything but this process and PostgreSQL: noise in the measurement. */
  readonly otherCores: number;
  /** Seconds per second that this process's main thread was runnable but waited for a core
   *  (0.1 = 100 ms of waiting per second). */
  readonly ownWaitShare: number;
  /** The same for PostgreSQL's processes, summed over them (10 busy backends on 2 cores wait
   *  on each other, so this is high whenever the server is loaded). */
  readonly postgresWaitShare: number;
}

/** Linux's USER_HZ, the unit of /proc CPU times; 100 on every mainstream build. */
const ticksPerSecond = 100;

export function sampleCpu(): CpuSample | null {
  if (os.platform() !== 'linux') return null;
  try {
    const machine = machineSeconds();
    const own = process.cpuUsage();
    return {
      atMs: performance.now(),
      machineBusySeconds: machine.busy,
      machineTotalSeconds: machine.total,
      ownSeconds: (own.user + own.system) / 1e6,
      ownWaitSeconds: ownWaitSeconds(),
      postgres: postgresTimes(),
    };
  } catch {
    return null;
  }
}

export function cpuBetween(start: CpuSample | null, end: CpuSample | null): CpuUse | null {
  if (start === null || end === null) return null;
  const wallSeconds = (end.atMs - start.atMs) / 1_000;
  const totalSeconds = end.machineTotalSeconds - start.machineTotalSeconds;
  if (wallSeconds <= 0 || totalSeconds <= 0) return null;
  const cores = os.cpus().length;
  const machineCores = ((end.machineBusySeconds - start.machineBusySeconds) / totalSeconds) * cores;
  const ownCores = (end.ownSeconds - start.ownSeconds) / wallSeconds;
  // A backend that ended in between is left out (its time lands in "other"); one that started
  // in between counts from zero.
  let postgresSeconds = 0;
  let postgresWaitSeconds = 0;
  for (const [pid, times] of end.postgres) {
    const before = start.postgres.get(pid);
    postgresSeconds += times.cpuSeconds - (before?.cpuSeconds ?? 0);
    postgresWaitSeconds += times.waitSeconds - (before?.waitSeconds ?? 0);
  }
  const postgresCores = postgresSeconds / wallSeconds;
  const twoDecimals = (value: number) => Math.round(value * 100) / 100;
  return {
    machineCores: twoDecimals(machineCores),
    ownCores: twoDecimals(ownCores),
    postgresCores: twoDecimals(postgresCores),
    otherCores: twoDecimals(Math.max(0, machineCores - ownCores - postgresCores)),
    ownWaitShare: share(end.ownWaitSeconds - start.ownWaitSeconds, wallSeconds),
    postgresWaitShare: share(postgresWaitSeconds, wallSeconds),
  };
}

function share(seconds: number, wallSeconds: number): number {
  return Math.round((Math.max(0, seconds) / wallSeconds) * 1_000) / 1_000;
}

/** Measures `task` and reports the CPU use around it. */
export async function withCpu<T>(task: () => Promise<T>): Promise<{ value: T; cpu: CpuUse | null }> {
  const start = sampleCpu();
  const value = await task();
  return { value, cpu: cpuBetween(start, sampleCpu()) };
}

function machineSeconds(): { busy: number; total: number } {
  const line = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0] ?? '';
  // cpu  user nice system idle iowait irq softirq steal guest guest_nice
  const [user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0, steal = 0] = line
    .trim()
    .split(/\s+/)
    .slice(1)
    .map(Number);
  const busy = user + nice + system + irq + softirq + steal;
  return { busy: busy / ticksPerSecond, total: (busy + idle + iowait) / ticksPerSecond };
}

/** The second field of a schedstat file: nanoseconds spent runnable, waiting for a core. */
function waitSecondsOf(schedstatPath: string): number {
  try {
    return Number(readFileSync(schedstatPath, 'utf8').split(' ')[1] ?? 0) / 1e9;
  } catch {
    return 0; // The thread or process ended between the listing and the read.
  }
}

/** The main thread only: it runs the JavaScript and PGlite. V8's helper threads wait on run queues
 *  in short bursts of their own, which would count as contention on an idle machine. */
function ownWaitSeconds(): number {
  return waitSecondsOf(`/proc/${process.pid}/task/${process.pid}/schedstat`);
}

/** CPU and run-queue time of every live process named `postgres` (the server and its backends). */
function postgresTimes(): Map<number, ProcessTimes> {
  const times = new Map<number, ProcessTimes>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
    } catch {
      continue; // The process ended between the listing and the read.
    }
    const commEnd = stat.lastIndexOf(')');
    if (stat.slice(stat.indexOf('(') + 1, commEnd) !== 'postgres') continue;
    // Fields after "(comm)" start at field 3 (state); utime and stime are fields 14 and 15.
    const fields = stat.slice(commEnd + 2).split(' ');
    const ticks = Number(fields[11] ?? 0) + Number(fields[12] ?? 0);
    times.set(Number(entry), { cpuSeconds: ticks / ticksPerSecond, waitSeconds: waitSecondsOf(`/proc/${entry}/schedstat`) });
  }
  return times;
}
