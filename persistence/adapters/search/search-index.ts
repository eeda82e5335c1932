/**
 * The product search port (DESIGN.md §1): MiniSearch in-process when embedded, Meilisearch in
 * production. The event processor upserts and removes products; the gateway searches.
 *
 * Guarantees every adapter gives (search.contract.ts checks them):
 * - `upsert` replaces a document with the same id; `remove` of an unknown id is a no-op. Both
 *   resolve only once the change is searchable, so a consumer may checkpoint after them.
 * - Text matching is typo tolerant and prefix-matches as you type: a term of 5–8 characters may
 *   have one typo, a longer term two; shorter terms match exactly or as a prefix (a typo in
 *   "cat" would match "car" and "hat"). Every term of `q` must match (AND). Case and diacritics
 *   are ignored. A blank `q` browses every document that passes the filters. The engines count
 *   edits slightly differently (Meilisearch counts a wrong first letter as two typos; MiniSearch
 *   counts plain Levenshtein edits), so "iphone" finds "Phone
 *   Stand" embedded but not on Meilisearch; the contract asserts only what both agree on. A swap of
 *   neighbours ("candel") is one typo in both (the MiniSearch adapter searches the swapped
 *   spellings too).
 * - Filters combine with AND. Price bounds are inclusive. `category` and `sellerId` are exact
 *   values: keep them canonical lowercase slugs, because Meilisearch compares them
 *   case-insensitively and MiniSearch does not.
 * - Sorts: `relevance` (best match first; with a blank `q` it falls back to `newest`),
 *   `price_asc` / `price_desc` (ties newest first), `newest` (createdAt descending). The last
 *   tie-breaker is id ascending, so pages never overlap.
 * - `total` counts every match, capped at `searchLimits.maxTotalHits`; a page past the end has
 *   no hits. Facets cover every match (not just the page), *including* each facet's own filter:
 *   with `category: 'phones'`, `facets.category` is `{ phones: n }`. That is what Meilisearch
 *   computes natively; a "show the other categories too" facet needs a second query.
 */
export interface ProductDoc {
  readonly id: string;
  readonly sellerId: string;
  readonly sellerName: string;
  readonly title: string;
  readonly description: string;
  /** A canonical lowercase slug, for example `phones`. */
  readonly category: string;
  /** Integer cents (DESIGN.md §3). */
  readonly priceMinor: number;
  readonly stock: number;
  readonly imageUrl: string | null;
  /** Epoch milliseconds from the injected clock. */
  readonly createdAt: number;
}

export type SearchSort = 'relevance' | 'price_asc' | 'price_desc' | 'newest';

export interface SearchQuery {
  readonly q?: string;
  readonly minPriceMinor?: number;
  readonly maxPriceMinor?: number;
  readonly category?: string;
  readonly sellerId?: string;
  /** Defaults to `relevance`. */
  readonly sort?: SearchSort;
  /** 1-based. */
  readonly page: number;
  /** 1 to `searchLimits.maxPageSize`. */
  readonly pageSize: number;
}

export interface PriceRange {
  readonly min: number;
  readonly max: number;
}

export interface SearchFacets {
  /** Matches per value, at most `searchLimits.maxFacetValues` values (the most frequent). */
  readonly category: Readonly<Record<string, number>>;
  readonly sellerId: Readonly<Record<string, number>>;
  /** Lowest and highest `priceMinor` among the matches; null when nothing matches. */
  readonly price: PriceRange | null;
}

export interface SearchResult {
  readonly hits: ProductDoc[];
  readonly total: number;
  readonly page: number;
  readonly pageSize: number;
  readonly facets: SearchFacets;
}

export interface SearchIndex {
  upsert(docs: readonly ProductDoc[]): Promise<void>;
  remove(ids: readonly string[]): Promise<void>;
  search(query: SearchQuery): Promise<SearchResult>;
  get(id: string): Promise<ProductDoc | null>;
  clear(): Promise<void>;
  count(): Promise<number>;
  close(): Promise<void>;
}

/** Every bound of the search port (STYLE.md, "Put a limit on everything"). */
export const searchLimits = {
  /** Hits per page; larger pages cost response size, not index work. */
  maxPageSize: 100,
  /** `total` stops counting here (Meilisearch's `maxTotalHits`); also the deepest page reachable.
   *  Raising it makes Meilisearch rank more candidates per query. */
  maxTotalHits: 10_000,
  /** Values returned per facet; a shop with more sellers lists only the most frequent. */
  maxFacetValues: 100,
  /** Characters of `q` that are used; Meilisearch itself reads only the first 10 words. */
  maxQueryLength: 200,
  /** Documents per `upsert`; the event processor batches at most this many. */
  maxUpsertBatch: 1_000,
} as const;

/** Throws a RangeError naming the first broken fact. The gateway validates first, so a throw is a bug. */
export function assertValidQuery(query: SearchQuery): void {
  assertInteger('page', query.page, 1, Number.MAX_SAFE_INTEGER);
  assertInteger('pageSize', query.pageSize, 1, searchLimits.maxPageSize);
  if (query.minPriceMinor !== undefined) assertInteger('minPriceMinor', query.minPriceMinor, 0, Number.MAX_SAFE_INTEGER);
  if (query.maxPriceMinor !== undefined) assertInteger('maxPriceMinor', query.maxPriceMinor, 0, Number.MAX_SAFE_INTEGER);
}

export function assertValidDocs(docs: readonly ProductDoc[]): void {
  if (docs.length > searchLimits.maxUpsertBatch) {
    throw new RangeError(`upsert of ${docs.length} documents exceeds ${searchLimits.maxUpsertBatch}`);
  }
  for (const doc of docs) {
    if (!/^[a-zA-Z0-9_-]{1,200}$/.test(doc.id)) throw new RangeError(`product id ${JSON.stringify(doc.id)} is not [a-zA-Z0-9_-]{1,200}`);
    assertInteger(`priceMinor of ${doc.id}`, doc.priceMinor, 0, Number.MAX_SAFE_INTEGER);
    assertInteger(`stock of ${doc.id}`, doc.stock, 0, Number.MAX_SAFE_INTEGER);
    assertInteger(`createdAt of ${doc.id}`, doc.createdAt, 0, Number.MAX_SAFE_INTEGER);
  }
}

/** The text actually searched: trimmed and cut to `maxQueryLength`; '' means browse. */
export function searchText(query: SearchQuery): string {
  return (query.q ?? '').trim().slice(0, searchLimits.maxQueryLength);
}

/** A copy holding exactly the ProductDoc fields, so engine extras (ranking data) never leak. */
export function toProductDoc(source: ProductDoc): ProductDoc {
  return {
    id: source.id,
    sellerId: source.sellerId,
    sellerName: source.sellerName,
    title: source.title,
    description: source.description,
    category: source.category,
    priceMinor: source.priceMinor,
    stock: source.stock,
    imageUrl: source.imageUrl,
    createdAt: source.createdAt,
  };
}

function assertInteger(name: string, value: number, min: number, max: number): void {
  if (!Number.isInteger(value)) throw new RangeError(`${name} must be an integer, got ${value}`);
  if (value < min) throw new RangeError(`${name} must be at least ${min}, got ${value}`);
  if (value > max) throw new RangeError(`${name} must be at most ${max}, got ${value}`);
}
