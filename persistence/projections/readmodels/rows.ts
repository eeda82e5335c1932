/**
 * Conversions from SQL rows shared by the read-model readers. Both drivers (postgres.js and
 * PGlite) return bigint columns as text or bigint and jsonb as parsed values or text, so every
 * reader converts through here (Number is safe: money and counts stay below 2^53).
 */

export function numberOrNull(value: unknown): number | null {
  return value === null || value === undefined ? null : Number(value);
}

export function textOrNull(value: unknown): string | null {
  return value === null || value === undefined ? null : String(value);
}

/** A jsonb array column, whichever way the driver hands it over. */
export function jsonArray(value: unknown): unknown[] {
  const parsed: unknown = typeof value === 'string' ? JSON.parse(value) : value;
  if (!Array.isArray(parsed)) throw new Error(`expected a JSON array column, got ${typeof parsed}`);
  return parsed;
}
