/**
 * The operator console's finder and overview: an order found by the number a customer reads out,
 * a user by email, a seller by a product title, each with status, buyer and seller; an unknown
 * key found nowhere and left asleep; an overview sample that counts what happened; and the
 * session read that answers a signed-out visitor without an error.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { orderNumber } from '../../actors/order/order-number.ts';
import type { ActorSearchDto, OverviewDto } from '../admin-api-types.ts';
import type { AuthDto } from '../api-types.ts';
import { eventually, productVisible, startTestGateway, type TestGateway } from '../testing/gateway-harness.ts';

let harness: TestGateway;
let admin: AuthDto;
let buyer: AuthDto;
let seller: AuthDto;
let orderId: string;

beforeAll(async () => {
  harness = await startTestGateway();
  admin = await harness.admin();
  buyer = await harness.register('finder-buyer@example.test', 'BUYER');
  seller = await harness.register('finder-seller@example.test', 'SELLER');
  await harness.call('POST', '/api/wallet/deposit', { token: buyer.token, body: { commandId: 'dep', amountMinor: 10_000 } });
  const product = await harness.call('POST', '/api/products', { token: seller.token, body: { commandId: randomUUID(), title: 'Scented Candle', description: 'Cedar', priceMinor: 1_500, stock: 9, category: 'home' } });
  await productVisible(harness, product.body.id);
  const placed = await harness.call('POST', '/api/checkout', { token: buyer.token, body: { checkoutId: randomUUID(), items: [{ productId: product.body.id, qty: 1 }] } });
  orderId = (placed.body.orderIds as string[])[0] as string;
  await eventually(async () => ((await harness.gateway.system.stores.db.query('SELECT 1 FROM orders WHERE id = $1 AND status = $2', [orderId, 'PAID'])).length > 0 ? true : null));
}, 120_000);

afterAll(async () => {
  await harness?.close();
});

async function find(q: string): Promise<ActorSearchDto> {
  const response = await harness.call('GET', `/api/admin/search?q=${encodeURIComponent(q)}`, { token: admin.token });
  expect(response.status).toBe(200);
  return response.body as ActorSearchDto;
}

describe('GET /api/admin/search', () => {
  it('finds an order by the number on the receipt, with status, buyer and seller, and the full key', async () => {
    const found = await find(`#${orderNumber(orderId).toLowerCase()}`);
    expect(found.items).toHaveLength(1);
    expect(found.items[0]).toMatchObject({ key: `order:${orderId}`, kind: 'order', matchedBy: 'order number', status: 'PAID' });
    expect(found.items[0]?.buyer).toContain('finder-buyer@example.test');
    expect(found.items[0]?.seller).toContain('finder-seller@example.test');
  });

  it('finds a user by email and a seller by a product title', async () => {
    const byEmail = await find('finder-buyer@');
    expect(byEmail.items.map((match) => match.key)).toEqual([`wallet:${buyer.user.id}`]);
    const byTitle = await find('candle');
    expect(byTitle.items).toContainEqual(expect.objectContaining({ key: `seller:${seller.user.id}`, matchedBy: 'product title', status: 'listed, 8 in stock' }));
  });

  it('finds nothing for an unknown key, a LIKE wildcard or a number no order has, and wakes no actor', async () => {
    expect((await find('order:no-such-order')).items).toEqual([]);
    expect((await find('%')).items).toEqual([]);
    expect((await find('00000000')).items).toEqual([]);
    expect(harness.gateway.system.runtime.isResident('order:no-such-order')).toBe(false);
  });

  it('refuses a blank query with 400 and a non-admin with 403', async () => {
    expect((await harness.call('GET', '/api/admin/search?q=%20', { token: admin.token })).status).toBe(400);
    expect((await harness.call('GET', '/api/admin/search?q=candle', { token: buyer.token })).status).toBe(403);
  });
});

describe('GET /api/admin/overview', () => {
  it('samples actors by kind, counters, consumer lag and timers', async () => {
    const response = await harness.call('GET', '/api/admin/overview', { token: admin.token });
    expect(response.status).toBe(200);
    const overview = response.body as OverviewDto;
    expect(overview.kinds.map((kind) => kind.kind)).toEqual(expect.arrayContaining(['order', 'seller', 'wallet']));
    // The buyer's wallet stays resident; a paid order waiting for its seller is at rest and stops.
    expect(overview.kinds.find((kind) => kind.kind === 'wallet')?.resident).toBeGreaterThanOrEqual(1);
    expect(overview.counters.commandsAccepted).toBeGreaterThan(0);
    expect(overview.counters.journalBatches).toBeGreaterThan(0);
    expect(overview.counters.rejections).toBeGreaterThanOrEqual(2);
    expect(overview.consumerLag.length).toBeGreaterThan(0);
    // The paid order waits for shipping: its ship-by timer is pending.
    expect(overview.timers.pending).toBeGreaterThanOrEqual(1);
    expect(overview.timers.nextDueAt).not.toBeNull();
  });
});

describe('GET /api/session', () => {
  it('answers a signed-out visitor 200 with null, and a signed-in one with the user', async () => {
    const signedOut = await harness.call('GET', '/api/session');
    expect(signedOut).toMatchObject({ status: 200, body: { user: null } });
    const signedIn = await harness.call('GET', '/api/session', { token: buyer.token });
    expect(signedIn.status).toBe(200);
    expect(signedIn.body.user).toMatchObject({ id: buyer.user.id, role: 'BUYER' });
  });
});
