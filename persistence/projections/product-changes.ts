/**
 * Which products a batch of journal entries touched: created, updated, deleted, given an image,
 * or had stock reserved or released by the seller actor. The search index and the product read
 * cache both follow the catalog through this one list, so they cannot disagree on what changed.
 */
import type { JournalEntry } from '../adapters/journal.ts';
import { assertNever } from '../../actors/decider.ts';
import type { SellerEvent } from '../../actors/seller/seller-messages.ts';
import { sellerEventsOf } from './actor-events.ts';

/** The products one seller event changed as the catalog shows them (fields, image, stock). */
function productsOf(event: SellerEvent): readonly string[] {
  switch (event.type) {
    case 'ProductCreated':
    case 'ProductUpdated':
    case 'ProductDeleted':
    case 'ProductImageAdded':
      return [event.productId];
    case 'StockReserved':
    case 'StockReleased':
      return event.items.map((item) => item.productId);
    // The seller's own standing and fences change no product's row, nor does a legacy outcome.
    case 'SellerRegistered':
    case 'SellerSuspended':
    case 'SellerReactivated':
    case 'ReservationFenced':
    case 'OrderOutcomeRecorded':
      return [];
    default:
      return assertNever(event);
  }
}

export function productsChangedBy(entries: readonly JournalEntry[]): string[] {
  const ids = new Set<string>();
  for (const entry of entries) {
    for (const event of sellerEventsOf(entry)) for (const productId of productsOf(event)) ids.add(productId);
  }
  return [...ids];
}

/** The products a batch deleted: the checkout's owner lookup forgets them (cache/product-owners.ts). */
export function productsDeletedBy(entries: readonly JournalEntry[]): string[] {
  const ids: string[] = [];
  for (const entry of entries) {
    for (const event of sellerEventsOf(entry)) if (event.type === 'ProductDeleted') ids.push(event.productId);
  }
  return ids;
}
