import { describe, expect, it } from 'vitest';
import { isSitePath, linkMatch } from './paths.ts';

describe('isSitePath', () => {
  it('takes an absolute path on this site and refuses the rest', () => {
    expect(isSitePath('/cart')).toBe(true);
    expect(isSitePath('/orders/1?x=2')).toBe(true);
    expect(isSitePath('//evil.example/cart')).toBe(false);
    expect(isSitePath('https://evil.example/')).toBe(false);
    expect(isSitePath('cart')).toBe(false);
  });
});

// The router's <A> rule (@solidjs/router components.jsx), which Link keeps.
describe('linkMatch', () => {
  it('is active on its own path and below it, current only on its own path', () => {
    expect(linkMatch('/seller', '/seller', false)).toEqual({ active: true, current: true });
    expect(linkMatch('/seller', '/seller/orders', false)).toEqual({ active: true, current: false });
    expect(linkMatch('/seller', '/sellers', false)).toEqual({ active: false, current: false });
  });

  it('with `end`, is active only on its own path', () => {
    expect(linkMatch('/seller', '/seller/orders', true)).toEqual({ active: false, current: false });
    expect(linkMatch('/', '/', true)).toEqual({ active: true, current: true });
  });

  it('makes the home link active everywhere without `end`', () => {
    expect(linkMatch('/', '/cart', false)).toEqual({ active: true, current: false });
  });

  it('ignores the query, the hash, trailing slashes and case, and decodes the page path', () => {
    expect(linkMatch('/search?q=lamp', '/search', false)).toEqual({ active: true, current: true });
    expect(linkMatch('/orders/#top', '/Orders/', false)).toEqual({ active: true, current: true });
    expect(linkMatch('/products/café', '/products/caf%C3%A9', false).current).toBe(true);
  });
});
