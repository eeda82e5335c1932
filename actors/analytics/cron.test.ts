import { describe, expect, it } from 'vitest';
import { nextAfter, parseCron } from './cron.ts';

const at = (iso: string) => Date.parse(iso);
const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

describe('nextAfter', () => {
  it('runs a daily midnight job at the next UTC midnight, strictly after now', () => {
    expect(iso(nextAfter('0 0 * * *', at('2026-01-01T00:00:00Z')))).toBe('2026-01-02T00:00:00.000Z');
    expect(iso(nextAfter('0 0 * * *', at('2026-01-01T23:59:59.999Z')))).toBe('2026-01-02T00:00:00.000Z');
    expect(iso(nextAfter('0 0 * * *', at('2025-12-31T12:00:00Z')))).toBe('2026-01-01T00:00:00.000Z');
  });

  it('handles steps, lists and ranges in the time fields', () => {
    expect(iso(nextAfter('*/15 * * * *', at('2026-03-04T10:07:00Z')))).toBe('2026-03-04T10:15:00.000Z');
    expect(iso(nextAfter('5/20 * * * *', at('2026-03-04T10:46:00Z')))).toBe('2026-03-04T11:05:00.000Z');
    expect(iso(nextAfter('0,30 9-17/4 * * *', at('2026-03-04T13:30:00Z')))).toBe('2026-03-04T17:00:00.000Z');
    expect(iso(nextAfter('0,30 9-17/4 * * *', at('2026-03-04T17:30:00Z')))).toBe('2026-03-05T09:00:00.000Z');
  });

  it('walks months and leap days', () => {
    expect(iso(nextAfter('0 0 1 * *', at('2026-01-31T05:00:00Z')))).toBe('2026-02-01T00:00:00.000Z');
    expect(iso(nextAfter('30 6 29 2 *', at('2026-03-01T00:00:00Z')))).toBe('2028-02-29T06:30:00.000Z');
    expect(iso(nextAfter('0 0 1 1,7 *', at('2026-01-01T00:00:00Z')))).toBe('2026-07-01T00:00:00.000Z');
  });

  it('reads day of week 0 and 7 as Sunday, and ORs the two day fields when both are set', () => {
    // 2026-01-01 is a Thursday; the next Sunday is the 4th, the next Monday the 5th.
    expect(iso(nextAfter('0 0 * * 0', at('2026-01-01T00:00:00Z')))).toBe('2026-01-04T00:00:00.000Z');
    expect(iso(nextAfter('0 0 * * 7', at('2026-01-01T00:00:00Z')))).toBe('2026-01-04T00:00:00.000Z');
    expect(iso(nextAfter('0 12 * * 1-5', at('2026-01-02T12:00:00Z')))).toBe('2026-01-05T12:00:00.000Z');
    expect(iso(nextAfter('0 0 10 * 1', at('2026-01-01T00:00:00Z')))).toBe('2026-01-05T00:00:00.000Z');
    expect(iso(nextAfter('0 0 3 * 1', at('2026-01-01T00:00:00Z')))).toBe('2026-01-03T00:00:00.000Z');
  });
});

describe('parseCron', () => {
  it.each([
    ['0 0 * *', '5 fields'],
    ['0 0 * * * *', '5 fields'],
    ['60 0 * * *', 'minute: 60 is outside 0-59'],
    ['0 24 * * *', 'hour: 24 is outside 0-23'],
    ['0 0 0 * *', 'day of month: 0 is outside 1-31'],
    ['0 0 * 13 *', 'month: 13 is outside 1-12'],
    ['0 0 * * 8', 'day of week: 8 is outside 0-7'],
    ['0 0 5-1 * *', 'runs backwards'],
    ['*/0 * * * *', 'minute: 0 is outside 1-60'],
    ['a * * * *', 'is not a number'],
    ['1,,2 * * * *', 'malformed'],
    ['1/2/3 * * * *', 'malformed'],
    ['0 0 31 2 *', 'never matches'],
  ])('refuses %j (%s)', (expression, message) => {
    const parsed = parseCron(expression);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.message).toContain(message);
  });

  it('accepts the default and expands its fields', () => {
    const parsed = parseCron(' 0 0 * * * ');
    expect(parsed.ok).toBe(true);
    if (parsed.ok) {
      expect(parsed.schedule.minutes).toEqual(new Set([0]));
      expect(parsed.schedule.hours).toEqual(new Set([0]));
      expect(parsed.schedule.daysOfMonth.size).toBe(31);
    }
  });
});
