/**
 * Value conversions both SQL adapters share, so postgres.js and PGlite hand back the same
 * JS values (db.ts lists the conventions).
 */

/** PostgreSQL's type oids for the conversions below. */
export const pgOid = { int8: 20, json: 114, jsonb: 3802 } as const;

/**
 * int8 comes back as a JS number. A value beyond 2^53 would silently lose precision as a
 * number, so it fails loudly instead: money and seqs stay far below it, and anything that
 * does not is a bug worth stopping on.
 */
export function parseInt8(raw: string): number {
  const value = Number(raw);
  if (!Number.isSafeInteger(value)) {
    throw new RangeError(`int8 value ${raw} is outside the safe integer range of a JS number`);
  }
  return value;
}

/**
 * Callers pass jsonb parameters as JSON text (db.ts), so text goes through untouched; anything
 * else is encoded, which matches what PGlite does on its own.
 */
export function serializeJson(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}
