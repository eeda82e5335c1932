/**
 * The checkout benchmark's report: the table of cells and the actors ÷ SQL baseline ratios.
 */
import type { ScenarioName } from './checkout-workload.ts';
import { cellPlans, type CellPlan, type CellRecord, type Target } from './checkout-records.ts';
import type { CpuUse } from './cpu.ts';
import { waitShare } from './run.ts';
import { round } from './stats.ts';
import { printTable } from './table.ts';

export interface Ratio {
  readonly scenario: ScenarioName;
  readonly concurrency: number;
  readonly actors: Target;
  /** actors ÷ baseline: below 1 means the actor system did fewer orders per second. */
  readonly ordersPerSec: number;
  /** actors ÷ baseline: above 1 means the actor system's checkouts took longer. */
  readonly p50: number;
  readonly p99: number;
  /** actors ÷ baseline orders per CPU-second (null without CPU readings). */
  readonly ordersPerCoreSecond: number | null;
}

export function ratios(cells: readonly CellRecord[]): Ratio[] {
  const find = (target: Target, plan: CellPlan) =>
    cells.find((cell) => cell.target === target && cell.scenario === plan.scenario && cell.concurrency === plan.concurrency);
  return cellPlans.flatMap((plan) => {
    const baseline = find('sql-baseline', plan);
    if (baseline === undefined) return [];
    return (['actors-postgres', 'actors-pglite'] as const).flatMap((target): Ratio[] => {
      const actors = find(target, plan);
      if (actors === undefined) return [];
      return [
        {
          scenario: plan.scenario,
          concurrency: plan.concurrency,
          actors: target,
          ordersPerSec: round(actors.ordersPerSec / baseline.ordersPerSec),
          p50: round(actors.latencyMs.p50 / baseline.latencyMs.p50),
          p99: round(actors.latencyMs.p99 / baseline.latencyMs.p99),
          ordersPerCoreSecond:
            actors.ordersPerCoreSecond === null || baseline.ordersPerCoreSecond === null ? null : round(actors.ordersPerCoreSecond / baseline.ordersPerCoreSecond),
        },
      ];
    });
  });
}

function formatCpu(cpu: CpuUse | null): string {
  return cpu === null ? '—' : `${cpu.ownCores.toFixed(2)}/${cpu.postgresCores.toFixed(2)}/${cpu.otherCores.toFixed(2)}`;
}

export function printResults(cells: readonly CellRecord[], ratioRows: readonly Ratio[], cellMs: number): void {
  printTable(
    `Checkout, closed loop (${cellMs} ms per cell; latency = start → every order PAID)`,
    ['target', 'scenario', 'clients', 'checkouts', 'orders', 'orders/s', 'p50 ms', 'p99 ms', 'failed', 'retries', 'entries/order', 'settle ms', 'cores own/pg/other', 'orders/core-s', 'waited %', 'audit'],
    cells.map((cell) => [
      cell.target,
      cell.scenario,
      cell.concurrency,
      cell.checkouts,
      cell.orders,
      cell.ordersPerSec,
      cell.latencyMs.p50,
      cell.latencyMs.p99,
      Object.values(cell.failures).reduce((sum, count) => sum + count, 0),
      cell.retries,
      cell.journal === null ? '—' : String(cell.journal.entriesPerOrder),
      cell.settleMs === null ? '—' : String(cell.settleMs),
      formatCpu(cell.cpu),
      cell.ordersPerCoreSecond === null ? '—' : String(cell.ordersPerCoreSecond),
      cell.cpu === null ? '—' : String(Math.round(waitShare(cell.cpu, cell.target !== 'actors-pglite') * 100)),
      cell.audit.ok ? `ok (drift ${cell.audit.driftMinor})` : `NOT CLEAN (drift ${cell.audit.driftMinor})`,
    ]),
  );
  if (ratioRows.length === 0) return;
  printTable(
    'Actors ÷ SQL baseline (orders/s below 1: actors slower; latency above 1: actors slower)',
    ['actors', 'scenario', 'clients', 'orders/s ratio', 'p50 ratio', 'p99 ratio', 'orders/core-s ratio'],
    ratioRows.map((ratio) => [ratio.actors, ratio.scenario, ratio.concurrency, ratio.ordersPerSec, ratio.p50, ratio.p99, ratio.ordersPerCoreSecond ?? '—']),
  );
}

