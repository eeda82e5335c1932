/**
 * Issue #15 at the edge, the views people get: a checkout refused for money leaves no order, no
 * stats and no notification for buyer or seller (operators still see it); the notification
 * centre lists persisted notifications newest first with read marks kept on the server; the
 * seller's order desk filters, finds by number and shows buyer, items, ship-by and tracking.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { orderNumber } from '../../actors/order/order-number.ts';
import type { AuthDto, NotificationCentreDto, OrderDto, Page } from '../api-types.ts';
import { eventually, startTestGateway, type TestGateway } from '../testing/gateway-harness.ts';

let harness: TestGateway;
let buyer: AuthDto;
let sellerA: AuthDto;
let sellerB: AuthDto;

beforeAll(async () => {
  harness = await startTestGateway();
  buyer = await harness.register('centre-buyer@example.test', 'BUYER');
  sellerA = await harness.register('centre-seller-a@example.test', 'SELLER');
  sellerB = await harness.register('centre-seller-b@example.test', 'SELLER');
}, 180_000);

afterAll(async () => {
  await harness?.close();
});

async function product(seller: AuthDto, priceMinor: number): Promise<string> {
  const created = await harness.call('POST', '/api/products', { token: seller.token, body: { commandId: randomUUID(), title: 'Lamp', description: 'Warm', priceMinor, stock: 9, category: 'home' } });
  expect(created.status).toBe(201);
  const id = created.body.id as string;
  // Checkout finds products in the read model, which follows the seller's journal a moment later.
  await eventually(async () => ((await harness.call('GET', `/api/products/${id}`)).status === 200 ? true : null), 60_000);
  return id;
}

async function centre(token: string, query = ''): Promise<NotificationCentreDto> {
  const response = await harness.call('GET', `/api/notifications${query}`, { token });
  expect(response.status).toBe(200);
  return response.body as NotificationCentreDto;
}

describe('a refused checkout leaves no trace for people', () => {
  it('keeps its orders out of the buyer list, the seller list, the stats and every notification', async () => {
    const productA = await product(sellerA, 3_000);
    const productB = await product(sellerB, 3_000);
    expect((await harness.call('POST', '/api/wallet/deposit', { token: buyer.token, body: { commandId: 'd1', amountMinor: 4_000 } })).status).toBe(200);
    const refused = await harness.call('POST', '/api/checkout', {
      token: buyer.token,
      body: { checkoutId: randomUUID(), items: [{ productId: productA, qty: 1 }, { productId: productB, qty: 1 }] },
    });
    expect(refused.status).toBe(409);
    expect(refused.body.error.code).toBe('insufficient_funds');
    const db = harness.gateway.system.stores.db;
    // The journal and the read model keep both orders for operators.
    const kept = await eventually(async () => {
      const rows = await db.query("SELECT id FROM orders WHERE buyer_id = $1 AND status IN ('FAILED', 'CANCELLED') AND saga IS NULL", [buyer.user.id]);
      return rows.length === 2 ? rows : null;
    }, 60_000);
    expect(kept).toHaveLength(2);
    expect((await harness.call('GET', '/api/orders', { token: buyer.token })).body.total).toBe(0);
    for (const seller of [sellerA, sellerB]) {
      expect((await harness.call('GET', '/api/seller/orders', { token: seller.token })).body.total).toBe(0);
      const stats = (await harness.call('GET', '/api/seller/stats', { token: seller.token })).body;
      expect([stats.ordersPlaced, stats.ordersCancelled, stats.fulfilmentRate]).toEqual([0, 0, null]);
      expect((await centre(seller.token)).items).toEqual([]);
    }
    // The buyer's own deposit is persisted (other tabs refresh on it) but is no news to them.
    expect((await centre(buyer.token)).items).toEqual([]);
  });
});

describe('the notification centre', () => {
  it('lists newest first, pages back by seq, and keeps read marks on the server', async () => {
    const user = await harness.register('centre-reader@example.test', 'SELLER');
    const shopper = await harness.register('centre-shopper@example.test', 'BUYER');
    const productId = await product(user, 500);
    expect((await harness.call('POST', '/api/wallet/deposit', { token: shopper.token, body: { commandId: 's1', amountMinor: 10_000 } })).status).toBe(200);
    for (let count = 0; count < 3; count += 1) {
      const placed = await harness.call('POST', '/api/checkout', { token: shopper.token, body: { checkoutId: randomUUID(), items: [{ productId, qty: 1 }] } });
      expect(placed.status).toBe(201);
    }
    const all = await eventually(async () => {
      const listed = await centre(user.token);
      return listed.items.length === 3 ? listed : null;
    }, 60_000);
    expect(all.items.map((entry) => entry.notification.seq)).toEqual([3, 2, 1]);
    expect(all.items.map((entry) => entry.notification.event)).toEqual(['order.new', 'order.new', 'order.new']);
    expect(all.unread).toBe(3);
    expect((await centre(user.token, '?before=3&limit=1')).items.map((entry) => entry.notification.seq)).toEqual([2]);

    const one = await harness.call('POST', '/api/notifications/read', { token: user.token, body: { seq: 2 } });
    expect(one.body).toEqual({ unread: 2 });
    expect((await centre(user.token)).items.map((entry) => entry.read)).toEqual([false, true, false]);
    const rest = await harness.call('POST', '/api/notifications/read', { token: user.token, body: { throughSeq: 3 } });
    expect(rest.body).toEqual({ unread: 0 });
    // Marks are per user: another user's centre is untouched and cannot be marked from here.
    expect((await centre(shopper.token)).unread).toBe(0);
    const again = await harness.call('POST', '/api/notifications/read', { token: shopper.token, body: { throughSeq: 3 } });
    expect(again.body).toEqual({ unread: 0 });
    expect((await centre(user.token)).items.every((entry) => entry.read)).toBe(true);
  });

  it('answers bad input with 400 and a stable code, and strangers with 401', async () => {
    for (const body of [{}, { seq: 0 }, { seq: 'x' }, { throughSeq: 1.5 }, { seq: 1, extra: true }]) {
      const response = await harness.call('POST', '/api/notifications/read', { token: buyer.token, body });
      expect(response.status).toBe(400);
      expect(response.body.error.code).toBe('invalid_request');
    }
    expect((await harness.call('GET', '/api/notifications?limit=500', { token: buyer.token })).status).toBe(400);
    expect((await harness.call('GET', '/api/notifications')).status).toBe(401);
  });
});

describe('the seller order desk and shipping with tracking', () => {
  it('lists confirmed orders with buyer, items and ship-by; filters by status and number; ships with tracking', async () => {
    const seller = await harness.register('desk-seller@example.test', 'SELLER');
    const shopper = await harness.register('desk-shopper@example.test', 'BUYER');
    const productId = await product(seller, 700);
    expect((await harness.call('POST', '/api/wallet/deposit', { token: shopper.token, body: { commandId: 'k1', amountMinor: 10_000 } })).status).toBe(200);
    const ids: string[] = [];
    for (let count = 0; count < 2; count += 1) {
      const placed = await harness.call('POST', '/api/checkout', { token: shopper.token, body: { checkoutId: randomUUID(), items: [{ productId, qty: 2 }] } });
      ids.push((placed.body.orderIds as string[])[0] as string);
    }
    const desk = async (query = ''): Promise<Page<OrderDto>> => (await harness.call('GET', `/api/seller/desk${query}`, { token: seller.token })).body;
    const listed = await eventually(async () => {
      const page = await desk();
      return page.total === 2 ? page : null;
    }, 60_000);
    const first = listed.items.find((order) => order.id === ids[0]) as OrderDto;
    expect(first.buyerName).toBe('desk-shopper');
    expect(first.items.map((item) => [item.title, item.qty])).toEqual([['Lamp', 2]]);
    expect(first.shipByAt).toBeGreaterThan(first.placedAt);

    const number = orderNumber(ids[0] as string);
    expect((await desk(`?number=${number.slice(0, 6).toLowerCase()}`)).items.map((order) => order.id)).toEqual([ids[0]]);
    const badNumber = await harness.call('GET', '/api/seller/desk?number=zz', { token: seller.token });
    expect([badNumber.status, badNumber.body.error.code]).toEqual([400, 'invalid_request']);

    const half = await harness.call('POST', `/api/orders/${ids[0]}/ship`, { token: seller.token, body: { carrier: 'UPS' } });
    expect([half.status, half.body.error.code]).toEqual([400, 'invalid_request']);
    const shipped = await harness.call('POST', `/api/orders/${ids[0]}/ship`, { token: seller.token, body: { carrier: 'UPS', trackingNumber: '1Z 999 AA1' } });
    expect(shipped.status).toBe(200);
    const afterShip = await eventually(async () => {
      const page = await desk('?status=SHIPPED');
      return page.total === 1 ? page : null;
    }, 60_000);
    expect(afterShip.items[0]?.tracking).toEqual({ carrier: 'UPS', trackingNumber: '1Z 999 AA1' });
    expect(afterShip.items[0]?.shipByAt).toBeNull();
    expect((await desk('?status=PAID')).items.map((order) => order.id)).toEqual([ids[1]]);
    expect((await harness.call('GET', '/api/seller/desk', { token: shopper.token })).status).toBe(403);
  });
});
