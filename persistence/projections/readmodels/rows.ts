/**
 * Conversions from SQL rows shared by the read-model readers. Both drivers (postgres.js and
 * PGlite) return bigint columns as text or bigint and jsonb as parsed values or text, so every
 * reader converts through here (Number is safe: money and counts stay below 2^53). The scalar
 * helpers live with the adapters (row-values.ts) so stores outside the read models share them.
 */
export { numberOrNull, textOrNull, totalOf } from '../../adapters/row-values.ts';

/** A jsonb array column, whichever way the driver hands it over. */
export function jsonArray(value: unknown): unknown[] {
  const parsed: unknown = typeof value === 'string' ? JSON.parse(value) : value;
  if (!Array.isArray(parsed)) throw new Error(`expected a JSON array column, got ${typeof parsed}`);
  return parsed;
}
