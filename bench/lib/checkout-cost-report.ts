/**
 * The checkout benchmark's second table: what an order costs the database (journal entries,
 * SQL statements and transactions, the mean journal batch) and who used the CPU (the runtime's
 * thread against PGlite's thread or the PostgreSQL backends). bench/lib/checkout-report.ts
 * prints the first (throughput and latency).
 */
import type { CellRecord } from './checkout-records.ts';
import type { CpuSplit } from './thread-cpu.ts';
import { printTable } from './table.ts';

function cores(value: number | null): string {
  return value === null ? '—' : value.toFixed(2);
}

function percent(value: number | null): string {
  return value === null ? '—' : `${Math.round(value * 100)}%`;
}

function database(split: CpuSplit | null): string {
  if (split === null) return '—';
  if (split.databaseThreadCores !== null) return `${cores(split.databaseThreadCores)} (pglite thread, loop ${percent(split.databaseLoopUtilization)})`;
  return split.postgresBackendCores === null ? '—' : `${cores(split.postgresBackendCores)} (pg backends)`;
}

export function printCost(cells: readonly CellRecord[]): void {
  printTable(
    'Cost per order and CPU split (cores: runtime = main thread; database = PGlite thread or PostgreSQL backends)',
    ['target', 'scenario', 'clients', 'entries/order', 'statements/order', 'transactions/order', 'mean batch', 'runtime cores', 'database cores', 'other threads', 'database share', 'load at start'],
    cells.map((cell) => [
      cell.target,
      cell.scenario,
      cell.concurrency,
      cell.journal === null ? '—' : String(cell.journal.entriesPerOrder),
      String(cell.sql.statementsPerOrder),
      String(cell.sql.transactionsPerOrder),
      cell.journal === null ? '—' : String(cell.journal.meanBatch),
      cores(cell.cpuSplit?.runtimeThreadCores ?? null),
      database(cell.cpuSplit),
      cores(cell.cpuSplit?.otherThreadsCores ?? null),
      percent(cell.cpuSplit?.databaseShare ?? null),
      cell.loadAverageAtStart.map((load) => load.toFixed(1)).join(' '),
    ]),
  );
}
