import { describe, expect, it } from 'vitest';
import { centsToInput, formatCents, formatSignedCents, parseCents } from './money.ts';

describe('formatCents', () => {
  it('formats whole cents with thousands separators and two decimals', () => {
    expect(formatCents(0)).toBe('$0.00');
    expect(formatCents(5)).toBe('$0.05');
    expect(formatCents(79_900)).toBe('$799.00');
    expect(formatCents(123_456)).toBe('$1,234.56');
    expect(formatCents(100_000_000)).toBe('$1,000,000.00');
  });

  it('keeps amounts past 2^53 exact when given as text (audit totals)', () => {
    expect(formatCents('900719925474099312')).toBe('$9,007,199,254,740,993.12');
    expect(formatCents(-205n)).toBe('−$2.05');
  });

  it('refuses fractional cents instead of rounding them', () => {
    expect(() => formatCents(1.5)).toThrow(RangeError);
    expect(() => formatCents('12.5')).toThrow(RangeError);
  });

  it('signs ledger amounts by direction', () => {
    expect(formatSignedCents(1_000, 'CREDIT')).toBe('+$10.00');
    expect(formatSignedCents(1_000, 'DEBIT')).toBe('−$10.00');
  });
});

describe('parseCents', () => {
  it.each([
    ['12.34', 1_234],
    ['12', 1_200],
    ['12.5', 1_250],
    ['12.', 1_200],
    ['.5', 50],
    ['0.07', 7],
    ['$1,234.56', 123_456],
    [' 0.10 ', 10],
  ])('reads %s as %i cents', (text, cents) => {
    expect(parseCents(text)).toEqual({ ok: true, cents });
  });

  it('does the arithmetic on digits, so 0.1 + 0.2 style drift cannot happen', () => {
    expect(parseCents('0.29')).toEqual({ ok: true, cents: 29 });
    expect(parseCents('1.13')).toEqual({ ok: true, cents: 113 });
    expect(parseCents('4.35')).toEqual({ ok: true, cents: 435 });
  });

  it.each(['1.005', '0.001'])('refuses %s: more than two decimals', (text) => {
    expect(parseCents(text)).toEqual({ ok: false, reason: 'Use at most two decimals (cents).' });
  });

  it.each(['', 'abc', '-5', '1e3', '12.3.4', '1,2.3.4'])('refuses %j', (text) => {
    expect(parseCents(text).ok).toBe(false);
  });

  it('refuses more than the gateway moves at once', () => {
    expect(parseCents('1000000.01').ok).toBe(false);
    expect(parseCents('1000000')).toEqual({ ok: true, cents: 100_000_000 });
  });

  it('round-trips with centsToInput', () => {
    for (const cents of [1, 99, 100, 4_999, 123_456]) expect(parseCents(centsToInput(cents))).toEqual({ ok: true, cents });
  });
});
