/**
 * Invalidates cached product reads when a seller's journal entry changes a product: created,
 * updated, deleted, an image added, or stock reserved or released (stock is part of the read).
 * It runs on the event processor after the read-model consumer (runtime/system.ts puts extra
 * consumers after it), so a read that misses after the invalidation loads the new row. With
 * Redis it drops the shared key, so every gateway process sees the change whichever process's
 * event processor ran the entry. It never fails the round: a failed invalidation (Redis down) is
 * bounded by the cache TTL, while a thrown error would stall every other consumer.
 */
import type { JournalEntry } from '../../persistence/journal.ts';
import type { Consumer } from '../../runtime/processor.ts';
import type { ProductCache } from '../context.ts';

const productEvents = new Set(['ProductCreated', 'ProductUpdated', 'ProductDeleted', 'ProductImageAdded']);
const stockEvents = new Set(['StockReserved', 'StockReleased']);

type SellerEvent = { readonly type: string; readonly productId?: string; readonly items?: readonly { readonly productId: string }[] };

export function productsChangedBy(entries: readonly JournalEntry[]): string[] {
  const ids = new Set<string>();
  for (const entry of entries) {
    if (!entry.key.startsWith('seller:')) continue;
    for (const event of entry.events as SellerEvent[]) {
      if (productEvents.has(event.type) && event.productId !== undefined) ids.add(event.productId);
      if (stockEvents.has(event.type)) for (const item of event.items ?? []) ids.add(item.productId);
    }
  }
  return [...ids];
}

export function createProductCacheConsumer(cache: ProductCache): Consumer {
  return {
    name: 'product-cache',
    async handle(entries) {
      const changed = productsChangedBy(entries);
      if (changed.length > 0) await cache.invalidate(changed);
    },
  };
}
