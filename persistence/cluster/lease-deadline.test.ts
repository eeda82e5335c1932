import { describe, expect, it } from 'vitest';
import { mayServe, servingDeadlineMs } from './lease-deadline.ts';

describe('serving deadline', () => {
  it('ends one TTL after the renewal was sent, however late its answer came', () => {
    const sentAtMs = 1_000.5;
    const deadline = servingDeadlineMs(sentAtMs, 10_000);
    expect(deadline).toBe(11_000.5);
    // The answer arrived 4 s after sending: the node still stops at sent + TTL.
    expect(mayServe(sentAtMs + 4_000, deadline)).toBe(true);
    expect(mayServe(11_000.4, deadline)).toBe(true);
    expect(mayServe(11_000.5, deadline)).toBe(false);
  });

  it('refuses a TTL that is not a positive integer of ms, and a time that is not a number', () => {
    expect(() => servingDeadlineMs(0, 0)).toThrow(RangeError);
    expect(() => servingDeadlineMs(0, 1.5)).toThrow(RangeError);
    expect(() => servingDeadlineMs(Number.NaN, 1_000)).toThrow(RangeError);
  });
});
