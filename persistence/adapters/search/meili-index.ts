/**
 * The production search index on Meilisearch (DESIGN.md §6: on when MEILI_URL and MEILI_KEY are
 * set), through the official `meilisearch` client. Every write waits for its task and fails if the
 * task failed, so the event processor checkpoints only what Meilisearch really indexed.
 */
import type { EnqueuedTaskPromise, Index, SearchParams, Settings, Task } from 'meilisearch';
import { Meilisearch, MeilisearchApiError } from 'meilisearch';
import type { ProductDoc, SearchFacets, SearchIndex, SearchQuery, SearchResult, SearchSort } from './search-index.ts';
import { assertValidDocs, assertValidQuery, searchLimits, searchText, toProductDoc } from './search-index.ts';

export interface MeiliIndexOptions {
  /** MEILI_URL, for example `http://127.0.0.1:7700`. */
  readonly host: string;
  /** MEILI_KEY. */
  readonly apiKey: string;
  /** Index uid; tests use a fresh one each. */
  readonly indexUid: string;
  /** How long a write waits for Meilisearch to finish its task before it fails. */
  readonly taskTimeoutMs?: number;
}

/** Settings that make Meilisearch keep the port's promises (search-index.ts). */
export const productIndexSettings: Settings = {
  // Order is the "attribute" ranking rule: title > category > description > seller name.
  searchableAttributes: ['title', 'category', 'description', 'sellerName'],
  filterableAttributes: ['category', 'sellerId', 'priceMinor'],
  sortableAttributes: ['priceMinor', 'createdAt', 'id'],
  // "sort" first: a price sort orders every match strictly by price, typo matches included.
  // Without a sort parameter the rule does nothing and relevance decides.
  rankingRules: ['sort', 'words', 'typo', 'proximity', 'attribute', 'exactness'],
  typoTolerance: { enabled: true, minWordSizeForTypos: { oneTypo: 5, twoTypos: 9 } },
  faceting: { maxValuesPerFacet: searchLimits.maxFacetValues, sortFacetValuesBy: { '*': 'count' } },
  pagination: { maxTotalHits: searchLimits.maxTotalHits },
};

const defaultTaskTimeoutMs = 30_000;

export class MeiliSearchIndex implements SearchIndex {
  readonly #index: Index<ProductDoc>;
  readonly #taskTimeoutMs: number;

  private constructor(index: Index<ProductDoc>, taskTimeoutMs: number) {
    this.#index = index;
    this.#taskTimeoutMs = taskTimeoutMs;
  }

  /** Creates the index when it is missing and applies `productIndexSettings`. */
  static async open(options: MeiliIndexOptions): Promise<MeiliSearchIndex> {
    const client = new Meilisearch({ host: options.host, apiKey: options.apiKey });
    const timeoutMs = options.taskTimeoutMs ?? defaultTaskTimeoutMs;
    const created = await client.createIndex(options.indexUid, { primaryKey: 'id' }).waitTask({ timeout: timeoutMs });
    if (created.status !== 'succeeded' && created.error?.code !== 'index_already_exists') throw taskFailure(created);
    const index = new MeiliSearchIndex(client.index<ProductDoc>(options.indexUid), timeoutMs);
    await index.#settle(index.#index.updateSettings(productIndexSettings));
    return index;
  }

  async upsert(docs: readonly ProductDoc[]): Promise<void> {
    assertValidDocs(docs);
    if (docs.length === 0) return;
    await this.#settle(this.#index.addDocuments(docs.map(toProductDoc), { primaryKey: 'id' }));
  }

  async remove(ids: readonly string[]): Promise<void> {
    if (ids.length === 0) return;
    await this.#settle(this.#index.deleteDocuments([...ids]));
  }

  async search(query: SearchQuery): Promise<SearchResult> {
    assertValidQuery(query);
    const text = searchText(query);
    const response = await this.#index.search(text, searchParams(query, text));
    return {
      hits: response.hits.map(toProductDoc),
      total: response.totalHits,
      page: query.page,
      pageSize: query.pageSize,
      facets: facetsOf(response.facetDistribution, response.facetStats),
    };
  }

  async get(id: string): Promise<ProductDoc | null> {
    try {
      return toProductDoc(await this.#index.getDocument(id));
    } catch (error) {
      if (error instanceof MeilisearchApiError && error.cause?.code === 'document_not_found') return null;
      throw error;
    }
  }

  async clear(): Promise<void> {
    await this.#settle(this.#index.deleteAllDocuments());
  }

  async count(): Promise<number> {
    return (await this.#index.getStats()).numberOfDocuments;
  }

  /** The client holds no connection of its own (it uses fetch). */
  async close(): Promise<void> {}

  /** Deletes the whole index; tests call it on their throwaway index. */
  async drop(): Promise<void> {
    await this.#settle(this.#index.delete());
  }

  async #settle(enqueued: EnqueuedTaskPromise): Promise<void> {
    const task = await enqueued.waitTask({ timeout: this.#taskTimeoutMs });
    if (task.status !== 'succeeded') throw taskFailure(task);
  }
}

function searchParams(query: SearchQuery, text: string) {
  const sort = query.sort ?? 'relevance';
  return {
    page: query.page,
    hitsPerPage: query.pageSize,
    filter: filterOf(query),
    sort: sortOf(text === '' && sort === 'relevance' ? 'newest' : sort),
    facets: ['category', 'sellerId', 'priceMinor'],
    matchingStrategy: 'all',
  } satisfies SearchParams;
}

/** One AND-ed clause per filter; string values are quoted and escaped, never spliced raw. */
function filterOf(query: SearchQuery): string[] {
  const clauses: string[] = [];
  if (query.category !== undefined) clauses.push(`category = ${quoted(query.category)}`);
  if (query.sellerId !== undefined) clauses.push(`sellerId = ${quoted(query.sellerId)}`);
  if (query.minPriceMinor !== undefined) clauses.push(`priceMinor >= ${query.minPriceMinor}`);
  if (query.maxPriceMinor !== undefined) clauses.push(`priceMinor <= ${query.maxPriceMinor}`);
  return clauses;
}

function quoted(value: string): string {
  return `"${value.replaceAll('\\', '\\\\').replaceAll('"', '\\"')}"`;
}

/** Meilisearch sort expressions; an empty list leaves the order to relevance. */
function sortOf(sort: SearchSort): string[] {
  switch (sort) {
    case 'relevance':
      return [];
    case 'price_asc':
      return ['priceMinor:asc', 'createdAt:desc', 'id:asc'];
    case 'price_desc':
      return ['priceMinor:desc', 'createdAt:desc', 'id:asc'];
    case 'newest':
      return ['createdAt:desc', 'id:asc'];
    default: {
      const unhandled: never = sort;
      throw new Error(`unhandled sort ${String(unhandled)}`);
    }
  }
}

function facetsOf(
  distribution: Record<string, Record<string, number>> | undefined,
  stats: Record<string, { min: number; max: number }> | undefined,
): SearchFacets {
  const price = stats?.['priceMinor'];
  return {
    category: { ...distribution?.['category'] },
    sellerId: { ...distribution?.['sellerId'] },
    price: price === undefined ? null : { min: price.min, max: price.max },
  };
}

function taskFailure(task: Task): Error {
  return new Error(`Meilisearch task ${task.uid} (${task.type}) ${task.status}: ${task.error?.message ?? 'no error given'}`);
}
