/**
 * PostgreSQL's own time by statement during a benchmark cell, from pg_stat_statements, when the
 * server has it loaded (`shared_preload_libraries`; it is off by default and on this project's CI
 * machines, so the result then says why there is none). Statement time is wall time inside the
 * server: on a machine whose cores are all busy it includes waiting for a core, so the shares
 * matter more than the milliseconds. This is how the ninth round of issue #13 found plans cached
 * while tables were small (README, "Benchmarks").
 */
import type { Db } from '../../persistence/adapters/db.ts';

export interface StatementTime {
  readonly query: string;
  readonly calls: number;
  readonly totalMs: number;
  readonly meanMs: number;
  readonly rows: number;
  readonly usPerOrder: number;
  readonly sharePercent: number;
}

export type StatementTimes =
  | { readonly available: true; readonly totalMs: number; readonly top: readonly StatementTime[] }
  | { readonly available: false; readonly reason: string };

/** Starts counting this database's statements afresh; null when pg_stat_statements is not loaded. */
export async function startStatementTimes(db: Db): Promise<string | null> {
  try {
    await db.query('CREATE EXTENSION IF NOT EXISTS pg_stat_statements');
    await db.query('SELECT pg_stat_statements_reset(0, (SELECT oid FROM pg_database WHERE datname = current_database()), 0)');
    return null;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}

/** The statements of this database since `startStatementTimes`, the costliest first. */
export async function readStatementTimes(db: Db, startError: string | null, orders: number, top = 12): Promise<StatementTimes> {
  if (startError !== null) return { available: false, reason: `pg_stat_statements: ${startError}` };
  const rows = await db.query<{ query: string; calls: number; total_ms: number; rows: number }>(
    `SELECT left(regexp_replace(query, '\\s+', ' ', 'g'), 160) AS query, calls, total_exec_time AS total_ms, rows
     FROM pg_stat_statements WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database())
       AND query NOT LIKE '%pg_stat_statements%' AND query NOT LIKE '%pg_stat_activity%'
     ORDER BY total_exec_time DESC`,
  );
  const totalMs = rows.reduce((sum, row) => sum + Number(row.total_ms), 0);
  const round = (value: number, digits: number) => Math.round(value * 10 ** digits) / 10 ** digits;
  return {
    available: true,
    totalMs: Math.round(totalMs),
    top: rows.slice(0, top).map((row) => ({
      query: row.query,
      calls: Number(row.calls),
      totalMs: Math.round(Number(row.total_ms)),
      meanMs: round(Number(row.total_ms) / Math.max(1, Number(row.calls)), 3),
      rows: Number(row.rows),
      usPerOrder: Math.round((Number(row.total_ms) * 1_000) / Math.max(1, orders)),
      sharePercent: round((Number(row.total_ms) / Math.max(1e-9, totalMs)) * 100, 1),
    })),
  };
}
