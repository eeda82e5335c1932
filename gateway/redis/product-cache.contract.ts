/**
 * The product read cache's contract suite (ProductCache in gateway/context.ts). The in-process
 * cache and the Redis cache both run it. `elapse` moves the subject's time: the virtual clock for
 * the in-process cache, real time for Redis (whose keys expire on the server's clock).
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ProductDto } from '../api-types.ts';
import type { ProductCache } from '../context.ts';

export interface ProductCacheSubject {
  readonly cache: ProductCache;
  readonly ttlMs: number;
  /** Lets `ms` pass for the cache's expiry. */
  elapse(ms: number): Promise<void>;
  cleanup(): Promise<void>;
}

function product(id: string, title: string): ProductDto {
  return {
    id, sellerId: 'seller-1', sellerName: 'Acme', title, description: 'd', category: 'home',
    priceMinor: 1_250, currency: 'USD', stock: 3, images: [], createdAt: 1, updatedAt: 2,
  };
}

/** A read model of one mutable row per id, counting how often each is loaded. */
class Source {
  readonly rows = new Map<string, ProductDto>();
  loads = 0;
  loader(id: string): () => Promise<ProductDto | null> {
    return async () => {
      this.loads += 1;
      return this.rows.get(id) ?? null;
    };
  }
}

export function describeProductCacheContract(name: string, open: () => Promise<ProductCacheSubject>): void {
  describe(`ProductCache contract: ${name}`, () => {
    let subject: ProductCacheSubject;
    let cache: ProductCache;
    let source: Source;

    beforeEach(async () => {
      subject = await open();
      cache = subject.cache;
      source = new Source();
      source.rows.set('p1', product('p1', 'Lamp'));
      source.rows.set('p2', product('p2', 'Chair'));
    });

    afterEach(async () => {
      await subject.cleanup();
    });

    it('serves a second read from the cache', async () => {
      expect(await cache.read('p1', source.loader('p1'))).toEqual(product('p1', 'Lamp'));
      source.rows.set('p1', product('p1', 'Changed without invalidation'));
      expect(await cache.read('p1', source.loader('p1'))).toEqual(product('p1', 'Lamp'));
      expect(source.loads).toBe(1);
    });

    it('does not cache a product that does not exist', async () => {
      expect(await cache.read('missing', source.loader('missing'))).toBeNull();
      source.rows.set('missing', product('missing', 'Created'));
      expect(await cache.read('missing', source.loader('missing'))).toEqual(product('missing', 'Created'));
    });

    it('loads again after an invalidation, and only the invalidated product', async () => {
      await cache.read('p1', source.loader('p1'));
      await cache.read('p2', source.loader('p2'));
      source.rows.set('p1', product('p1', 'Lamp v2'));
      source.rows.set('p2', product('p2', 'Chair v2'));
      await cache.invalidate(['p1', 'never-cached']);
      expect(await cache.read('p1', source.loader('p1'))).toEqual(product('p1', 'Lamp v2'));
      expect(await cache.read('p2', source.loader('p2'))).toEqual(product('p2', 'Chair'));
    });

    it('does not keep a value loaded before an invalidation that overlapped the load', async () => {
      let release: () => void = () => {};
      let loading: () => void = () => {};
      const gate = new Promise<void>((resolve) => (release = resolve));
      const loadStarted = new Promise<void>((resolve) => (loading = resolve));
      const stale = product('p1', 'Lamp');
      const slowRead = cache.read('p1', async () => {
        loading();
        await gate;
        return stale;
      });
      // The row changes and is invalidated while the slow read holds the old row.
      await loadStarted;
      source.rows.set('p1', product('p1', 'Lamp v2'));
      await cache.invalidate(['p1']);
      release();
      expect(await slowRead).toEqual(stale);
      expect(await cache.read('p1', source.loader('p1'))).toEqual(product('p1', 'Lamp v2'));
    });

    it('forgets a product once the TTL has passed', async () => {
      await cache.read('p1', source.loader('p1'));
      source.rows.set('p1', product('p1', 'Lamp v2'));
      await subject.elapse(subject.ttlMs + 50);
      expect(await cache.read('p1', source.loader('p1'))).toEqual(product('p1', 'Lamp v2'));
      expect(source.loads).toBe(2);
    });

    it('accepts an empty invalidation', async () => {
      await expect(cache.invalidate([])).resolves.toBeUndefined();
    });
  });
}
