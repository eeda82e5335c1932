/**
 * Browse: what anonymous shoppers do most. Of every five arrivals two open the home page (the
 * newest products, on a rotating page), two open a product page, and one searches with a typo,
 * which the typo-tolerant search must still answer with hits.
 */
import type { Page, ProductDto, SearchDto } from '../../../gateway/api-types.ts';
import type { TaskOutcome } from '../arrivals.ts';
import { call } from '../api-client.ts';
import { noExtra, pick, type ScenarioWorker, type WorkerFixture } from './scenario.ts';

/** Home pages rotated through: deep pages cost the read model more than the first. */
const homePages = 5;

async function home(fixture: WorkerFixture, index: number): Promise<TaskOutcome> {
  const answer = await call<Page<ProductDto>>(fixture.baseUrl, 'GET', `/api/products?page=${1 + (index % homePages)}&pageSize=20`);
  if (!answer.ok) return answer;
  return Array.isArray(answer.body.items) ? { ok: true } : { ok: false, code: 'check_home_items' };
}

async function product(fixture: WorkerFixture, index: number): Promise<TaskOutcome> {
  const productId = pick(fixture.productIds, index);
  const answer = await call<ProductDto>(fixture.baseUrl, 'GET', `/api/products/${productId}`);
  if (!answer.ok) return answer;
  return answer.body.id === productId ? { ok: true } : { ok: false, code: 'check_product_id' };
}

async function search(fixture: WorkerFixture, index: number): Promise<TaskOutcome> {
  const term = pick(fixture.searchTerms, index);
  const answer = await call<SearchDto>(fixture.baseUrl, 'GET', `/api/search?q=${encodeURIComponent(term)}&pageSize=20`);
  if (!answer.ok) return answer;
  return answer.body.total > 0 ? { ok: true } : { ok: false, code: 'check_search_hits' };
}

export function browseWorker(fixture: WorkerFixture): ScenarioWorker {
  if (fixture.productIds.length === 0 || fixture.searchTerms.length === 0) throw new Error('browse needs products and search terms');
  return {
    task: (index) => {
      const slot = index % 5;
      if (slot < 2) return home(fixture, index);
      if (slot < 4) return product(fixture, index);
      return search(fixture, index);
    },
    afterStep: async () => noExtra,
    close: async () => noExtra,
  };
}

/**
 * One typo per word: a letter typed twice (`chaair`), one edit away, which the search tolerates
 * in words of five letters or more. (A swap of two letters is two edits to Levenshtein matching.)
 */
export function withTypo(word: string, seed: number): string {
  if (word.length < 2) return word;
  const at = 1 + (seed % (word.length - 1));
  return `${word.slice(0, at)}${word[at - 1] ?? ''}${word.slice(at)}`;
}

/** Search terms with typos from product titles: words of five letters or more, which fuzzy matching reaches within one edit. */
export function typoTerms(titles: readonly string[]): string[] {
  const words = [...new Set(titles.flatMap((title) => title.toLowerCase().split(/[^a-z]+/)).filter((word) => word.length >= 5))];
  return words.map((word, index) => withTypo(word, index));
}
