/**
 * Keeps the search index in step with the catalog (DESIGN.md §2: every consumer idempotent).
 * For each seller entry that touches products (created, updated, deleted, image added, stock
 * reserved or released) it re-reads those products from the `products` read model, which the
 * read-model consumer has already brought up to date in the same round, and upserts them, or
 * removes the deleted ones. Re-reading current rows instead of applying deltas makes a replay
 * of an old entry harmless: it writes today's row again.
 */
import type { Db } from '../../adapters/db.ts';
import type { ProductDoc, SearchIndex } from '../../adapters/search/search-index.ts';
import { searchLimits } from '../../adapters/search/search-index.ts';
import type { Consumer } from '../../adapters/consumer.ts';
import type { ProductDto } from '../views.ts';
import { productsChangedBy } from '../product-changes.ts';
import { findProductsByIds } from '../readmodels/product-queries.ts';

function toProductDoc(product: ProductDto): ProductDoc {
  const { currency: _currency, images, updatedAt: _updatedAt, ...fields } = product;
  return { ...fields, imageUrl: images[0] ?? null };
}

/** Upserts (or removes, when deleted) the given products as the read model holds them now. */
export async function indexProducts(db: Db, search: SearchIndex, ids: readonly string[]): Promise<void> {
  for (let start = 0; start < ids.length; start += searchLimits.maxUpsertBatch) {
    const { live, deletedIds } = await findProductsByIds(db, ids.slice(start, start + searchLimits.maxUpsertBatch));
    if (live.length > 0) await search.upsert(live.map(toProductDoc));
    if (deletedIds.length > 0) await search.remove(deletedIds);
  }
}

/** The in-process index starts empty: fill it from the read model (every live product). */
export async function reindexAll(db: Db, search: SearchIndex): Promise<number> {
  const rows = await db.query('SELECT product_id FROM products WHERE NOT deleted');
  await indexProducts(db, search, rows.map((row) => String(row['product_id'])));
  return rows.length;
}

export function createSearchConsumer(db: Db, search: SearchIndex): Consumer {
  return {
    name: 'search-index',
    handle: (entries) => indexProducts(db, search, productsChangedBy(entries)),
  };
}
