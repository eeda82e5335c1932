import { describe, expect, it } from 'vitest';
import { orderNumber } from './order-number.ts';

describe('orderNumber', () => {
  it('is 8 upper-case hex digits and stable for one id', () => {
    expect(orderNumber('buyer-1_checkout-1-1')).toMatch(/^[0-9A-F]{8}$/);
    expect(orderNumber('buyer-1_checkout-1-1')).toBe(orderNumber('buyer-1_checkout-1-1'));
  });

  it('tells apart the orders of one buyer and one checkout, which share a long prefix', () => {
    const ids = Array.from({ length: 2_000 }, (_, index) => `demo-buyer-alice_${Math.floor(index / 2)}-${index % 2}`);
    expect(new Set(ids.map(orderNumber)).size).toBe(ids.length);
  });

  it('matches the FNV-1a reference value', () => {
    // FNV-1a 32 of "a" is 0xe40c292c.
    expect(orderNumber('a')).toBe('E40C292C');
  });
});
