/**
 * One load step's numbers, merged over the generators: offered rate, achieved throughput, latency
 * percentiles from the scheduled start, errors by code, dropped and late arrivals, and the
 * server's CPU use; for the live scenario also notification latency and loss. Plus the table and
 * the chart series built from them.
 */
import { distributionOf, round } from '../lib/stats.ts';
import { printTable } from '../lib/table.ts';
import type { StepRecord } from './arrivals.ts';
import type { LoadChart, Series } from './chart.ts';
import type { ScenarioPlan } from './plans.ts';
import type { StepExtra } from './scenarios/scenario.ts';
import type { ServerUsage } from './server-process.ts';
import type { CpuUse } from '../lib/cpu.ts';

export interface Percentiles {
  readonly p50: number | null;
  readonly p95: number | null;
  readonly p99: number | null;
  readonly max: number | null;
}

export interface StepSummary {
  readonly offeredPerSec: number;
  readonly durationMs: number;
  readonly scheduled: number;
  readonly started: number;
  readonly succeeded: number;
  /** Successful arrivals per second over the step (from its first slot to its last answer). */
  readonly achievedPerSec: number;
  readonly latencyMs: Percentiles;
  readonly errors: number;
  readonly errorsByCode: Readonly<Record<string, number>>;
  readonly dropped: number;
  readonly late: number;
  /** Cores the server process used during the step (CPU time / wall time). */
  readonly serverCores: number;
  /** Share of the step the server's main thread was runnable but waited for a core. */
  readonly serverWaitShare: number | null;
  /** Cores the generator processes used. */
  readonly generatorCores: number;
  /** Cores everything else on the machine used (other benchmarks, tests): noise in the step. */
  readonly otherCores: number | null;
  readonly serverRssMb: number;
  /**
   * Live: latencies of the notifications that came during the step and its grace (late ones of
   * an earlier step included); `late` had not come when the grace ended (loss is judged at the end).
   */
  readonly notifications: { readonly latencyMs: Percentiles; readonly received: number; readonly late: number; readonly seqGaps: number } | null;
}

function percentiles(samples: readonly number[]): Percentiles {
  if (samples.length === 0) return { p50: null, p95: null, p99: null, max: null };
  const distribution = distributionOf(samples);
  return { p50: round(distribution.percentile(0.5)), p95: round(distribution.percentile(0.95)), p99: round(distribution.percentile(0.99)), max: round(distribution.max) };
}

export interface StepInput {
  readonly plan: ScenarioPlan;
  readonly offeredPerSec: number;
  readonly records: readonly StepRecord[];
  readonly extras: readonly StepExtra[];
  readonly usageBefore: ServerUsage;
  readonly usageAfter: ServerUsage;
  readonly wallMs: number;
  readonly generatorCpuMs: number;
  /** The machine's and this coordinator's CPU over the step (bench/lib/cpu.ts); null off Linux. */
  readonly machine: CpuUse | null;
}

/** A step counts as disturbed when others used this many cores… */
const otherCoresTolerated = 0.2;
/** …and the server waited for a core more than this share of the step. */
const serverWaitTolerated = 0.05;

/** Why a step's numbers may be low because of other work on the machine, or null. */
export function disturbance(step: StepSummary): string | null {
  if (step.otherCores === null || step.serverWaitShare === null) return null;
  if (step.otherCores <= otherCoresTolerated || step.serverWaitShare <= serverWaitTolerated) return null;
  return `${step.offeredPerSec}/s step: other processes used ${step.otherCores} cores and the server waited for a core ${Math.round(step.serverWaitShare * 100)}% of the time; its numbers may be low`;
}

export function summarizeStep(input: StepInput): StepSummary {
  const { records, extras } = input;
  const sum = (pick: (record: StepRecord) => number) => records.reduce((total, record) => total + pick(record), 0);
  const latencies = records.flatMap((record) => record.latenciesMs);
  const errorsByCode: Record<string, number> = {};
  for (const record of records) for (const [code, count] of Object.entries(record.errors)) errorsByCode[code] = (errorsByCode[code] ?? 0) + count;
  const elapsedMs = Math.max(...records.map((record) => record.elapsedMs));
  const notificationLatencies = extras.flatMap((extra) => extra.notificationLatenciesMs);
  const late = extras.reduce((total, extra) => total + extra.lostNotifications, 0);
  const seqGaps = extras.reduce((total, extra) => total + extra.seqGaps, 0);
  const serverCores = (input.usageAfter.cpuMs - input.usageBefore.cpuMs) / input.wallMs;
  const generatorCores = input.generatorCpuMs / input.wallMs;
  const { machine } = input;
  const waitBefore = input.usageBefore.runQueueWaitMs;
  const waitAfter = input.usageAfter.runQueueWaitMs;
  return {
    offeredPerSec: input.offeredPerSec,
    durationMs: input.plan.stepMs,
    scheduled: sum((record) => record.scheduled),
    started: sum((record) => record.started),
    succeeded: latencies.length,
    achievedPerSec: round(latencies.length / (elapsedMs / 1_000)),
    latencyMs: percentiles(latencies),
    errors: Object.values(errorsByCode).reduce((total, count) => total + count, 0),
    errorsByCode,
    dropped: sum((record) => record.dropped),
    late: sum((record) => record.late),
    serverCores: round(serverCores, 2),
    serverWaitShare: waitBefore === null || waitAfter === null ? null : round((waitAfter - waitBefore) / input.wallMs, 2),
    generatorCores: round(generatorCores, 2),
    otherCores: machine === null ? null : round(Math.max(0, machine.machineCores - machine.ownCores - serverCores - generatorCores), 2),
    serverRssMb: Math.round(input.usageAfter.rssBytes / 2 ** 20),
    notifications: input.plan.scenario === 'live' ? { latencyMs: percentiles(notificationLatencies), received: notificationLatencies.length, late, seqGaps } : null,
  };
}

const dash = (value: number | null) => (value === null ? '—' : value);

export function printSteps(plan: ScenarioPlan, steps: readonly StepSummary[]): void {
  const live = plan.scenario === 'live';
  const headers = ['offered/s', 'achieved/s', 'p50 ms', 'p95 ms', 'p99 ms', 'errors', 'dropped', 'late', 'server cores', 'server waited %', 'others cores', ...(live ? ['notify p50', 'notify p95', 'notify p99', 'notify late', 'seq gaps'] : [])];
  printTable(
    `load-${plan.scenario}: ${plan.description}; ${plan.stepMs / 1_000} s per step, ${plan.generators} generator(s), latency from the scheduled start`,
    headers,
    steps.map((step) => [
      step.offeredPerSec,
      step.achievedPerSec,
      dash(step.latencyMs.p50),
      dash(step.latencyMs.p95),
      dash(step.latencyMs.p99),
      step.errors,
      step.dropped,
      step.late,
      step.serverCores,
      step.serverWaitShare === null ? '—' : Math.round(step.serverWaitShare * 100),
      dash(step.otherCores),
      ...(step.notifications === null
        ? []
        : [dash(step.notifications.latencyMs.p50), dash(step.notifications.latencyMs.p95), dash(step.notifications.latencyMs.p99), step.notifications.late, step.notifications.seqGaps]),
    ]),
  );
  const failures = steps.filter((step) => step.errors > 0).map((step) => `${step.offeredPerSec}/s: ${JSON.stringify(step.errorsByCode)}`);
  if (failures.length > 0) process.stdout.write(`errors by code: ${failures.join('; ')}\n`);
}

export function chartOf(plan: ScenarioPlan, steps: readonly StepSummary[], title: string): LoadChart {
  const series = (name: string, values: (number | null)[], color: string, dashed = false): Series => ({ name, values, color, dashed });
  const latencies: Series[] = [
    series('p50', steps.map((step) => step.latencyMs.p50), '#2ca02c'),
    series('p95', steps.map((step) => step.latencyMs.p95), '#ff7f0e'),
    series('p99', steps.map((step) => step.latencyMs.p99), '#d62728'),
  ];
  if (plan.scenario === 'live') {
    latencies.push(
      series('notify p50', steps.map((step) => step.notifications?.latencyMs.p50 ?? null), '#2ca02c', true),
      series('notify p99', steps.map((step) => step.notifications?.latencyMs.p99 ?? null), '#d62728', true),
    );
  }
  return { title, unit: plan.unit, offered: steps.map((step) => step.offeredPerSec), achieved: steps.map((step) => step.achievedPerSec), latencies };
}
