/**
 * Every mail kind from a real flow through the real gateway (register, deposit, list a product,
 * check out, ship, confirm delivery), read back from GET /api/admin/mail; and the same journal
 * entries handled a second time plan no second mail.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuthDto, MailDto, Page } from '../api-types.ts';
import { eventually, productVisible, startTestGateway, type TestGateway } from '../testing/gateway-harness.ts';
import { createMailConsumer } from '../../persistence/projections/mail/mail-consumer.ts';
import { enqueueMails } from '../../persistence/projections/mail/outbox.ts';
import { orderKey } from '../../actors/keys.ts';

let harness: TestGateway;
let buyer: AuthDto;
let seller: AuthDto;
let admin: AuthDto;
let orderId: string;

beforeAll(async () => {
  harness = await startTestGateway();
  buyer = await harness.register('mail-buyer@example.test', 'BUYER');
  seller = await harness.register('mail-seller@example.test', 'SELLER');
  admin = await harness.admin();
}, 60_000);

afterAll(async () => {
  await harness?.close();
});

async function outbox(query = ''): Promise<Page<MailDto>> {
  const response = await harness.call('GET', `/api/admin/mail${query}`, { token: admin.token });
  expect(response.status).toBe(200);
  return response.body as Page<MailDto>;
}

describe('mail from a real flow', () => {
  it('welcomes, confirms, tells the seller, announces shipping and the released funds, each once and sent', async () => {
    expect((await harness.call('POST', '/api/wallet/deposit', { token: buyer.token, body: { commandId: 'dep-1', amountMinor: 50_000 } })).status).toBe(200);
    const product = await harness.call('POST', '/api/products', {
      token: seller.token,
      body: { commandId: randomUUID(), title: 'Desk lamp', description: 'Bright', priceMinor: 12_345, stock: 5, category: 'home' },
    });
    expect(product.status).toBe(201);
    await productVisible(harness, product.body.id);
    const placed = await harness.call('POST', '/api/checkout', { token: buyer.token, body: { checkoutId: randomUUID(), items: [{ productId: product.body.id, qty: 2 }] } });
    expect(placed.status).toBe(201);
    orderId = (placed.body.orderIds as string[])[0] as string;
    await eventually(async () => ((await outbox()).items.some((mail) => mail.id === `new-order:${orderId}`) ? true : null));
    expect((await harness.call('POST', `/api/orders/${orderId}/ship`, { token: seller.token })).status).toBe(200);
    expect((await harness.call('POST', `/api/orders/${orderId}/confirm-delivery`, { token: buyer.token })).status).toBe(200);

    const all = await eventually(async () => {
      const page = await outbox('?pageSize=100');
      return page.total === 6 && page.items.every((mail) => mail.status === 'sent') ? page : null;
    });
    const byId = new Map(all.items.map((mail) => [mail.id, mail]));
    expect([...byId.keys()].sort()).toEqual(
      [`funds-released:${orderId}`, `new-order:${orderId}`, `order-confirmation:${orderId}`, `shipped:${orderId}`, `welcome:${buyer.user.id}`, `welcome:${seller.user.id}`].sort(),
    );
    expect(byId.get(`welcome:${buyer.user.id}`)).toMatchObject({ kind: 'welcome', to: 'mail-buyer@example.test', subject: 'Welcome to Bazaary', attempts: 1, lastError: null });
    expect(byId.get(`order-confirmation:${orderId}`)).toMatchObject({ kind: 'order-confirmation', to: 'mail-buyer@example.test' });
    expect(byId.get(`order-confirmation:${orderId}`)?.text).toContain('$246.90');
    expect(byId.get(`new-order:${orderId}`)).toMatchObject({ kind: 'new-order', to: 'mail-seller@example.test' });
    expect(byId.get(`shipped:${orderId}`)).toMatchObject({ kind: 'shipped', to: 'mail-buyer@example.test' });
    expect(byId.get(`funds-released:${orderId}`)).toMatchObject({ kind: 'funds-released', to: 'mail-seller@example.test' });
    for (const mail of all.items) expect(mail.sentAt).not.toBeNull();
  });

  it('plans no second mail when the same journal entries are handled again', async () => {
    const entries = await harness.gateway.system.stores.journal.read(orderKey(orderId), 0, 1_000);
    expect(entries.length).toBeGreaterThan(0);
    let woken = 0;
    const db = harness.gateway.system.stores.db;
    const consumer = createMailConsumer(db, async (mails) => {
      if ((await enqueueMails(db, mails)) > 0) woken += 1;
    });
    await consumer.handle(entries);
    await consumer.handle(entries);
    expect(woken).toBe(0);
    expect((await outbox()).total).toBe(6);
  });

  it('filters by status, pages, and is for admins only', async () => {
    expect((await outbox('?status=sent&pageSize=2')).items).toHaveLength(2);
    expect(await outbox('?status=sent&pageSize=2&page=3')).toMatchObject({ total: 6, page: 3, pageSize: 2 });
    expect((await outbox('?status=failed')).total).toBe(0);
    const bad = await harness.call('GET', '/api/admin/mail?status=lost', { token: admin.token });
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBeTypeOf('string');
    expect((await harness.call('GET', '/api/admin/mail', { token: buyer.token })).status).toBe(403);
    expect((await harness.call('GET', '/api/admin/mail')).status).toBe(401);
  });
});
