/** Parses durations such as `7d`, `36h`, `15m`, `30s`, `250ms` or a plain number of ms. */
const unitMs: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };

export function parseDurationMs(text: string): number | null {
  const match = /^\s*(\d+)\s*(ms|s|m|h|d)?\s*$/.exec(text);
  if (!match) return null;
  const amount = Number(match[1]);
  const unit = unitMs[match[2] ?? 'ms'];
  if (unit === undefined) return null;
  const totalMs = amount * unit;
  return Number.isSafeInteger(totalMs) ? totalMs : null;
}
