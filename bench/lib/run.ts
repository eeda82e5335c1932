/**
 * The frame every benchmark shares: a header naming the machine and commit, warnings (a smoke
 * run, other processes busy on the machine), and a result file that records all of it.
 */
import { performance } from 'node:perf_hooks';
import { cpuBetween, sampleCpu, type CpuSample, type CpuUse } from './cpu.ts';
import { describeRun, loadAverage, runInfo, type RunInfo } from './machine.ts';
import { log, quick } from './options.ts';
import { writeResult } from './results.ts';

/** Cores other processes may use during a measurement before its numbers are flagged. */
export const otherCoresTolerated = 0.2;

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
export function contention(what: string, cpu: CpuUse | null): string | null {
  if (cpu === null || cpu.otherCores <= otherCoresTolerated) return null;
  return `${what}: other processes used ${cpu.otherCores} cores meanwhile; its numbers are low`;
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
