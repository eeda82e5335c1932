// @ts-check
/**
 * Browsing, anonymous: the home page (newest products, a rotating page), a product page, and a
 * search with a typo that the typo-tolerant search must still answer with hits.
 */
import { check, fail, sleep } from 'k6';
import { call, expectStatus, json } from './api.js';
import { pick, productTitle, setUpMarket } from './market.js';

/** How long setup waits for the fresh products to become searchable (Meilisearch indexes asynchronously). */
const SEARCH_WAIT_S = 60;

/** @typedef {{ productIds: string[], searchTerms: string[] }} Catalog */

/**
 * One typo per word: a letter typed twice (`walnnut`), one edit away. Words of five letters or
 * more tolerate one typo; a swap of two letters would be two edits.
 * @param {string} word
 * @param {number} seed
 */
export function withTypo(word, seed) {
  const at = 1 + (seed % (word.length - 1));
  return `${word.slice(0, at)}${word[at - 1]}${word.slice(at)}`;
}

/**
 * A fresh seller with products whose titles are real words (the existing catalog is used too,
 * but a fresh deployment may have none), and search terms with typos from those titles.
 * @param {number} products
 * @returns {Catalog}
 */
export function setUpCatalog(products) {
  const market = setUpMarket({ name: 'catalog', sellers: 1, productsPerSeller: products, buyers: 0, fundingMinor: 1 });
  const seller = market.sellers[0];
  if (seller === undefined) return fail('no seller was created');
  const words = [...new Set(Array.from({ length: products }, (_, index) => productTitle(index).split(' ')).flat())].filter((word) => word.length >= 5);
  const searchTerms = words.map((word, index) => withTypo(word, index));
  waitUntilSearchable(searchTerms);
  const listed = json(call('GET', '/api/products?pageSize=100'));
  /** @type {string[]} */
  const existing = listed && Array.isArray(listed.items) ? listed.items.map((/** @type {{ id: string }} */ item) => item.id) : [];
  return { productIds: [...new Set([...seller.productIds, ...existing])], searchTerms };
}

/** @param {string[]} terms */
function waitUntilSearchable(terms) {
  const deadline = Date.now() + SEARCH_WAIT_S * 1000;
  for (const term of terms) {
    for (;;) {
      const body = json(call('GET', `/api/search?q=${encodeURIComponent(term)}`, { name: '/api/search (setup)' }));
      if (body && body.total > 0) break;
      if (Date.now() > deadline) fail(`search for ${term} found nothing after ${SEARCH_WAIT_S} s`);
      sleep(0.5);
    }
  }
}

/**
 * Two home pages, two product pages and one search in every five iterations.
 * @param {Catalog} catalog
 * @param {number} iteration
 */
export function browseOnce(catalog, iteration) {
  const slot = iteration % 5;
  if (slot < 2) {
    const page = 1 + (Math.floor(iteration / 5) % 5);
    const body = expectStatus(call('GET', `/api/products?page=${page}&pageSize=20`, { name: '/api/products' }), 200, 'home page');
    check(body, { 'home page lists products': (b) => b !== null && Array.isArray(b.items) });
  } else if (slot < 4) {
    const productId = pick(catalog.productIds, iteration);
    const body = expectStatus(call('GET', `/api/products/${productId}`, { name: '/api/products/:id' }), 200, 'product page');
    check(body, { 'product page shows the product': (b) => b !== null && b.id === productId });
  } else {
    const term = pick(catalog.searchTerms, iteration);
    const body = expectStatus(call('GET', `/api/search?q=${encodeURIComponent(term)}&pageSize=20`, { name: '/api/search' }), 200, 'search');
    check(body, { 'search with a typo finds products': (b) => b !== null && b.total > 0 });
  }
}
