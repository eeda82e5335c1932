/**
 * Which products a batch of journal entries touched: created, updated, deleted, given an image,
 * or had stock reserved or released by the seller actor. The search index and the product read
 * cache both follow the catalog through this one list, so they cannot disagree on what changed.
 */
import type { JournalEntry } from '../adapters/journal.ts';
import { isKeyOf } from '../../actors/keys.ts';

const productEvents = new Set(['ProductCreated', 'ProductUpdated', 'ProductDeleted', 'ProductImageAdded']);
const stockEvents = new Set(['StockReserved', 'StockReleased']);

type SellerEvent = { readonly type: string; readonly productId?: string; readonly items?: readonly { readonly productId: string }[] };

export function productsChangedBy(entries: readonly JournalEntry[]): string[] {
  const ids = new Set<string>();
  for (const entry of entries) {
    if (!isKeyOf('seller', entry.key)) continue;
    for (const event of entry.events as SellerEvent[]) {
      if (productEvents.has(event.type) && event.productId !== undefined) ids.add(event.productId);
      if (stockEvents.has(event.type)) for (const item of event.items ?? []) ids.add(item.productId);
    }
  }
  return [...ids];
}
