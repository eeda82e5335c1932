/**
 * The search contract on the embedded MiniSearch index, plus what only a large in-process
 * catalog shows cheaply: the total cap and facets that still count every match.
 */
import { describe, expect, it } from 'vitest';
import { MiniSearchIndex } from './minisearch-index.ts';
import type { ProductDoc } from './search-index.ts';
import { searchLimits } from './search-index.ts';
import { catalog, describeSearchContract, ids } from './search.contract.ts';

describeSearchContract('MiniSearchIndex', async () => {
  const index = new MiniSearchIndex();
  return { index, cleanup: () => index.close() };
});

function generated(count: number): ProductDoc[] {
  const categories = ['phones', 'laptops', 'audio', 'kitchen'];
  return Array.from({ length: count }, (_, position) => {
    const category = categories[position % categories.length] ?? 'phones';
    return {
    id: `g${position}`,
    sellerId: `s-${position % 7}`,
    sellerName: `Seller ${position % 7}`,
    title: `${category === 'laptops' ? 'Laptop' : 'Gadget'} model ${position}`,
    description: 'Generated for the size test.',
    category,
    priceMinor: 1_000 + position,
    stock: 1,
    imageUrl: null,
    createdAt: 1_767_225_600_000 + position,
    };
  });
}

describe('MiniSearchIndex ranking', () => {
  // Meilisearch counts the lost first letter of "iphone" → "phone" as two typos, so this is ours alone.
  it('ranks exact matches above a typo match', async () => {
    const index = new MiniSearchIndex();
    await index.upsert(catalog);
    const result = ids(await index.search({ q: 'iphone', page: 1, pageSize: 10 }));
    expect(result.slice(0, 2).sort()).toEqual(['p01', 'p02']);
    expect(result.slice(2)).toEqual(['p10']);
  });
});

describe('MiniSearchIndex at catalog scale', () => {
  it('caps total at maxTotalHits but facets count every match', async () => {
    const index = new MiniSearchIndex();
    const docs = generated(searchLimits.maxTotalHits + 200);
    for (let start = 0; start < docs.length; start += searchLimits.maxUpsertBatch) {
      await index.upsert(docs.slice(start, start + searchLimits.maxUpsertBatch));
    }
    expect(await index.count()).toBe(docs.length);

    const browse = await index.search({ page: 1, pageSize: 100, sort: 'price_desc' });
    expect(browse.total).toBe(searchLimits.maxTotalHits);
    expect(browse.hits[0]?.id).toBe(`g${docs.length - 1}`);
    expect(Object.values(browse.facets.category).reduce((sum, count) => sum + count, 0)).toBe(docs.length);
    expect(browse.facets.price).toEqual({ min: 1_000, max: 1_000 + docs.length - 1 });
    const lastReachable = await index.search({ page: searchLimits.maxTotalHits / 100, pageSize: 100 });
    expect(lastReachable.hits).toHaveLength(100);
    expect((await index.search({ page: searchLimits.maxTotalHits / 100 + 1, pageSize: 100 })).hits).toEqual([]);

    const laptops = await index.search({ q: 'laptp', category: 'laptops', page: 1, pageSize: 10 });
    expect(laptops.total).toBe(docs.length / 4);
    expect(laptops.hits.every((hit) => hit.category === 'laptops' && hit.title.startsWith('Laptop'))).toBe(true);
    await index.close();
  });

  it('rejects an upsert batch above maxUpsertBatch without indexing any of it', async () => {
    const index = new MiniSearchIndex();
    await expect(index.upsert(generated(searchLimits.maxUpsertBatch + 1))).rejects.toBeInstanceOf(RangeError);
    expect(await index.count()).toBe(0);
  });
});
