// @ts-check
/**
 * Fresh accounts for a run, created through the API in setup(): sellers with products (stock
 * high enough for any run) and buyers with funded wallets. The emails carry the run id, so each
 * run has its own accounts, and the deposits and products carry command ids, so a retried setup
 * request never funds a wallet twice or lists a product twice.
 */
import { sleep } from 'k6';
import { call, createProduct, deposit, mustStatus, register } from './api.js';

/** Words of five letters or more, which the search tolerates one typo in. */
const MATERIALS = ['walnut', 'ceramic', 'copper', 'marble', 'bamboo', 'velvet', 'leather', 'canvas', 'granite', 'linen'];
const THINGS = ['lantern', 'teapot', 'stool', 'blanket', 'shelf', 'basket', 'mirror', 'candle'];

/** The API's maximum stock, so no run sells out. */
const STOCK = 1000000;
/** How long new products may take to reach the read model (checkout reads it) and the search index. */
const LISTING_WAIT_S = 60;

/**
 * @typedef {import('./api.js').Account} Account
 * @typedef {import('./api.js').SellerAccount} SellerAccount
 * @typedef {{ sellers: SellerAccount[], buyers: Account[] }} Market
 */

/** @param {number} index */
export function productTitle(index) {
  return `${MATERIALS[index % MATERIALS.length]} ${THINGS[Math.floor(index / MATERIALS.length) % THINGS.length]}`;
}

/**
 * @param {string} name
 * @param {number} sellerIndex
 * @param {number} productsPerSeller
 * @returns {SellerAccount}
 */
function createSeller(name, sellerIndex, productsPerSeller) {
  const seller = register('SELLER', `${name}-seller-${sellerIndex}`);
  /** @type {string[]} */
  const productIds = [];
  for (let product = 0; product < productsPerSeller; product += 1) {
    const index = sellerIndex * productsPerSeller + product;
    const fields = { title: productTitle(index), description: 'Made for a k6 load test.', priceMinor: 1500 + index, stock: STOCK, category: 'load-test' };
    /** @type {import('./api.js').Product} */
    const created = mustStatus(createProduct(seller, `k6-product-${name}-${index}`, fields), 201, 'create product');
    productIds.push(created.id);
  }
  return { userId: seller.userId, token: seller.token, productIds };
}

/**
 * @param {string[]} productIds
 */
export function waitUntilListed(productIds) {
  const deadline = Date.now() + LISTING_WAIT_S * 1000;
  for (const productId of productIds) {
    while (call('GET', `/api/products/${productId}`, { name: '/api/products/:id (setup)' }).status !== 200) {
      if (Date.now() > deadline) throw new Error(`product ${productId} was not listed after ${LISTING_WAIT_S} s`);
      sleep(0.2);
    }
  }
}

/**
 * @param {{ name: string, sellers: number, productsPerSeller: number, buyers: number, fundingMinor: number }} shape
 *   `name` keeps the emails of two markets in one run apart.
 * @returns {Market}
 */
export function setUpMarket(shape) {
  /** @type {SellerAccount[]} */
  const sellers = [];
  for (let index = 0; index < shape.sellers; index += 1) sellers.push(createSeller(shape.name, index, shape.productsPerSeller));
  /** @type {Account[]} */
  const buyers = [];
  for (let index = 0; index < shape.buyers; index += 1) {
    const buyer = register('BUYER', `${shape.name}-buyer-${index}`);
    mustStatus(deposit(buyer, `k6-funding-${shape.name}-${index}`, shape.fundingMinor), 200, 'deposit');
    buyers.push(buyer);
  }
  waitUntilListed(sellers.flatMap((seller) => seller.productIds));
  return { sellers, buyers };
}

/**
 * `items[index % length]`; the scripts pick accounts round-robin by VU and iteration.
 * @template T
 * @param {T[]} items
 * @param {number} index
 * @returns {T}
 */
export function pick(items, index) {
  const item = items[index % items.length];
  if (item === undefined) throw new Error('pick from an empty list');
  return item;
}
