/**
 * The whole marketplace flow over real sockets: the real gateway (uWebSockets.js) on a random
 * port, driven with fetch and the `ws` client. Register a buyer and a seller, deposit, create a
 * product with an image, find it with a typo, check out, ship, confirm delivery, and see the
 * seller's "funds released" notification arrive live; then disconnect, miss events, reconnect
 * with resume and receive every missed notification in order.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuthDto, NotificationDto, WsServerMessage } from './api-types.ts';
import { productImage } from './seed/png.ts';
import { eventually, startTestGateway, TestSocket, type TestGateway } from './testing/gateway-harness.ts';
import { orderKey } from '../actors/keys.ts';

let harness: TestGateway;
let buyer: AuthDto;
let seller: AuthDto;
let productId: string;
let completedOrderId: string;

const isNotification = (message: WsServerMessage): message is NotificationDto => 'type' in message && message.type === 'notification';

beforeAll(async () => {
  harness = await startTestGateway();
  buyer = await harness.register('buyer@example.test', 'BUYER');
  seller = await harness.register('seller@example.test', 'SELLER');
}, 60_000);

afterAll(async () => {
  await harness?.close();
});

describe('marketplace flow over HTTP and WebSocket', () => {
  it('deposits, lists a product with an image, and finds it with a typo', async () => {
    const deposit = await harness.call('POST', '/api/wallet/deposit', { token: buyer.token, body: { commandId: 'dep-1', amountMinor: 200_000 } });
    expect(deposit.status).toBe(200);
    expect(deposit.body).toMatchObject({ balanceMinor: 200_000, lockedMinor: 0 });

    const created = await harness.call('POST', '/api/products', {
      token: seller.token,
      body: { commandId: randomUUID(), title: 'iPhone 15 Pro', description: 'A phone', priceMinor: 79_900, stock: 3, category: 'phones' },
    });
    expect(created.status).toBe(201);
    productId = created.body.id;

    const upload = await harness.call('POST', `/api/products/${productId}/images`, { token: seller.token, raw: productImage(10, 1), contentType: 'image/png' });
    expect(upload.status).toBe(201);
    const image = await fetch(`${harness.base}${upload.body.url}`);
    expect(image.status).toBe(200);
    expect(image.headers.get('content-type')).toBe('image/png');

    // The search index follows the log after the upload's answer: wait for the image to reach it.
    const found = await eventually(async () => {
      const search = await harness.call('GET', '/api/search?q=iPhne');
      return search.body.total > 0 && search.body.hits[0]?.imageUrl !== null ? search.body : null;
    });
    expect(found.hits[0]).toMatchObject({ id: productId, title: 'iPhone 15 Pro', priceMinor: 79_900, imageUrl: upload.body.url });
  });

  it('checks out, ships over WS, confirms delivery, and the seller sees funds released live', async () => {
    const sellerSocket = await TestSocket.open(harness.base, seller.token);
    await sellerSocket.waitFor((message) => 'type' in message && message.type === 'hello');

    const checkoutId = randomUUID();
    const placed = await harness.call('POST', '/api/checkout', { token: buyer.token, body: { checkoutId, items: [{ productId, qty: 1 }] } });
    expect(placed.status).toBe(201);
    const [orderId] = placed.body.orderIds as string[];
    completedOrderId = orderId as string;
    const retried = await harness.call('POST', '/api/checkout', { token: buyer.token, body: { checkoutId, items: [{ productId, qty: 1 }] } });
    expect(retried.body.orderIds).toEqual([orderId]);

    await sellerSocket.waitFor((message) => isNotification(message) && message.event === 'order.new' && message.data.orderId === orderId);
    const shipped = await sellerSocket.command('ship-1', 'orders.ship', { id: orderId });
    expect(shipped).toMatchObject({ id: 'ship-1', ok: true, result: { orderId, status: 'SHIPPED' } });

    const confirmed = await harness.call('POST', `/api/orders/${orderId}/confirm-delivery`, { token: buyer.token });
    expect(confirmed.status).toBe(200);
    const released = await sellerSocket.waitFor((message) => isNotification(message) && message.event === 'funds.released');
    expect(released).toMatchObject({ event: 'funds.released', data: { orderId, amountMinor: 79_900, currency: 'USD' } });
    expect((released as NotificationDto & { data: { orderNumber: string } }).data.orderNumber).toMatch(/^[A-Z0-9]{8}$/);

    const wallet = await eventually(async () => {
      const response = await harness.call('GET', '/api/wallet', { token: seller.token });
      return response.body.balanceMinor === 79_900 ? response.body : null;
    });
    expect(wallet).toMatchObject({ balanceMinor: 79_900, lockedMinor: 0 });
    const order = await harness.call('GET', `/api/orders/${orderId}`, { token: buyer.token });
    expect(order.body.status).toBe('COMPLETED');
    expect(order.body.timeline.map((step: { status: string }) => step.status)).toEqual(expect.arrayContaining(['PLACED', 'PAID', 'SHIPPED', 'COMPLETED']));
    await sellerSocket.close();
  });

  it('replays every notification missed while disconnected, in order, after a resume', async () => {
    const first = await TestSocket.open(harness.base, seller.token);
    const hello = await first.waitFor((message) => 'type' in message && message.type === 'hello');
    const seenSeq = (hello as { lastSeq: number }).lastSeq;
    await first.close();

    // While the seller is away: two more orders, one shipped (order.new, status, wallet changes).
    const topUp = await harness.call('POST', '/api/wallet/deposit', { token: buyer.token, body: { commandId: 'dep-2', amountMinor: 200_000 } });
    expect(topUp.status).toBe(200);
    const missedOrders: string[] = [];
    for (let index = 0; index < 2; index += 1) {
      const placed = await harness.call('POST', '/api/checkout', { token: buyer.token, body: { checkoutId: randomUUID(), items: [{ productId, qty: 1 }] } });
      expect(placed.status, JSON.stringify(placed.body)).toBe(201);
      missedOrders.push(...(placed.body.orderIds as string[]));
    }
    // Notifications follow the log after the checkouts' answers: wait until both orders' are stored.
    const lastSeq = await eventually(async () => {
      const stored = await harness.gateway.context.notifications.after(seller.user.id, seenSeq, 1_000);
      const storedOrders = stored.filter((message) => message.event === 'order.new').map((message) => (message.data as { orderId: string }).orderId);
      return missedOrders.every((orderId) => storedOrders.includes(orderId)) ? (stored.at(-1)?.seq ?? null) : null;
    });

    const again = await TestSocket.open(harness.base, seller.token);
    again.send({ type: 'resume', afterSeq: seenSeq });
    await again.waitFor((message) => 'type' in message && message.type === 'resumed');
    const replayed = again.messages.filter(isNotification).map((message) => message.seq);
    const expected = Array.from({ length: lastSeq - seenSeq }, (_unused, index) => seenSeq + 1 + index);
    expect(replayed.slice(0, expected.length)).toEqual(expected);
    const newOrders = again.messages.filter(isNotification).filter((message) => message.event === 'order.new').map((message) => (message.data as { orderId: string }).orderId);
    expect(newOrders).toEqual(missedOrders);
    await again.close();
  });

  it('refuses an unauthenticated WebSocket upgrade', async () => {
    await expect(TestSocket.open(harness.base, 'not-a-token')).rejects.toThrow(/401/);
  });

  it('keeps the ledger balanced', async () => {
    const admin = await harness.admin();
    const audit = await harness.call('GET', '/api/admin/ledger/audit', { token: admin.token });
    expect(audit.status).toBe(200);
    expect(audit.body.anomalies).toEqual([]);
  });

  it('lets an operator read an order actor now, its journal, and its state back in time', async () => {
    const admin = await harness.admin();
    const key = orderKey(completedOrderId);
    const now = await harness.call('GET', `/api/admin/actors/${key}`, { token: admin.token });
    expect(now.body.state.status).toBe('COMPLETED');
    const journal = await harness.call('GET', `/api/admin/actors/${key}/journal`, { token: admin.token });
    expect(journal.body.items.length).toBe(journal.body.lastSeq);
    expect(journal.body.items[0].events[0].type).toBe('OrderPlaced');
    const first = await harness.call('GET', `/api/admin/actors/${key}/state?atSeq=1`, { token: admin.token });
    expect(first.body).toMatchObject({ key, seq: 1, state: { status: 'PLACED' } });
    const shippedAt = journal.body.items.find((entry: { events: { type: string }[] }) => entry.events.some((event) => event.type === 'OrderShipped'));
    const atShip = await harness.call('GET', `/api/admin/actors/${key}/state?atTime=${shippedAt.at}`, { token: admin.token });
    expect(atShip.body.state.status).toBe('SHIPPED');
    const actors = await harness.call('GET', '/api/admin/actors?kind=order', { token: admin.token });
    expect(actors.body.items.map((actor: { key: string }) => actor.key)).toContain(key);
  });
});
