/**
 * The API contract a client relies on (issue #14 items 6, 8 and 9), over real HTTP against a real
 * gateway: uploads that fail write nothing and deleted products lose their images; the
 * cancel-or-dispute rule; the operator inspector and /metrics; idempotent replays; one checkout
 * id; refused checkouts named and hidden; a seller sees an order only once its checkout confirmed
 * it (no list, desk, page or notification before); one ledger vocabulary.
 */
import { randomUUID } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuthDto, LedgerEntryDto, NotificationCentreDto, OrderDto, Page } from './api-types.ts';
import { productImage } from './seed/png.ts';
import { eventually, productVisible, startTestGateway, type TestGateway } from './testing/gateway-harness.ts';

let harness: TestGateway;
let buyer: AuthDto;
let seller: AuthDto;
let admin: AuthDto;

beforeAll(async () => {
  harness = await startTestGateway({ UPLOAD_QUOTA_IMAGES: '23', PLATFORM_FEE_BPS: '500' });
  buyer = await harness.register('contract-buyer@example.test', 'BUYER');
  seller = await harness.register('contract-seller@example.test', 'SELLER');
  admin = await harness.admin();
  expect((await harness.call('POST', '/api/wallet/deposit', { token: buyer.token, body: { commandId: 'fund', amountMinor: 100_000 } })).status).toBe(200);
}, 180_000);

afterAll(async () => {
  await harness?.close();
});

async function product(title: string, priceMinor = 1_000): Promise<string> {
  const created = await harness.call('POST', '/api/products', { token: seller.token, body: { commandId: randomUUID(), title, description: '', priceMinor, stock: 50, category: 'misc' } });
  expect(created.status).toBe(201);
  await productVisible(harness, created.body.id as string);
  return created.body.id as string;
}

function upload(productId: string) {
  return harness.call('POST', `/api/products/${productId}/images`, { token: seller.token, raw: productImage(20, 1), contentType: 'image/png' });
}

function filesOf(productId: string): string[] {
  try {
    return readdirSync(join(harness.gateway.system.config.dataDir, 'blobs', 'products', productId));
  } catch {
    return [];
  }
}

async function paidOrder(productId: string): Promise<string> {
  const placed = await harness.call('POST', '/api/checkout', { token: buyer.token, body: { checkoutId: randomUUID(), items: [{ productId, qty: 1 }] } });
  expect(placed.status).toBe(201);
  return (placed.body.orderIds as string[])[0] as string;
}

describe('uploads (item 6)', () => {
  it('checks every rule before writing, keeps a seller quota, and deletes a deleted product’s images', async () => {
    const full = await product('Full');
    for (let index = 0; index < 20; index += 1) expect((await upload(full)).status).toBe(201);
    const refused = await upload(full);
    expect(refused.status).toBe(422);
    expect(refused.body.error.code).toBe('too_many_images');
    expect(filesOf(full)).toHaveLength(20);

    const other = await product('Other');
    for (let index = 0; index < 3; index += 1) expect((await upload(other)).status).toBe(201);
    const overQuota = await upload(other);
    expect(overQuota.status).toBe(422);
    expect(overQuota.body.error.code).toBe('upload_quota_exceeded');
    expect(filesOf(other)).toHaveLength(3);

    const url = (await harness.call('GET', `/api/products/${full}`)).body.images[0] as string;
    expect((await fetch(`${harness.base}${url}`)).status).toBe(200);
    expect((await harness.call('DELETE', `/api/products/${full}`, { token: seller.token })).status).toBe(204);
    expect((await fetch(`${harness.base}${url}`)).status).toBe(404);
    expect(filesOf(full)).toHaveLength(0);
    // Deleting freed the quota.
    expect((await upload(other)).status).toBe(201);
  }, 180_000);
});

describe('the checkout’s product lookup', () => {
  it('remembers which seller sells a product, and forgets a deleted product: its checkout is refused as not found, with no order', async () => {
    const productId = await product('Short-lived');
    await paidOrder(productId); // the lookup now knows the product's seller
    expect((await harness.call('DELETE', `/api/products/${productId}`, { token: seller.token })).status).toBe(204);
    // The lookup forgets the product once the deletion is projected (the product-cache consumer).
    const refused = await eventually(async () => {
      const attempt = await harness.call('POST', '/api/checkout', { token: buyer.token, body: { checkoutId: randomUUID(), items: [{ productId, qty: 1 }] } });
      return attempt.status === 404 && attempt.body.error.orderIds === undefined ? attempt : null;
    });
    // Refused before any checkout started: a stale lookup would start one, and the seller would
    // refuse it with the same code, naming the order it had to compensate.
    expect(refused.body.error).toEqual({ code: 'product_not_found', message: `no product ${productId}` });
  });
});

describe('order rules and operators (item 8)', () => {
  it('lets the buyer cancel an unshipped order (a retried cancel replayed) and keeps disputes for shipped ones', async () => {
    const productId = await product('Lamp');
    const orderId = await paidOrder(productId);
    const dispute = await harness.call('POST', `/api/orders/${orderId}/dispute`, { token: buyer.token, body: { reason: 'never came' } });
    expect(dispute.status).toBe(409);
    expect(dispute.body.error.code).toBe('not_shipped');
    const cancelled = await harness.call('POST', `/api/orders/${orderId}/cancel`, { token: buyer.token, body: { commandId: 'cancel-once' } });
    expect(cancelled.status).toBe(200);
    const recancelled = await harness.call('POST', `/api/orders/${orderId}/cancel`, { token: buyer.token, body: { commandId: 'cancel-once' } });
    expect([recancelled.status, recancelled.body, recancelled.headers.get('idempotent-replayed')]).toEqual([200, cancelled.body, 'true']);
    const order = await eventually(async () => {
      const read = await harness.call('GET', `/api/orders/${orderId}`, { token: buyer.token });
      return read.body.status === 'CANCELLED' ? (read.body as OrderDto) : null;
    });
    expect(order.cancelReason).toBe('buyer_cancelled');

    const shippedId = await paidOrder(productId);
    expect((await harness.call('POST', `/api/orders/${shippedId}/ship`, { token: seller.token })).status).toBe(200);
    expect((await harness.call('POST', `/api/orders/${shippedId}/cancel`, { token: buyer.token })).status).toBe(409);
    expect((await harness.call('POST', `/api/orders/${shippedId}/dispute`, { token: buyer.token, body: { reason: 'broken' } })).status).toBe(200);
  }, 120_000);

  it('answers 404 for an actor key never used, without waking an actor', async () => {
    for (const path of ['', '/journal', '/state']) {
      const response = await harness.call('GET', `/api/admin/actors/order:never-used${path}`, { token: admin.token });
      expect(response.status).toBe(404);
      expect(response.body.error.code).toBe('unknown_actor');
    }
    const listed = await harness.call('GET', '/api/admin/actors', { token: admin.token });
    expect((listed.body.items as { key: string }[]).some((actor) => actor.key === 'order:never-used')).toBe(false);
  });

  it('serves /metrics to operators only', async () => {
    expect((await harness.call('GET', '/metrics')).status).toBe(401);
    expect((await harness.call('GET', '/metrics', { token: buyer.token })).status).toBe(403);
    const scraped = await harness.call('GET', '/metrics', { token: admin.token });
    expect(scraped.status).toBe(200);
    expect(String(scraped.body)).toContain('bazaary_actors_resident');
  });
});

describe('the API contract (item 9)', () => {
  it('replays a retried deposit’s first answer, marked, and refuses the id for another amount', async () => {
    const first = await harness.call('POST', '/api/wallet/deposit', { token: seller.token, body: { commandId: 'replay-1', amountMinor: 700 } });
    expect(first.status).toBe(200);
    expect(first.headers.get('idempotent-replayed')).toBeNull();
    expect((await harness.call('POST', '/api/wallet/deposit', { token: seller.token, body: { commandId: 'replay-2', amountMinor: 300 } })).status).toBe(200);
    const retried = await harness.call('POST', '/api/wallet/deposit', { token: seller.token, body: { commandId: 'replay-1', amountMinor: 700 } });
    expect(retried.status).toBe(200);
    expect(retried.body).toEqual(first.body);
    expect(retried.headers.get('idempotent-replayed')).toBe('true');
    const other = await harness.call('POST', '/api/wallet/deposit', { token: seller.token, body: { commandId: 'replay-1', amountMinor: 701 } });
    expect(other.status).toBe(409);
    expect(other.body.error.code).toBe('conflicting_retry');
  });

  it('replays checkout, ship and confirm-delivery, and shows one checkout id', async () => {
    const productId = await product('Mug');
    const checkoutId = randomUUID();
    const body = { checkoutId, items: [{ productId, qty: 1 }] };
    const placed = await harness.call('POST', '/api/checkout', { token: buyer.token, body });
    const again = await harness.call('POST', '/api/checkout', { token: buyer.token, body });
    expect(again.status).toBe(201);
    expect(again.body).toEqual(placed.body);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    const orderId = (placed.body.orderIds as string[])[0] as string;
    const order = (await harness.call('GET', `/api/orders/${orderId}`, { token: buyer.token })).body as OrderDto;
    expect(order.checkoutId).toBe(checkoutId);

    const shipped = await harness.call('POST', `/api/orders/${orderId}/ship`, { token: seller.token, body: { commandId: 'ship-once' } });
    expect(shipped.body).toEqual({ orderId, status: 'SHIPPED' });
    const confirmed = await harness.call('POST', `/api/orders/${orderId}/confirm-delivery`, { token: buyer.token, body: { commandId: 'confirm-once' } });
    expect(confirmed.body).toEqual({ orderId, status: 'DELIVERED' });
    const reconfirmed = await harness.call('POST', `/api/orders/${orderId}/confirm-delivery`, { token: buyer.token, body: { commandId: 'confirm-once' } });
    expect([reconfirmed.status, reconfirmed.body, reconfirmed.headers.get('idempotent-replayed')]).toEqual([200, confirmed.body, 'true']);
    const reshipped = await harness.call('POST', `/api/orders/${orderId}/ship`, { token: seller.token, body: { commandId: 'ship-once' } });
    expect(reshipped.status).toBe(200);
    expect(reshipped.body).toEqual({ orderId, status: 'SHIPPED' });
    expect(reshipped.headers.get('idempotent-replayed')).toBe('true');
  }, 120_000);

  it('names a refused checkout’s orders and hides them from the lists', async () => {
    const productId = await product('Piano', 10_000_000);
    const checkoutId = randomUUID();
    const refused = await harness.call('POST', '/api/checkout', { token: buyer.token, body: { checkoutId, items: [{ productId, qty: 1 }] } });
    expect(refused.status).toBe(409);
    expect(refused.body.error.code).toBe('insufficient_funds');
    expect(refused.body.error.checkoutId).toBe(checkoutId);
    const named = refused.body.error.orderIds as string[];
    expect(named).toHaveLength(1);
    await harness.gateway.system.processor.drain();
    const mine = (await harness.call('GET', '/api/orders?pageSize=100', { token: buyer.token })).body as Page<OrderDto>;
    expect(mine.items.map((order) => order.id)).not.toContain(named[0]);
    const sellers = (await harness.call('GET', '/api/seller/orders?pageSize=100', { token: seller.token })).body as Page<OrderDto>;
    expect(sellers.items.map((order) => order.id)).not.toContain(named[0]);
  }, 120_000);

  it('hides a paid order from its seller until its checkout confirms it: no list, desk, page or notification shows it', async () => {
    const productId = await product('Clock', 3_000);
    // Placed without a checkout, the order stays PAID and unconfirmed: the window between a
    // checkout's first payment and its confirmation, held still (its notify_checkout is refused).
    const orderId = `window-${randomUUID()}`;
    const placed = await harness.gateway.system.orders.ask(orderId, { type: 'PlaceOrder', orderId, checkoutId: `window-${orderId}`, buyerId: buyer.user.id, sellerId: seller.user.id, items: [{ productId, qty: 1 }] });
    expect(placed.ok).toBe(true);
    const paid = await eventually(async () => {
      const read = await harness.call('GET', `/api/orders/${orderId}`, { token: admin.token });
      return read.body.status === 'PAID' ? (read.body as OrderDto) : null;
    });
    expect(paid.timeline.map((step) => step.status)).toEqual(['PLACED', 'PAID']);
    await harness.gateway.system.processor.drain();
    for (const path of ['/api/orders?pageSize=100', '/api/seller/orders?pageSize=100', '/api/seller/desk?pageSize=100', '/api/seller/desk?status=PAID&pageSize=100']) {
      const page = (await harness.call('GET', path, { token: seller.token })).body as Page<OrderDto>;
      expect(page.items.map((order) => order.id), path).not.toContain(orderId);
    }
    expect((await harness.call('GET', `/api/orders/${orderId}`, { token: seller.token })).status).toBe(404);
    const notifications = (await harness.call('GET', '/api/notifications?limit=50', { token: seller.token })).body as NotificationCentreDto;
    expect(notifications.items.length).toBeGreaterThan(0);
    expect(notifications.items.filter((item) => JSON.stringify(item.notification.data).includes(orderId))).toEqual([]);
    const ship = await harness.call('POST', `/api/orders/${orderId}/ship`, { token: seller.token });
    expect([ship.status, ship.body.error.code]).toEqual([409, 'awaiting_checkout']);
    // Nor may the seller cancel it in that window: the same gate as shipping, so a seller acts
    // only on orders it can see.
    const cancel = await harness.call('POST', `/api/orders/${orderId}/cancel`, { token: seller.token, body: { commandId: 'cancel-in-window' } });
    expect([cancel.status, cancel.body.error.code]).toEqual([409, 'awaiting_checkout']);
    expect(cancel.body.error.message).toBe(`Order ${orderId} cannot be cancelled yet: the rest of this checkout is still being paid.`);
    const still = (await harness.call('GET', `/api/orders/${orderId}`, { token: admin.token })).body as OrderDto;
    expect([still.status, still.cancelReason]).toEqual(['PAID', null]);
  });

  it('shows the seller confirmed orders with CHECKOUT_CONFIRMED in the timeline, and one ledger vocabulary', async () => {
    const productId = await product('Kettle', 2_000);
    const orderId = await paidOrder(productId);
    const seen = await eventually(async () => {
      const page = (await harness.call('GET', '/api/seller/orders?pageSize=100', { token: seller.token })).body as Page<OrderDto>;
      return page.items.find((order) => order.id === orderId) ?? null;
    });
    expect(seen.timeline.map((step) => step.status)).toEqual(['PLACED', 'PAID', 'CHECKOUT_CONFIRMED']);
    expect((await harness.call('POST', `/api/orders/${orderId}/ship`, { token: seller.token })).status).toBe(200);
    expect((await harness.call('POST', `/api/orders/${orderId}/confirm-delivery`, { token: buyer.token })).status).toBe(200);
    const lines = await eventually(async () => {
      const ledger = (await harness.call('GET', '/api/wallet/ledger?pageSize=100', { token: seller.token })).body as Page<LedgerEntryDto>;
      const ofOrder = ledger.items.filter((entry) => entry.orderId === orderId);
      return ofOrder.length === 2 && ofOrder.every((entry) => entry.status !== 'LOCKED') ? ofOrder : null;
    });
    expect(lines.map((entry) => [entry.kind, entry.status]).sort()).toEqual([['sale', 'RELEASED'], ['sale_fee', 'RELEASED']]);
  }, 120_000);
});
