// @ts-check
/**
 * The Bazaary API as the k6 scripts use it: JSON requests with a Bearer token, a parsed body,
 * and registration of fresh accounts with unique emails, so a run never depends on the demo seed
 * or on an earlier run. Wire shapes follow gateway/api-types.ts (money in integer cents).
 */
import http from 'k6/http';
import { check, fail } from 'k6';

/** Where the app listens; the compose k6 service sets http://app:3000. */
export const BASE_URL = (__ENV.BASE_URL || 'http://localhost:3000').replace(/\/$/, '');

/**
 * A unique tag for this run's accounts and client-chosen ids (checkoutId, commandId). Init code
 * runs once per VU, so each VU draws its own; that only adds to the uniqueness.
 */
export const RUN_ID = __ENV.RUN_ID || `${Date.now().toString(36)}${Math.floor(Math.random() * 1e6).toString(36)}`;

const PASSWORD = 'k6-load-test-password';

/**
 * @typedef {{ id: string, email: string, role: 'BUYER' | 'SELLER' | 'ADMIN' }} User
 * @typedef {{ user: User, token: string }} Auth
 * @typedef {{ userId: string, token: string }} Account
 * @typedef {{ userId: string, token: string, productIds: string[] }} SellerAccount
 * @typedef {{ id: string, title: string, sellerId: string, priceMinor: number, stock: number }} Product
 * @typedef {{ checkoutId: string, orderIds: string[] }} Checkout
 * @typedef {{ orderId: string, status: string | null }} OrderAnswer
 * @typedef {{ error: { code: string, message: string } }} ApiError
 */

/**
 * @typedef {object} CallOptions
 * @property {string} [token] Bearer token.
 * @property {unknown} [body] Sent as JSON.
 * @property {string} [name] Groups URLs with ids under one metric tag (k6's `name` tag).
 */

/**
 * @param {string} method
 * @param {string} path
 * @param {CallOptions} [options]
 */
export function call(method, path, options = {}) {
  /** @type {Record<string, string>} */
  const headers = { 'Content-Type': 'application/json' };
  if (options.token) headers['Authorization'] = `Bearer ${options.token}`;
  const body = options.body === undefined ? null : JSON.stringify(options.body);
  return http.request(method, `${BASE_URL}${path}`, body, { headers, tags: { name: options.name || path } });
}

/**
 * The JSON body of a response, or null when it has none or it is not JSON.
 * @param {import('k6/http').Response} res
 * @returns {any}
 */
export function json(res) {
  try {
    return typeof res.body === 'string' && res.body !== '' ? JSON.parse(res.body) : null;
  } catch (_error) {
    return null;
  }
}

/**
 * Checks the status (named in the summary) and answers the parsed body, or null when the check failed.
 * @param {import('k6/http').Response} res
 * @param {number} status
 * @param {string} what
 * @returns {any}
 */
export function expectStatus(res, status, what) {
  const passed = check(res, { [`${what}: ${status}`]: (r) => r.status === status });
  if (!passed) {
    const body = json(res);
    console.warn(`${what}: expected ${status}, got ${res.status} ${body && body.error ? body.error.code : ''}`);
    return null;
  }
  return json(res);
}

/**
 * Setup only: any failure stops the run, since a load test on a broken fixture measures nothing.
 * @param {import('k6/http').Response} res
 * @param {number} status
 * @param {string} what
 * @returns {any}
 */
export function mustStatus(res, status, what) {
  const body = expectStatus(res, status, what);
  if (body === null) fail(`${what} failed with ${res.status}: ${String(res.body).slice(0, 200)}`);
  return body;
}

/**
 * @param {'BUYER' | 'SELLER'} role
 * @param {string} label unique within the run
 * @returns {Account}
 */
export function register(role, label) {
  const email = `k6-${RUN_ID}-${label}@example.test`;
  /** @type {Auth} */
  const auth = mustStatus(call('POST', '/api/auth/register', { body: { email, password: PASSWORD, role }, name: '/api/auth/register' }), 201, `register ${role.toLowerCase()}`);
  return { userId: auth.user.id, token: auth.token };
}

/**
 * Login is limited to 5 attempts per minute per IP: scripts log in once, in setup or teardown.
 * @param {string} email
 * @param {string} password
 * @returns {string | null} the token, or null when the credentials were refused
 */
export function login(email, password) {
  const res = call('POST', '/api/auth/login', { body: { email, password } });
  if (res.status !== 200) return null;
  /** @type {Auth} */
  const auth = json(res);
  return auth.token;
}

/**
 * Idempotent by commandId: a retry with the same id moves the money once.
 * @param {Account} account
 * @param {string} commandId
 * @param {number} amountMinor cents
 */
export function deposit(account, commandId, amountMinor) {
  return call('POST', '/api/wallet/deposit', { token: account.token, body: { commandId, amountMinor } });
}

/**
 * Idempotent by commandId: a retry with the same id creates the product once and answers it again.
 * @param {Account} account a seller
 * @param {string} commandId
 * @param {{ title: string, description: string, priceMinor: number, stock: number, category: string }} fields
 */
export function createProduct(account, commandId, fields) {
  return call('POST', '/api/products', { token: account.token, body: { commandId, ...fields } });
}
