/**
 * The embedded search index (DESIGN.md §6, §7 "Embedded search"): MiniSearch in process. The
 * documents also live in a Map, so filters, sorts and facets read plain objects and a browse
 * without `q` never touches the text index. Nothing is persisted: on start the event processor
 * rebuilds the index from the read models (about 2.8 s per 100k products, measured).
 */
import MiniSearch from 'minisearch';
import type { Query } from 'minisearch';
import type { ProductDoc, SearchFacets, SearchIndex, SearchQuery, SearchResult } from './search-index.ts';
import { assertValidDocs, assertValidQuery, searchLimits, searchText, toProductDoc } from './search-index.ts';

/** Title outranks category, which outranks description and seller name. */
const fieldBoosts = { title: 3, category: 2, description: 1, sellerName: 1 } as const;

/** Case and diacritics are ignored on both sides: "Café" is indexed as "cafe". */
function normalizeTerm(term: string): string {
  return term.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase();
}

/**
 * Edits allowed per term, Meilisearch's defaults, so both adapters find the same things. A plain
 * `fuzzy: 0.2` would also allow one edit in 3–4 letter terms, where "cat" matches "car".
 */
function allowedTypos(term: string): number | false {
  if (term.length >= 9) return 2;
  if (term.length >= 5) return 1;
  return false;
}

/**
 * Meilisearch counts a swap of neighbours ("candel" for "candle") as one typo; Levenshtein, which
 * MiniSearch uses, counts it as two. So each term long enough for a typo is searched as itself OR
 * any of its neighbour swaps, and a swapped form keeps only the edits left after the swap.
 */
function textQuery(text: string): Query {
  const terms = text.split(/[\s\p{P}]+/u).filter((term) => term !== '');
  return {
    combineWith: 'AND',
    queries: terms.map((term): Query => {
      const budget = allowedTypos(term);
      if (budget === false) return term;
      const swapped = neighbourSwaps(term);
      if (swapped.length === 0) return term;
      const remaining = budget - 1;
      return { combineWith: 'OR', queries: [term, { combineWith: 'OR', queries: swapped, fuzzy: remaining === 0 ? false : remaining }] };
    }),
  };
}

/** Every distinct spelling made by swapping two neighbouring, different letters. */
function neighbourSwaps(term: string): string[] {
  const letters = [...term];
  const spellings = new Set<string>();
  for (let at = 0; at + 1 < letters.length; at += 1) {
    if (letters[at] === letters[at + 1]) continue;
    const copy = [...letters];
    [copy[at], copy[at + 1]] = [copy[at + 1] ?? '', copy[at] ?? ''];
    spellings.add(copy.join(''));
  }
  return [...spellings];
}

export class MiniSearchIndex implements SearchIndex {
  readonly #docs = new Map<string, ProductDoc>();
  readonly #engine = new MiniSearch<ProductDoc>({
    idField: 'id',
    fields: Object.keys(fieldBoosts),
    storeFields: [],
    processTerm: normalizeTerm,
    searchOptions: { boost: fieldBoosts, prefix: true, fuzzy: allowedTypos, maxFuzzy: 2, combineWith: 'AND' },
  });

  async upsert(docs: readonly ProductDoc[]): Promise<void> {
    assertValidDocs(docs);
    for (const doc of docs) {
      const stored = Object.freeze(toProductDoc(doc));
      if (this.#docs.has(stored.id)) this.#engine.replace(stored);
      else this.#engine.add(stored);
      this.#docs.set(stored.id, stored);
    }
  }

  async remove(ids: readonly string[]): Promise<void> {
    for (const id of ids) {
      if (!this.#docs.delete(id)) continue;
      this.#engine.discard(id);
    }
  }

  async search(query: SearchQuery): Promise<SearchResult> {
    assertValidQuery(query);
    const text = searchText(query);
    const matches = text === '' ? this.#browse(query) : this.#match(text, query);
    const total = Math.min(matches.length, searchLimits.maxTotalHits);
    const start = (query.page - 1) * query.pageSize;
    const hits = start >= total ? [] : matches.slice(start, Math.min(start + query.pageSize, total));
    return { hits, total, page: query.page, pageSize: query.pageSize, facets: facetsOf(matches) };
  }

  async get(id: string): Promise<ProductDoc | null> {
    return this.#docs.get(id) ?? null;
  }

  async clear(): Promise<void> {
    this.#engine.removeAll();
    this.#docs.clear();
  }

  async count(): Promise<number> {
    return this.#docs.size;
  }

  async close(): Promise<void> {
    await this.clear();
  }

  /** Every document passing the filters, in the query's order. */
  #browse(query: SearchQuery): ProductDoc[] {
    const matches: ProductDoc[] = [];
    for (const doc of this.#docs.values()) if (passesFilters(doc, query)) matches.push(doc);
    return matches.sort(comparatorFor(query.sort === 'relevance' ? 'newest' : query.sort));
  }

  #match(text: string, query: SearchQuery): ProductDoc[] {
    const scores = new Map<ProductDoc, number>();
    for (const result of this.#engine.search(textQuery(text))) {
      const doc = this.#docs.get(String(result.id));
      if (doc !== undefined && passesFilters(doc, query)) scores.set(doc, result.score);
    }
    const matches = [...scores.keys()];
    if (query.sort !== undefined && query.sort !== 'relevance') return matches.sort(comparatorFor(query.sort));
    return matches.sort((a, b) => (scores.get(b) ?? 0) - (scores.get(a) ?? 0) || newestFirst(a, b));
  }
}

function passesFilters(doc: ProductDoc, query: SearchQuery): boolean {
  if (query.category !== undefined && doc.category !== query.category) return false;
  if (query.sellerId !== undefined && doc.sellerId !== query.sellerId) return false;
  if (query.minPriceMinor !== undefined && doc.priceMinor < query.minPriceMinor) return false;
  if (query.maxPriceMinor !== undefined && doc.priceMinor > query.maxPriceMinor) return false;
  return true;
}

type Comparator = (a: ProductDoc, b: ProductDoc) => number;

function comparatorFor(sort: 'price_asc' | 'price_desc' | 'newest' | undefined): Comparator {
  switch (sort) {
    case 'price_asc':
      return (a, b) => a.priceMinor - b.priceMinor || newestFirst(a, b);
    case 'price_desc':
      return (a, b) => b.priceMinor - a.priceMinor || newestFirst(a, b);
    case 'newest':
    case undefined:
      return newestFirst;
    default: {
      const unhandled: never = sort;
      throw new Error(`unhandled sort ${String(unhandled)}`);
    }
  }
}

/** createdAt descending, then id ascending so the order is total and pages never overlap. */
function newestFirst(a: ProductDoc, b: ProductDoc): number {
  return b.createdAt - a.createdAt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

function facetsOf(matches: readonly ProductDoc[]): SearchFacets {
  const categories = new Map<string, number>();
  const sellers = new Map<string, number>();
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  for (const doc of matches) {
    categories.set(doc.category, (categories.get(doc.category) ?? 0) + 1);
    sellers.set(doc.sellerId, (sellers.get(doc.sellerId) ?? 0) + 1);
    min = Math.min(min, doc.priceMinor);
    max = Math.max(max, doc.priceMinor);
  }
  const price = matches.length === 0 ? null : { min, max };
  return { category: mostFrequent(categories), sellerId: mostFrequent(sellers), price };
}

/** The `maxFacetValues` most frequent values (ties alphabetical), as Meilisearch's count order gives. */
function mostFrequent(counts: ReadonlyMap<string, number>): Record<string, number> {
  const entries = [...counts].sort(([valueA, countA], [valueB, countB]) => countB - countA || (valueA < valueB ? -1 : 1));
  return Object.fromEntries(entries.slice(0, searchLimits.maxFacetValues));
}
