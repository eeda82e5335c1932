/**
 * The search port's contract suite (search-index.ts lists the guarantees). Every adapter's test
 * file calls `describeSearchContract` with a factory returning an index that holds no document;
 * the suite loads a small catalog whose expected orders and facet counts are written out below.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ProductDoc, SearchIndex, SearchQuery, SearchResult } from './search-index.ts';

export interface SearchSubject {
  /** An index holding no document. */
  readonly index: SearchIndex;
  cleanup(): Promise<void>;
}

const createdBase = 1_767_225_600_000;

function product(id: string, sellerId: string, title: string, category: string, priceMinor: number, description = ''): ProductDoc {
  const sellerNames: Record<string, string> = { 's-apple': 'Apple Store', 's-tech': 'Tech Hub', 's-bargain': 'Bargain Bin' };
  const minute = Number(id.slice(1)) * 60_000;
  return {
    id,
    sellerId,
    sellerName: sellerNames[sellerId] ?? sellerId,
    title,
    description: description === '' ? `${title}, sold by ${sellerNames[sellerId] ?? sellerId}.` : description,
    category,
    priceMinor,
    stock: 5,
    imageUrl: id === 'p01' ? null : `/blobs/products/${id}.jpg`,
    createdAt: createdBase + minute,
  };
}

/** p01 is the oldest, p11 the newest. p09 and p10 share a price (newest first breaks the tie). */
export const catalog: readonly ProductDoc[] = [
  product('p01', 's-apple', 'Apple iPhone 15 Pro', 'phones', 99_900),
  product('p02', 's-apple', 'Apple iPhone 13', 'phones', 59_900),
  product('p03', 's-tech', 'Samsung Galaxy S24', 'phones', 79_900),
  product('p04', 's-tech', 'Gaming Laptop 17 inch', 'laptops', 189_900, 'RGB keyboard and a fast GPU.'),
  product('p05', 's-tech', 'Ultrabook Laptop 13', 'laptops', 129_900),
  product('p06', 's-bargain', 'Refurbished notebook', 'laptops', 49_900, 'A dependable laptop for students.'),
  product('p07', 's-tech', 'Wireless Headphones', 'audio', 19_900),
  product('p08', 's-bargain', 'Bluetooth Speaker', 'audio', 4_900),
  product('p09', 's-bargain', 'Leather Case', 'accessories', 2_900, 'Protective case for phones.'),
  product('p10', 's-apple', 'Phone Stand', 'accessories', 2_900, 'Aluminium stand with a leather base.'),
  product('p11', 's-bargain', 'Café Espresso Grinder', 'kitchen', 8_900),
];

const newestOrder = ['p11', 'p10', 'p09', 'p08', 'p07', 'p06', 'p05', 'p04', 'p03', 'p02', 'p01'];
const priceAscOrder = ['p10', 'p09', 'p08', 'p11', 'p07', 'p06', 'p02', 'p03', 'p01', 'p05', 'p04'];
const priceDescOrder = ['p04', 'p05', 'p01', 'p03', 'p02', 'p06', 'p07', 'p11', 'p08', 'p10', 'p09'];

export function ids(result: SearchResult): string[] {
  return result.hits.map((hit) => hit.id);
}

function doc(id: string): ProductDoc {
  const found = catalog.find((candidate) => candidate.id === id);
  if (found === undefined) throw new Error(`no catalog product ${id}`);
  return found;
}

export function describeSearchContract(name: string, open: () => Promise<SearchSubject>): void {
  describe(`Search contract: ${name}`, () => {
    let subject: SearchSubject;
    let index: SearchIndex;
    const find = (query: Partial<SearchQuery>): Promise<SearchResult> => index.search({ page: 1, pageSize: 20, ...query });

    beforeEach(async () => {
      subject = await open();
      index = subject.index;
    });

    afterEach(async () => {
      await subject.cleanup();
    });

    describeWrites(() => index, find);
    describeTextMatching(() => index, find);
    describeBrowsing(() => index, find);
    describeFacets(() => index, find);
  });
}

type Find = (query: Partial<SearchQuery>) => Promise<SearchResult>;

function describeWrites(indexOf: () => SearchIndex, find: Find): void {
  it('answers an empty index with nothing: no hits, zero total, empty facets', async () => {
    const index = indexOf();
    expect(await index.count()).toBe(0);
    expect(await index.get('p01')).toBeNull();
    expect(await find({})).toEqual({ hits: [], total: 0, page: 1, pageSize: 20, facets: { category: {}, sellerId: {}, price: null } });
    expect((await find({ q: 'iphone' })).total).toBe(0);
  });

  it('round-trips every field of a document, null imageUrl included', async () => {
    const index = indexOf();
    await index.upsert(catalog);
    expect(await index.count()).toBe(catalog.length);
    expect(await index.get('p01')).toEqual(doc('p01'));
    expect(await index.get('p04')).toEqual(doc('p04'));
    expect((await find({ q: 'galaxy' })).hits).toEqual([doc('p03')]);
  });

  it('replaces a document upserted again: new text, price and category, old ones gone', async () => {
    const index = indexOf();
    await index.upsert(catalog);
    const changed = { ...doc('p08'), title: 'Bluetooth Soundbar', description: 'Slim.', category: 'accessories', priceMinor: 3_900 };
    await index.upsert([changed]);
    expect(await index.count()).toBe(catalog.length);
    expect(await index.get('p08')).toEqual(changed);
    expect(ids(await find({ q: 'soundbar', category: 'accessories' }))).toEqual(['p08']);
    expect((await find({ q: 'speaker' })).total).toBe(0);
    const facets = (await find({})).facets;
    expect(facets.category).toMatchObject({ audio: 1, accessories: 3 });
    expect(ids(await find({ maxPriceMinor: 3_900, sort: 'price_asc' }))).toEqual(['p10', 'p09', 'p08']);
  });

  it('removes documents for good, and ignores unknown ids and empty lists', async () => {
    const index = indexOf();
    await index.upsert(catalog);
    await index.remove(['p01', 'p-missing']);
    await index.remove([]);
    expect(await index.get('p01')).toBeNull();
    expect(await index.count()).toBe(catalog.length - 1);
    expect(ids(await find({ q: 'iphone 13' }))).toEqual(['p02']);
    expect(ids(await find({ q: 'iphone 15' }))).toEqual([]);
    const browse = await find({ sort: 'newest' });
    expect(ids(browse)).toEqual(newestOrder.filter((id) => id !== 'p01'));
    expect(browse.facets.category['phones']).toBe(2);
    expect(browse.facets.sellerId['s-apple']).toBe(2);
  });

  it('clears every document, and accepts new ones afterwards', async () => {
    const index = indexOf();
    await index.upsert(catalog);
    await index.clear();
    expect(await index.count()).toBe(0);
    expect((await find({})).total).toBe(0);
    expect((await find({ q: 'laptop' })).total).toBe(0);
    await index.upsert([doc('p05')]);
    expect(ids(await find({ q: 'laptop' }))).toEqual(['p05']);
  });

  it('rejects queries and documents outside the port bounds', async () => {
    const index = indexOf();
    await expect(find({ pageSize: 0 })).rejects.toBeInstanceOf(RangeError);
    await expect(find({ pageSize: 101 })).rejects.toBeInstanceOf(RangeError);
    await expect(find({ page: 0 })).rejects.toBeInstanceOf(RangeError);
    await expect(find({ page: 1.5 })).rejects.toBeInstanceOf(RangeError);
    await expect(find({ minPriceMinor: 9.99 })).rejects.toBeInstanceOf(RangeError);
    await expect(index.upsert([{ ...doc('p01'), priceMinor: 999.5 }])).rejects.toBeInstanceOf(RangeError);
    await expect(index.upsert([{ ...doc('p01'), id: 'bad id/..' }])).rejects.toBeInstanceOf(RangeError);
    expect(await index.count()).toBe(0);
  });
}

function describeTextMatching(indexOf: () => SearchIndex, find: Find): void {
  it('tolerates a typo: "iPhne" finds the iPhones, "laptp" the laptops', async () => {
    await indexOf().upsert(catalog);
    expect(ids(await find({ q: 'iPhne' })).sort()).toEqual(['p01', 'p02']);
    expect(ids(await find({ q: 'laptp' })).sort()).toEqual(['p04', 'p05', 'p06']);
    expect((await find({ q: 'zqxwv' })).total).toBe(0);
  });

  it('forgives swapped neighbours and a dropped letter: "candel", "cnadle", "hedphones"', async () => {
    const extras = [
      { ...doc('p08'), id: 'p12', title: 'Scented Candle', description: 'Soy wax, cedar scent.', category: 'home', createdAt: doc('p11').createdAt + 60_000 },
      { ...doc('p07'), id: 'p13', title: 'Studio Headphones', description: 'Closed back.', createdAt: doc('p11').createdAt + 120_000 },
    ];
    await indexOf().upsert([...catalog, ...extras]);
    expect(ids(await find({ q: 'candel' }))).toEqual(['p12']);
    expect(ids(await find({ q: 'cnadle' }))).toEqual(['p12']);
    expect(ids(await find({ q: 'hedphones' })).sort()).toEqual(['p07', 'p13']);
    expect(ids(await find({ q: 'wireless hedphones' }))).toEqual(['p07']);
    // A swap still costs a typo: a 4-letter term has none to spend, so "caes" finds no case.
    expect((await find({ q: 'caes' })).total).toBe(0);
  });

  it('matches a prefix as you type, ignoring case and diacritics', async () => {
    await indexOf().upsert(catalog);
    expect(ids(await find({ q: 'iph' })).sort()).toEqual(['p01', 'p02']);
    expect(ids(await find({ q: 'IPHONE PRO' }))).toEqual(['p01']);
    expect(ids(await find({ q: 'headph' }))).toEqual(['p07']);
    expect(ids(await find({ q: 'cafe' }))).toEqual(['p11']);
  });

  it('requires every term to match', async () => {
    await indexOf().upsert(catalog);
    expect(ids(await find({ q: 'gaming laptop' }))).toEqual(['p04']);
    expect(ids(await find({ q: 'apple iphone 13' }))).toEqual(['p02']);
    expect((await find({ q: 'gaming speaker' })).total).toBe(0);
  });

  it('ranks a title match above a description match', async () => {
    await indexOf().upsert(catalog);
    expect(ids(await find({ q: 'leather' }))).toEqual(['p09', 'p10']);
    const laptops = ids(await find({ q: 'laptop' }));
    expect(laptops.slice(0, 2).sort()).toEqual(['p04', 'p05']);
    expect(laptops[2]).toBe('p06');
  });

  it('orders text matches strictly by price when asked, description matches included', async () => {
    await indexOf().upsert(catalog);
    expect(ids(await find({ q: 'laptop', sort: 'price_asc' }))).toEqual(['p06', 'p05', 'p04']);
    expect(ids(await find({ q: 'laptop', sort: 'price_desc' }))).toEqual(['p04', 'p05', 'p06']);
    expect(ids(await find({ q: 'apple', sort: 'newest' }))).toEqual(['p10', 'p02', 'p01']);
  });

  it('treats quotes in filter values as data, not filter syntax', async () => {
    await indexOf().upsert(catalog);
    expect((await find({ category: 'x" OR category = "phones' })).total).toBe(0);
    expect((await find({ sellerId: 's-apple\\" OR sellerId = \\"s-tech' })).total).toBe(0);
    expect(ids(await find({ q: '"galaxy' }))).toEqual(['p03']);
  });
}

function describeBrowsing(indexOf: () => SearchIndex, find: Find): void {
  it('browses everything without q, newest first by default', async () => {
    await indexOf().upsert(catalog);
    const result = await find({});
    expect(ids(result)).toEqual(newestOrder);
    expect(result.total).toBe(catalog.length);
    expect(ids(await find({ q: '   ' }))).toEqual(newestOrder);
  });

  it('sorts by price both ways (ties newest first) and by newest', async () => {
    await indexOf().upsert(catalog);
    expect(ids(await find({ sort: 'price_asc' }))).toEqual(priceAscOrder);
    expect(ids(await find({ sort: 'price_desc' }))).toEqual(priceDescOrder);
    expect(ids(await find({ sort: 'newest' }))).toEqual(newestOrder);
  });

  it('combines category, seller, inclusive price bounds and text with AND', async () => {
    await indexOf().upsert(catalog);
    const laptopsOfTech = { category: 'laptops', sellerId: 's-tech' };
    expect(ids(await find({ ...laptopsOfTech, minPriceMinor: 129_900, maxPriceMinor: 189_900 }))).toEqual(['p05', 'p04']);
    expect(ids(await find({ ...laptopsOfTech, minPriceMinor: 129_900, maxPriceMinor: 189_899 }))).toEqual(['p05']);
    expect(ids(await find({ ...laptopsOfTech, q: 'gaming' }))).toEqual(['p04']);
    expect(ids(await find({ minPriceMinor: 4_900, maxPriceMinor: 19_900 }))).toEqual(['p11', 'p08', 'p07']);
    expect(ids(await find({ sellerId: 's-apple', sort: 'price_asc' }))).toEqual(['p10', 'p02', 'p01']);
    expect((await find({ category: 'laptops', sellerId: 's-apple' })).total).toBe(0);
    expect((await find({ category: 'Laptop' })).total).toBe(0);
  });

  it('pages through the sorted matches with a stable total and no overlap', async () => {
    await indexOf().upsert(catalog);
    const pages = await Promise.all([1, 2, 3, 4].map((page) => find({ page, pageSize: 4, sort: 'price_asc' })));
    expect(pages.map(ids)).toEqual([priceAscOrder.slice(0, 4), priceAscOrder.slice(4, 8), priceAscOrder.slice(8), []]);
    expect(pages.map((page) => page.total)).toEqual([11, 11, 11, 11]);
    expect(pages.map((page) => [page.page, page.pageSize])).toEqual([[1, 4], [2, 4], [3, 4], [4, 4]]);
    const textPages = await Promise.all([1, 2].map((page) => find({ q: 'laptop', page, pageSize: 2 })));
    expect(textPages.map((page) => page.total)).toEqual([3, 3]);
    expect(textPages.flatMap(ids).sort()).toEqual(['p04', 'p05', 'p06']);
  });
}

function describeFacets(indexOf: () => SearchIndex, find: Find): void {
  it('counts categories and sellers and spans prices over every match, not just the page', async () => {
    await indexOf().upsert(catalog);
    const expected = {
      category: { phones: 3, laptops: 3, audio: 2, accessories: 2, kitchen: 1 },
      sellerId: { 's-apple': 3, 's-tech': 4, 's-bargain': 4 },
      price: { min: 2_900, max: 189_900 },
    };
    expect((await find({ pageSize: 2 })).facets).toEqual(expected);
    expect((await find({ page: 3, pageSize: 2, sort: 'price_desc' })).facets).toEqual(expected);
  });

  it('computes facets over the filtered matches, each facet including its own filter', async () => {
    await indexOf().upsert(catalog);
    expect((await find({ category: 'phones' })).facets).toEqual({
      category: { phones: 3 },
      sellerId: { 's-apple': 2, 's-tech': 1 },
      price: { min: 59_900, max: 99_900 },
    });
    expect((await find({ q: 'laptop' })).facets).toEqual({
      category: { laptops: 3 },
      sellerId: { 's-tech': 2, 's-bargain': 1 },
      price: { min: 49_900, max: 189_900 },
    });
    expect((await find({ q: 'laptop', maxPriceMinor: 100_000 })).facets).toEqual({
      category: { laptops: 1 },
      sellerId: { 's-bargain': 1 },
      price: { min: 49_900, max: 49_900 },
    });
    expect((await find({ q: 'zqxwv' })).facets).toEqual({ category: {}, sellerId: {}, price: null });
  });
}
