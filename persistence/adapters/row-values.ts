/**
 * Reading values out of SQL rows, shared by every hand-written query (adapters and read models
 * alike). Both drivers return int8 as numbers and jsonb parsed (db.ts), but nullable columns and
 * aggregates (count, sum) still need one careful conversion each, written once here.
 */
import type { Row } from './db.ts';

export function numberOrNull(value: unknown): number | null {
  return value === null || value === undefined ? null : Number(value);
}

export function textOrNull(value: unknown): string | null {
  return value === null || value === undefined ? null : String(value);
}

/** The `total` of a `SELECT count(*) AS total` (zero for no row). */
export function totalOf(rows: readonly Row[]): number {
  return Number(rows[0]?.['total'] ?? 0);
}
