/**
 * Five-field cron expressions (minute hour day-of-month month day-of-week), read in UTC, for
 * the daily analytics job (ANALYTICS_CRON). This is our port; croner does the parsing and the
 * date arithmetic behind it. What the port promises:
 * - exactly five fields: `*`, numbers, lists (`1,15`), ranges (`1-5`), steps (`*\/15`, `0-30/10`,
 *   and Vixie cron's `5/20`, "from 5 on, every 20"), plus croner's names (`MON`, `JAN`) and its
 *   `L`, `W` and `#` day forms;
 * - day of week 0-7, where both 0 and 7 are Sunday, and, as in Vixie cron, when both day fields are
 *   restricted a day matches if EITHER does (`0 0 1 * 1` is "the 1st and every Monday");
 * - an expression that never falls on a real date (`0 0 31 2 *`) is refused when it is parsed.
 *
 * Pure: no clock, no timers, no I/O. A croner job built without a function never schedules
 * anything, and its `nextRun(previous)` reads only `previous` (the wall clock is consulted only
 * when no previous time, `startAt`, `interval` or one-off date is given; we never give them).
 */
import { Cron, type CronOptions } from 'croner';

const fields = [
  { name: 'minute', range: '0-59' },
  { name: 'hour', range: '0-23' },
  { name: 'day of month', range: '1-31' },
  { name: 'month', range: '1-12' },
  { name: 'day of week', range: '0-7' },
] as const;

/** UTC as a plain offset (no time-zone database); `5/20` kept as Vixie cron reads it. */
const cronOptions: CronOptions = { mode: '5-part', utcOffset: 0, sloppyRanges: true, domAndDow: false };

/** A parsed expression; `source` is the expression as written, trimmed. */
export class CronSchedule {
  /** @internal Built by parseCron only, so a schedule is always a valid one. */
  constructor(
    readonly source: string,
    private readonly pattern: Cron,
  ) {}

  /** The first whole UTC minute strictly after `epochMs` that matches, or null when none ever does. */
  nextAfter(epochMs: number): number | null {
    return this.pattern.nextRun(new Date(epochMs))?.getTime() ?? null;
  }
}

export type CronParse = { readonly ok: true; readonly schedule: CronSchedule } | { readonly ok: false; readonly message: string };

function croner(expression: string): Cron {
  return new Cron(expression, cronOptions);
}

function messageOf(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).replace(/^CronPattern:\s*/, '');
}

/**
 * Croner reports an out-of-range value by its internal index, which reads off by one for days and
 * months ("day: -1" for a 0). So the broken field is found by trying each one alone, quoted as
 * written, and an out-of-range value is told with the range the user writes in.
 */
function fieldError(written: readonly string[], error: unknown): string {
  for (const [index, field] of written.entries()) {
    const probe = written.map((other, otherIndex) => (otherIndex === index ? other : '*')).join(' ');
    try {
      croner(probe);
    } catch (fieldFailure) {
      const spec = fields[index];
      const message = messageOf(fieldFailure);
      if (spec === undefined) return message;
      const reason = /^Invalid value for \w+: -?\d+$/.test(message) ? `outside ${spec.range}` : message;
      return `${spec.name} "${field}": ${reason}`;
    }
  }
  return messageOf(error);
}

export function parseCron(expression: string): CronParse {
  const source = expression.trim();
  const written = source.split(/\s+/);
  if (written.length !== 5) return { ok: false, message: `a cron expression has 5 fields (minute hour day month weekday); got ${written.length}` };
  let pattern: Cron;
  try {
    pattern = croner(written.join(' '));
  } catch (error) {
    return { ok: false, message: fieldError(written, error) };
  }
  const schedule = new CronSchedule(source, pattern);
  if (schedule.nextAfter(0) === null) return { ok: false, message: `"${source}" never matches a real date` };
  return { ok: true, schedule };
}

/** Parses or throws; for expressions already validated (the config checks ANALYTICS_CRON). */
export function cronSchedule(expression: string): CronSchedule {
  const parsed = parseCron(expression);
  if (!parsed.ok) throw new Error(`invalid cron expression: ${parsed.message}`);
  return parsed.schedule;
}

/**
 * The first time strictly after `epochMs` (on a whole minute, UTC) that the schedule matches, or
 * null when there is none. Accepts a parsed schedule or an expression.
 */
export function nextAfter(expression: CronSchedule | string, epochMs: number): number | null {
  const schedule = typeof expression === 'string' ? cronSchedule(expression) : expression;
  return schedule.nextAfter(epochMs);
}
