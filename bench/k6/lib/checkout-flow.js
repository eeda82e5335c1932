// @ts-check
/**
 * One purchase, end to end, with the retries real clients make: the buyer checks out one item
 * with a client-chosen checkoutId and retries the same checkout (it must answer the same
 * orderIds: no second purchase), the seller ships and retries the ship with the same commandId,
 * the buyer confirms delivery and retries that too. Every retry must succeed and change nothing.
 */
import { check, group } from 'k6';
import { RUN_ID, call, expectStatus } from './api.js';
import { pick } from './market.js';

/**
 * @typedef {import('./market.js').Market} Market
 * @typedef {import('./api.js').Account} Account
 */

/**
 * Sends an order command twice with one commandId; both must answer 200 with a status in `statuses`.
 * @param {Account} account
 * @param {string} orderId
 * @param {string} action
 * @param {string} commandId
 * @param {string[]} statuses
 */
function orderCommandTwice(account, orderId, action, commandId, statuses) {
  const name = `/api/orders/:id/${action}`;
  const first = expectStatus(call('POST', `/api/orders/${orderId}/${action}`, { token: account.token, body: { commandId }, name }), 200, action);
  const retry = expectStatus(call('POST', `/api/orders/${orderId}/${action}`, { token: account.token, body: { commandId }, name }), 200, `${action} retry`);
  check(first, { [`${action} moves the order on`]: (body) => body !== null && statuses.includes(body.status) });
  check(retry, { [`${action} retry is accepted as the same command`]: (body) => body !== null && statuses.includes(body.status) });
  return first !== null;
}

/**
 * @param {Market} market
 * @param {number} vu
 * @param {number} iteration
 * @returns {string[]} the orders placed (empty when the checkout failed)
 */
export function placeOrder(market, vu, iteration) {
  const buyer = pick(market.buyers, vu * 31 + iteration);
  const seller = pick(market.sellers, vu + iteration);
  const checkoutId = `k6-${RUN_ID}-${vu}-${iteration}`;
  const body = { checkoutId, items: [{ productId: pick(seller.productIds, iteration), qty: 1 }] };
  const placed = expectStatus(call('POST', '/api/checkout', { token: buyer.token, body }), 201, 'checkout');
  if (placed === null) return [];
  // The deliberate retry: a double click or a timeout retried by the client.
  const retried = expectStatus(call('POST', '/api/checkout', { token: buyer.token, body }), 201, 'checkout retry');
  check(retried, { 'checkout retry answers the same orders': (again) => again !== null && again.orderIds.join(',') === placed.orderIds.join(',') });
  return placed.orderIds;
}

/**
 * @param {Market} market
 * @param {number} vu
 * @param {number} iteration
 */
export function purchaseOnce(market, vu, iteration) {
  const buyer = pick(market.buyers, vu * 31 + iteration);
  const seller = pick(market.sellers, vu + iteration);
  const checkoutId = `k6-${RUN_ID}-${vu}-${iteration}`;
  const orderIds = group('checkout', () => placeOrder(market, vu, iteration));
  const orderId = orderIds[0];
  if (!check(orderIds, { 'one seller, one order': (ids) => ids.length === 1 }) || orderId === undefined) return;
  const shipped = group('ship', () => orderCommandTwice(seller, orderId, 'ship', `${checkoutId}-ship`, ['SHIPPED']));
  if (!shipped) return;
  group('confirm delivery', () => orderCommandTwice(buyer, orderId, 'confirm-delivery', `${checkoutId}-confirm`, ['DELIVERED', 'COMPLETED']));
}
