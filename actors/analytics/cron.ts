/**
 * Five-field cron expressions (minute hour day-of-month month day-of-week), read in UTC, for
 * the daily analytics job (ANALYTICS_CRON). Each field takes `*`, numbers, lists (`1,15`),
 * ranges (`1-5`) and steps (`*\/15`, `0-30/10`, `5/20`). Day-of-week runs 0-7, where both 0 and
 * 7 are Sunday. As in Vixie cron, when both day fields are restricted a day matches if EITHER
 * does (`0 0 1 * 1` is "the 1st and every Monday").
 *
 * Pure: no clock, no I/O. `nextAfter` walks whole days first and minutes only within a matching
 * day, so even a yearly expression costs a few hundred steps.
 */

export interface CronSchedule {
  readonly source: string;
  readonly minutes: ReadonlySet<number>;
  readonly hours: ReadonlySet<number>;
  readonly daysOfMonth: ReadonlySet<number>;
  readonly months: ReadonlySet<number>;
  /** 0 (Sunday) to 6; a 7 in the expression is stored as 0. */
  readonly daysOfWeek: ReadonlySet<number>;
  readonly dayOfMonthRestricted: boolean;
  readonly dayOfWeekRestricted: boolean;
}

export type CronParse = { readonly ok: true; readonly schedule: CronSchedule } | { readonly ok: false; readonly message: string };

const dayMs = 86_400_000;
const minuteMs = 60_000;
/**
 * Days `nextAfter` looks ahead before it gives up. Eight years cover any real schedule (the
 * rarest, Feb 29, comes at least every 8 years); an expression that matches no day at all
 * (`0 0 31 2 *`) costs this many cheap steps once, at parse time, and is refused there.
 */
const searchDaysMax = 366 * 8 + 2;

interface FieldSpec {
  readonly name: string;
  readonly min: number;
  readonly max: number;
}

const fieldSpecs: readonly FieldSpec[] = [
  { name: 'minute', min: 0, max: 59 },
  { name: 'hour', min: 0, max: 23 },
  { name: 'day of month', min: 1, max: 31 },
  { name: 'month', min: 1, max: 12 },
  { name: 'day of week', min: 0, max: 7 },
];

function parseNumber(text: string, spec: FieldSpec): number {
  if (!/^\d{1,2}$/.test(text)) throw new Error(`${spec.name}: "${text}" is not a number`);
  const value = Number(text);
  if (value < spec.min || value > spec.max) throw new Error(`${spec.name}: ${value} is outside ${spec.min}-${spec.max}`);
  return value;
}

/** One comma-separated part: `*`, `n`, `a-b`, each optionally with `/step`. */
function expandPart(part: string, spec: FieldSpec, into: Set<number>): void {
  const [range, stepText, extra] = part.split('/');
  if (range === undefined || range === '' || extra !== undefined) throw new Error(`${spec.name}: "${part}" is malformed`);
  const step = stepText === undefined ? 1 : parseNumber(stepText, { ...spec, min: 1, max: spec.max - spec.min + 1 });
  let from: number;
  let to: number;
  if (range === '*') {
    from = spec.min;
    to = spec.max;
  } else if (range.includes('-')) {
    const [low, high, more] = range.split('-');
    if (low === undefined || high === undefined || more !== undefined) throw new Error(`${spec.name}: "${range}" is malformed`);
    from = parseNumber(low, spec);
    to = parseNumber(high, spec);
    if (from > to) throw new Error(`${spec.name}: the range ${range} runs backwards`);
  } else {
    from = parseNumber(range, spec);
    // `5/20` means "from 5 on, every 20", as in Vixie cron; a bare number is just itself.
    to = stepText === undefined ? from : spec.max;
  }
  for (let value = from; value <= to; value += step) into.add(value);
}

function parseField(text: string, spec: FieldSpec): Set<number> {
  const values = new Set<number>();
  for (const part of text.split(',')) expandPart(part, spec, values);
  return values;
}

export function parseCron(expression: string): CronParse {
  const fields = expression.trim().split(/\s+/);
  if (fields.length !== 5) return { ok: false, message: `a cron expression has 5 fields (minute hour day month weekday); got ${fields.length}` };
  try {
    const sets = fields.map((field, index) => parseField(field, fieldSpecs[index] as FieldSpec));
    const [minutes, hours, daysOfMonth, months, rawDaysOfWeek] = sets as [Set<number>, Set<number>, Set<number>, Set<number>, Set<number>];
    const daysOfWeek = new Set([...rawDaysOfWeek].map((day) => day % 7));
    const schedule: CronSchedule = {
      source: expression.trim(),
      minutes,
      hours,
      daysOfMonth,
      months,
      daysOfWeek,
      dayOfMonthRestricted: !fields[2]?.startsWith('*'),
      dayOfWeekRestricted: !fields[4]?.startsWith('*'),
    };
    if (nextAfter(schedule, 0) === null) return { ok: false, message: `"${expression}" never matches a real date` };
    return { ok: true, schedule };
  } catch (error) {
    return { ok: false, message: (error as Error).message };
  }
}

/** Parses or throws; for expressions already validated (the config checks ANALYTICS_CRON). */
export function cronSchedule(expression: string): CronSchedule {
  const parsed = parseCron(expression);
  if (!parsed.ok) throw new Error(`invalid cron expression: ${parsed.message}`);
  return parsed.schedule;
}

function dayMatches(schedule: CronSchedule, date: Date): boolean {
  if (!schedule.months.has(date.getUTCMonth() + 1)) return false;
  const byMonthDay = schedule.daysOfMonth.has(date.getUTCDate());
  const byWeekDay = schedule.daysOfWeek.has(date.getUTCDay());
  if (schedule.dayOfMonthRestricted && schedule.dayOfWeekRestricted) return byMonthDay || byWeekDay;
  return byMonthDay && byWeekDay;
}

/** The first minute of `dayStartMs`'s day at or after `earliestMs` that matches, or null. */
function firstTimeInDay(schedule: CronSchedule, dayStartMs: number, earliestMs: number): number | null {
  const hours = [...schedule.hours].sort((a, b) => a - b);
  const minutes = [...schedule.minutes].sort((a, b) => a - b);
  for (const hour of hours) {
    for (const minute of minutes) {
      const at = dayStartMs + hour * 3_600_000 + minute * minuteMs;
      if (at >= earliestMs) return at;
    }
  }
  return null;
}

/**
 * The first time strictly after `epochMs` (on a whole minute, UTC) that the schedule matches;
 * null when none falls within the next eight years. Accepts a parsed schedule or an expression.
 */
export function nextAfter(expression: CronSchedule | string, epochMs: number): number | null {
  const schedule = typeof expression === 'string' ? cronSchedule(expression) : expression;
  const earliestMs = Math.floor(epochMs / minuteMs) * minuteMs + minuteMs;
  let dayStartMs = Math.floor(earliestMs / dayMs) * dayMs;
  for (let day = 0; day < searchDaysMax; day += 1, dayStartMs += dayMs) {
    if (!dayMatches(schedule, new Date(dayStartMs))) continue;
    const at = firstTimeInDay(schedule, dayStartMs, earliestMs);
    if (at !== null) return at;
  }
  return null;
}
