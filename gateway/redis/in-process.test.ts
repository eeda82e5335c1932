/**
 * The embedded mode's adapters (no REDIS_URL) against the same contract suites the Redis adapters
 * run in redis.int.test.ts, plus the cache-invalidation consumer's choice of products.
 */
import { describe, expect, it } from 'vitest';
import type { JournalEntry } from '../../persistence/adapters/journal.ts';
import { VirtualClock } from '../../runtime/clock.ts';
import { silentLogger } from '../../runtime/logger.ts';
import { InProcessRateLimiter } from '../auth/rate-limit.ts';
import { InProcessHub } from '../notifications/hub.ts';
import { openBus } from './bus.ts';
import { productsChangedBy } from '../../persistence/projections/product-changes.ts';
import { describeHubContract } from './hub.contract.ts';
import { InProcessProductCache } from './local-product-cache.ts';
import { describeProductCacheContract } from './product-cache.contract.ts';
import { describeRateLimiterContract } from './rate-limiter.contract.ts';

describeRateLimiterContract('in process', async ({ limit, windowMs, clock }) => ({
  limiter: new InProcessRateLimiter(limit, windowMs, clock),
  cleanup: async () => {},
}));

describeHubContract('in process (one node)', async () => {
  const hub = new InProcessHub();
  return { publisher: hub, receiver: hub, cleanup: async () => {} };
});

describeProductCacheContract('in process', async () => {
  const clock = new VirtualClock();
  const ttlMs = 5_000;
  return {
    cache: new InProcessProductCache(ttlMs, clock),
    ttlMs,
    elapse: async (ms) => clock.advance(ms),
    cleanup: async () => {},
  };
});

function entry(key: string, events: object[]): JournalEntry {
  return { key, seq: 1, events, commandId: 'c', at: 1 } as unknown as JournalEntry;
}

describe('product cache invalidation consumer', () => {
  it('picks the products whose read changes: catalog edits and stock moves, not other entries', () => {
    const changed = productsChangedBy([
      entry('seller:s1', [{ type: 'ProductCreated', productId: 'p1' }, { type: 'ProductUpdated', productId: 'p2' }]),
      entry('seller:s1', [{ type: 'StockReserved', orderId: 'o1', items: [{ productId: 'p3' }, { productId: 'p1' }] }]),
      entry('seller:s2', [{ type: 'ProductDeleted', productId: 'p4' }, { type: 'ProductImageAdded', productId: 'p5' }, { type: 'StockReleased', items: [{ productId: 'p6' }] }]),
      entry('seller:s2', [{ type: 'SellerRegistered', name: 'x' }]),
      entry('order:o1', [{ type: 'ProductCreated', productId: 'not-a-seller-entry' }]),
    ]);
    expect(changed.sort()).toEqual(['p1', 'p2', 'p3', 'p4', 'p5', 'p6']);
  });
});

describe('openBus without REDIS_URL', () => {
  it('builds the in-process parts and reports no Redis', async () => {
    const clock = new VirtualClock();
    const bus = await openBus({ config: { redisUrl: undefined, productCacheTtlMs: 5_000, registrationsPerHour: 10, loginsPerMinute: 5 }, clock, logger: silentLogger });
    expect(bus.redis).toBeUndefined();
    expect(bus.loginLimiter).toBeInstanceOf(InProcessRateLimiter);
    expect(bus.productCache).toBeInstanceOf(InProcessProductCache);
    await bus.close();
  });

  it('reads through every time when PRODUCT_CACHE_TTL is 0', async () => {
    const bus = await openBus({ config: { redisUrl: undefined, productCacheTtlMs: 0, registrationsPerHour: 10, loginsPerMinute: 5 }, clock: new VirtualClock(), logger: silentLogger });
    let loads = 0;
    const load = async () => (loads += 1, null);
    await bus.productCache.read('p', load);
    await bus.productCache.read('p', load);
    expect(loads).toBe(2);
  });
});

describe('InProcessHub.resync', () => {
  it('asks every subscriber to catch up, even when one of them throws', () => {
    const hub = new InProcessHub();
    const caughtUp: string[] = [];
    hub.subscribe('alice', () => {}, () => {
      throw new Error('socket gone');
    });
    hub.subscribe('alice', () => {}, () => caughtUp.push('alice'));
    hub.subscribe('bob', () => {}, () => caughtUp.push('bob'));
    const unsubscribe = hub.subscribe('carol', () => {}, () => caughtUp.push('carol'));
    unsubscribe();
    hub.resync();
    expect(caughtUp.sort()).toEqual(['alice', 'bob']);
  });
});
