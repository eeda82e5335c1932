/**
 * The authorization matrix over real HTTP: every role against every other user's orders,
 * wallet, products and the operator routes. Every attempt is refused, and afterwards nothing
 * changed: the order is still PAID, the product still as created, the wallets untouched.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuthDto } from './api-types.ts';
import { productVisible, startTestGateway, type TestGateway } from './testing/gateway-harness.ts';

let harness: TestGateway;
let buyer: AuthDto;
let otherBuyer: AuthDto;
let seller: AuthDto;
let otherSeller: AuthDto;
let orderId: string;
let productId: string;

beforeAll(async () => {
  harness = await startTestGateway();
  [buyer, otherBuyer, seller, otherSeller] = await Promise.all([
    harness.register('b1@example.test', 'BUYER'),
    harness.register('b2@example.test', 'BUYER'),
    harness.register('s1@example.test', 'SELLER'),
    harness.register('s2@example.test', 'SELLER'),
  ]);
  await harness.call('POST', '/api/wallet/deposit', { token: buyer.token, body: { commandId: 'fund', amountMinor: 10_000 } });
  const product = await harness.call('POST', '/api/products', { token: seller.token, body: { commandId: randomUUID(), title: 'Lamp', description: '', priceMinor: 2_500, stock: 4, category: 'home' } });
  productId = product.body.id;
  // The read model must know the product before a checkout can find its seller.
  await productVisible(harness, productId);
  const placed = await harness.call('POST', '/api/checkout', { token: buyer.token, body: { checkoutId: randomUUID(), items: [{ productId, qty: 1 }] } });
  orderId = placed.body.orderIds[0];
}, 90_000);

afterAll(async () => {
  await harness?.close();
});

type Attempt = readonly [who: string, method: string, path: string, body?: unknown];

describe('authorization matrix', () => {
  it('refuses every role on every other user\'s orders', async () => {
    const attempts: Attempt[] = [
      ['otherBuyer', 'GET', `/api/orders/${orderId}`],
      ['otherSeller', 'GET', `/api/orders/${orderId}`],
      ['otherBuyer', 'POST', `/api/orders/${orderId}/confirm-delivery`],
      ['otherBuyer', 'POST', `/api/orders/${orderId}/dispute`, { reason: 'mine now' }],
      ['otherSeller', 'POST', `/api/orders/${orderId}/ship`],
      ['otherSeller', 'POST', `/api/orders/${orderId}/cancel`],
      ['buyer', 'POST', `/api/orders/${orderId}/ship`],
      // The order's own buyer may cancel it before shipping (README, "Cancel or dispute"); another may not.
      ['otherBuyer', 'POST', `/api/orders/${orderId}/cancel`],
      ['seller', 'POST', `/api/orders/${orderId}/confirm-delivery`],
      ['seller', 'POST', `/api/orders/${orderId}/dispute`, { reason: 'x' }],
      ['buyer', 'POST', `/api/orders/${orderId}/resolve`, { resolution: 'refund' }],
      ['seller', 'POST', `/api/orders/${orderId}/resolve`, { resolution: 'release' }],
      ['seller', 'POST', '/api/checkout', { checkoutId: 'c', items: [{ productId, qty: 1 }] }],
    ];
    await expectAllRefused(attempts);
    const order = await harness.call('GET', `/api/orders/${orderId}`, { token: buyer.token });
    expect(order.body.status).toBe('PAID');
  });

  it('refuses every seller on another seller\'s products, and buyers on every product write', async () => {
    const attempts: Attempt[] = [
      ['otherSeller', 'PATCH', `/api/products/${productId}`, { priceMinor: 1 }],
      ['otherSeller', 'DELETE', `/api/products/${productId}`],
      ['otherSeller', 'POST', `/api/products/${productId}/images`],
      ['buyer', 'POST', '/api/products', { title: 'x', description: '', priceMinor: 1, stock: 1, category: 'home' }],
      ['buyer', 'PATCH', `/api/products/${productId}`, { priceMinor: 1 }],
      ['buyer', 'DELETE', `/api/products/${productId}`],
      ['anonymous', 'POST', '/api/products', { title: 'x', description: '', priceMinor: 1, stock: 1, category: 'home' }],
    ];
    await expectAllRefused(attempts);
    const product = await harness.call('GET', `/api/products/${productId}`);
    expect(product.body).toMatchObject({ priceMinor: 2_500 });
  });

  it('gives every user only their own wallet, whatever they ask for', async () => {
    const other = await harness.call('GET', `/api/wallet?userId=${buyer.user.id}`, { token: otherBuyer.token });
    expect(other.body).toMatchObject({ userId: otherBuyer.user.id, balanceMinor: 0 });
    const ledger = await harness.call('GET', `/api/wallet/ledger?walletId=${buyer.user.id}`, { token: otherBuyer.token });
    expect(ledger.body.items).toEqual([]);
    await expectAllRefused([
      ['anonymous', 'GET', '/api/wallet'],
      ['anonymous', 'POST', '/api/wallet/withdraw', { commandId: 'w', amountMinor: 1 }],
    ]);
    const mine = await harness.call('GET', '/api/wallet', { token: buyer.token });
    expect(mine.body.balanceMinor).toBe(7_500);
  });

  it('refuses every non-admin on every operator route', async () => {
    const paths = ['/api/admin/actors', `/api/admin/actors/order:${orderId}`, `/api/admin/actors/order:${orderId}/journal`, `/api/admin/actors/order:${orderId}/state?atSeq=1`, '/api/admin/ledger/audit'];
    const attempts: Attempt[] = [];
    for (const who of ['anonymous', 'buyer', 'seller']) for (const path of paths) attempts.push([who, 'GET', path]);
    await expectAllRefused(attempts);
  });
});

async function expectAllRefused(attempts: readonly Attempt[]): Promise<void> {
  const tokens: Record<string, string | undefined> = { buyer: buyer.token, otherBuyer: otherBuyer.token, seller: seller.token, otherSeller: otherSeller.token, anonymous: undefined };
  for (const [who, method, path, body] of attempts) {
    const token = tokens[who];
    const response = await harness.call(method, path, { ...(token === undefined ? {} : { token }), ...(body === undefined ? {} : { body }) });
    expect([401, 403, 404], `${who} ${method} ${path} → ${response.status} ${JSON.stringify(response.body)}`).toContain(response.status);
    expect(response.body.error.code).toMatch(/^[a-z_]+$/);
  }
}
