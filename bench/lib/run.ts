/**
 * The frame every benchmark shares: a header naming the machine and commit, warnings (a smoke
 * run, other processes busy on the machine), and a result file that records all of it.
 */
import { performance } from 'node:perf_hooks';
import { cpuBetween, sampleCpu, type CpuSample, type CpuUse } from './cpu.ts';
import { describeRun, loadAverage, runInfo, type RunInfo } from './machine.ts';
import { log, quick } from './options.ts';
import { writeResult } from './results.ts';

/** A measurement is flagged as disturbed when other processes used more than this many cores… */
export const otherCoresTolerated = 0.2;
/** …and the benchmark (and PostgreSQL, when it takes part) waited for a core more than this share of the time. */
export const runQueueWaitTolerated = 0.05;

/** How long the measured work waited for a core, per second; PostgreSQL counts only when it takes part. */
export function waitShare(cpu: CpuUse, usesPostgres: boolean): number {
  return cpu.ownWaitShare + (usesPostgres ? cpu.postgresWaitShare : 0);
}

export interface Run {
  readonly name: string;
  readonly info: RunInfo;
  readonly startedAtMs: number;
  readonly cpuAtStart: CpuSample | null;
  readonly warnings: string[];
}

export function startRun(name: string): Run {
  const info = runInfo();
  const warnings: string[] = [];
  if (quick) warnings.push('BENCH_QUICK smoke run: the numbers show the code works, not how fast it is');
  log(`${name} benchmark on ${describeRun(info)}`);
  for (const warning of warnings) log(`warning: ${warning}`);
  return { name, info, startedAtMs: performance.now(), cpuAtStart: sampleCpu(), warnings };
}

/** A warning for one measurement that other processes disturbed, or null when it ran alone. */
export function contention(what: string, cpu: CpuUse | null, usesPostgres = false): string | null {
  if (cpu === null || cpu.otherCores <= otherCoresTolerated) return null;
  const waited = waitShare(cpu, usesPostgres);
  if (waited <= runQueueWaitTolerated) return null;
  const waitedPercent = Math.round(waited * 100);
  return `${what}: other processes used ${cpu.otherCores} cores and the benchmark waited for a core ${waitedPercent}% of the time; its numbers may be low`;
}

/** Writes bench/results/<name>.json: the run's facts first, then the benchmark's own fields. */
export async function finishRun(run: Run, fields: Record<string, unknown>): Promise<void> {
  const totalMs = Math.round(performance.now() - run.startedAtMs);
  const cpu = cpuBetween(run.cpuAtStart, sampleCpu());
  const busy = contention('the whole run', cpu);
  if (busy !== null) run.warnings.push(busy);
  const file = await writeResult(run.name, {
    benchmark: run.name,
    ...run.info,
    loadAverageAtEnd: loadAverage(),
    cpuDuringRun: cpu,
    quick,
    warnings: run.warnings,
    ...fields,
    totalMs,
  });
  for (const warning of run.warnings) process.stdout.write(`\nwarning: ${warning}`);
  process.stdout.write(`\nwrote ${file} (${(totalMs / 1_000).toFixed(0)} s in all)\n`);
}
