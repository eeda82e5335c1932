import { describe, expect, it, vi } from 'vitest';
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
    ['every night', '5 fields'],
    ['60 0 * * *', 'minute "60": outside 0-59'],
    ['0 24 * * *', 'hour "24": outside 0-23'],
    ['0 0 0 * *', 'day of month "0": outside 1-31'],
    ['0 0 * 13 *', 'month "13": outside 1-12'],
    ['0 0 * * 8', 'day of week "8": outside 0-7'],
    ['0 0 5-1 * *', 'day of month "5-1"'],
    ['*/0 * * * *', 'minute "*/0"'],
    ['a * * * *', 'minute "a"'],
    ['1,,2 * * * *', 'minute "1,,2"'],
    ['1/2/3 * * * *', 'minute "1/2/3"'],
    ['0 0 31 2 *', 'never matches'],
    ['0 0 30 2 *', 'never matches'],
  ])('refuses %j (%s)', (expression, message) => {
    const parsed = parseCron(expression);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.message).toContain(message);
  });

  it('accepts the default, keeps the trimmed source, and schedules what it parsed', () => {
    const parsed = parseCron(' 0 0 * * * ');
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    expect(parsed.schedule.source).toBe('0 0 * * *');
    const from = at('2026-05-05T13:14:00Z');
    expect(iso(parsed.schedule.nextAfter(from))).toBe('2026-05-06T00:00:00.000Z');
    expect(nextAfter(parsed.schedule, from)).toBe(nextAfter('0 0 * * *', from));
  });

  it('accepts month and weekday names', () => {
    expect(iso(nextAfter('0 9 * JUL MON', at('2026-01-01T00:00:00Z')))).toBe('2026-07-06T09:00:00.000Z');
  });

  it('refuses to schedule an invalid expression given as text', () => {
    expect(() => nextAfter('61 * * * *', 0)).toThrow(/invalid cron expression: minute "61"/);
  });
});

describe('nextAfter is pure', () => {
  it('answers from its arguments alone, whatever the wall clock says', () => {
    vi.useFakeTimers({ now: at('2031-06-01T00:00:00Z') });
    try {
      expect(iso(nextAfter('0 0 1 * *', at('2026-01-15T00:00:00Z')))).toBe('2026-02-01T00:00:00.000Z');
      expect(vi.getTimerCount()).toBe(0);
    } finally {
      vi.useRealTimers();
    }
  });
});
