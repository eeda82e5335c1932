/**
 * Invalidates cached product reads when a seller's journal entry changes a product: created,
 * updated, deleted, an image added, or stock reserved or released (stock is part of the read).
 * It runs on the event processor after the read-model consumer (gateway/app/consumers.ts holds
 * the order), so a read that misses after the invalidation loads the new row. With
 * Redis it drops the shared key, so every gateway process sees the change whichever process's
 * event processor ran the entry. It never fails the round: a failed invalidation (Redis down) is
 * bounded by the cache TTL, while a thrown error would stall every other consumer. It also makes
 * the checkout's product → seller lookup forget deleted products (product-owners.ts).
 */
import type { Consumer } from '../../adapters/consumer.ts';
import type { ProductCache } from './product-cache.ts';
import type { ProductOwners } from './product-owners.ts';
import { productsChangedBy, productsDeletedBy } from '../product-changes.ts';

export function createProductCacheConsumer(cache: ProductCache, owners: ProductOwners): Consumer {
  return {
    name: 'product-cache',
    async handle(entries) {
      owners.forget(productsDeletedBy(entries));
      const changed = productsChangedBy(entries);
      if (changed.length > 0) await cache.invalidate(changed);
    },
  };
}
