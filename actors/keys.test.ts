import { describe, expect, it } from 'vitest';
import { analyticsDecider } from './analytics/analytics.ts';
import { checkoutDecider } from './checkout/checkout.ts';
import { actorKindList, analyticsKey, checkoutKey, idOfKey, isKeyOf, keyPrefix, orderKey, parseKey, sellerKey, walletKey } from './keys.ts';
import { createOrderDecider } from './order/order.ts';
import { sellerDecider } from './seller/seller.ts';
import { walletDecider } from './wallet/wallet.ts';

const orderDecider = createOrderDecider({ platformFeeBps: 0, releaseAfterMs: 1, shipByMs: 1, stepRetryMs: 1 });

describe('actor keys', () => {
  // Keys are stored (journal, snapshots, timers), so their shape is written out here by hand.
  it('are the kind, a colon and the id', () => {
    expect(walletKey('u1')).toBe('wallet:u1');
    expect(orderKey('o1')).toBe('order:o1');
    expect(sellerKey('s1')).toBe('seller:s1');
    expect(checkoutKey('c1')).toBe('checkout:c1');
    expect(analyticsKey('daily')).toBe('analytics:daily');
    expect(keyPrefix('order')).toBe('order:');
  });

  it('agree with the kind each decider registers under, which the runtime puts before an id', () => {
    const runtimeKey = (kind: string, id: string) => `${kind}:${id}`;
    expect(runtimeKey(walletDecider.kind, 'x')).toBe(walletKey('x'));
    expect(runtimeKey(orderDecider.kind, 'x')).toBe(orderKey('x'));
    expect(runtimeKey(sellerDecider.kind, 'x')).toBe(sellerKey('x'));
    expect(runtimeKey(checkoutDecider.kind, 'x')).toBe(checkoutKey('x'));
    expect(runtimeKey(analyticsDecider.kind, 'x')).toBe(analyticsKey('x'));
    expect([walletDecider, orderDecider, sellerDecider, checkoutDecider, analyticsDecider].map((decider) => decider.kind)).toEqual(actorKindList);
  });

  it('give back the id of a key of the asked kind only, keeping any colon inside the id', () => {
    expect(idOfKey('order', orderKey('o:1'))).toBe('o:1');
    expect(() => idOfKey('order', walletKey('o1'))).toThrow('wallet:o1 is not a key of kind order');
    expect(() => idOfKey('order', 'orders:o1')).toThrow();
    expect(isKeyOf('order', 'orders:o1')).toBe(false);
    expect(isKeyOf('wallet', walletKey(''))).toBe(true);
    expect(isKeyOf('seller', 'sellers')).toBe(false);
  });

  it('parse into kind and id at the first colon, and refuse a string with no kind', () => {
    expect(parseKey(checkoutKey('k:1'))).toEqual({ kind: 'checkout', id: 'k:1' });
    expect(parseKey('wallet')).toBeUndefined();
    expect(parseKey(':x')).toBeUndefined();
  });
});
