/**
 * The checkout benchmark's cells and what it records of each (bench/checkout.bench.ts).
 */
import type { LoopResult } from './closed-loop.ts';
import { SoldTally } from './closed-loop.ts';
import type { ScenarioName } from './checkout-workload.ts';
import type { CpuUse } from './cpu.ts';
import type { CpuSplit } from './thread-cpu.ts';

export type Target = 'actors-pglite' | 'actors-postgres' | 'sql-baseline';

export interface CellPlan {
  readonly scenario: ScenarioName;
  readonly concurrency: number;
}

export const cellPlans: readonly CellPlan[] = [
  { scenario: 'mixed', concurrency: 8 },
  { scenario: 'mixed', concurrency: 64 },
  { scenario: 'hot-seller', concurrency: 64 },
];

export interface AuditRecord {
  readonly ok: boolean;
  readonly driftMinor: string;
  readonly orders: number;
  readonly ordersAcknowledged: number;
  readonly wallets: number;
  /** Actors only: money still in flight in unfinished sagas after settling (should be "0"). */
  readonly inFlightMinor: string | null;
  readonly problems: readonly string[];
}

export interface CellRecord extends LoopResult {
  readonly target: Target;
  readonly scenario: ScenarioName;
  /** Actors only: time for sagas and projections to finish after the last PAID. */
  readonly settleMs: number | null;
  /** Actors only: journal entries written during the cell (group commit). */
  readonly journal: { readonly entries: number; readonly entriesPerOrder: number; readonly meanBatch: number } | null;
  readonly cpu: CpuUse | null;
  /** SQL sent during the cell (a counting Db around the store): statements include BEGIN/COMMIT. */
  readonly sql: { readonly statements: number; readonly statementsPerOrder: number; readonly transactionsPerOrder: number };
  /** Runtime thread against database (PGlite's thread or this run's PostgreSQL backends). */
  readonly cpuSplit: CpuSplit | null;
  /** 1, 5 and 15-minute load averages as the cell started. */
  readonly loadAverageAtStart: readonly number[];
  /**
   * Orders per second of CPU that this process and PostgreSQL used (cores own + pg). On this
   * shared 2-core machine other processes take a varying share of the cores, so this is the
   * fairer comparison of the two designs' cost; it counts PostgreSQL's work for anyone else too.
   */
  readonly ordersPerCoreSecond: number | null;
  readonly audit: AuditRecord;
}

/** What callers were told, per target, across its cells (warm-up included): the audits' reference. */
export class Acknowledged {
  orders = 0;
  failures = 0;
  readonly sold = new SoldTally();
  count(result: LoopResult): void {
    this.orders += result.orders;
    this.failures += Object.values(result.failures).reduce((sum, count) => sum + count, 0);
  }
}

