/**
 * Who used the CPU while something was measured. This machine has two cores that test runs
 * and other benchmarks share, so every result records how many cores went to this process,
 * to PostgreSQL (which does the work in the postgres cells, but may also serve someone else),
 * and to everything else (which only ever steals from the measurement).
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
  readonly postgresSeconds: number;
}

/** Average cores busy over an interval, split by who used them. */
export interface CpuUse {
  readonly machineCores: number;
  readonly ownCores: number;
  readonly postgresCores: number;
  /** Everything but this process and PostgreSQL: noise in the measurement. */
  readonly otherCores: number;
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
      postgresSeconds: postgresSeconds(),
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
  const postgresCores = (end.postgresSeconds - start.postgresSeconds) / wallSeconds;
  const twoDecimals = (value: number) => Math.round(value * 100) / 100;
  return {
    machineCores: twoDecimals(machineCores),
    ownCores: twoDecimals(ownCores),
    postgresCores: twoDecimals(postgresCores),
    otherCores: twoDecimals(Math.max(0, machineCores - ownCores - postgresCores)),
  };
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

/** CPU time of every live process named `postgres` (the server and its backends). */
function postgresSeconds(): number {
  let ticks = 0;
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
    ticks += Number(fields[11] ?? 0) + Number(fields[12] ?? 0);
  }
  return ticks / ticksPerSecond;
}
