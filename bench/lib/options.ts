/**
 * Knobs shared by every benchmark. `BENCH_QUICK=1` shrinks a run to a smoke test (seconds, not
 * minutes): its numbers show that the code works, not how fast it is.
 */
export const quick = process.env['BENCH_QUICK'] === '1' || process.env['BENCH_QUICK'] === 'true';

/** A positive integer from the environment, or `fallback` when the variable is unset. */
export function integerFromEnv(name: string, fallback: number): number {
  const text = process.env[name];
  if (text === undefined || text === '') return fallback;
  const value = Number(text);
  if (!Number.isSafeInteger(value) || value < 1) throw new Error(`${name} must be a positive whole number, got ${JSON.stringify(text)}`);
  return value;
}

export function log(message: string): void {
  process.stderr.write(`${message}\n`);
}
