/**
 * Issue #15 §5 at the edge: the address book (add, edit, make default, delete; owner only; bounded
 * and validated with stable codes; cookie writes checked for their Origin), and a checkout that
 * carries the chosen address onto every order, shown to the buyer and on the seller's order desk.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AddressBookDto, AddressDto, AuthDto, OrderDto, Page } from '../api-types.ts';
import { eventually, productVisible, startTestGateway, type TestGateway } from '../testing/gateway-harness.ts';
import { rawRequest } from '../testing/raw-http.ts';

let harness: TestGateway;
let buyer: AuthDto;
let other: AuthDto;
let seller: AuthDto;

beforeAll(async () => {
  harness = await startTestGateway();
  buyer = await harness.register('address-buyer@example.test', 'BUYER');
  other = await harness.register('address-other@example.test', 'BUYER');
  seller = await harness.register('address-seller@example.test', 'SELLER');
}, 180_000);

afterAll(async () => {
  await harness?.close();
});

const home = { name: 'Dana Ruiz', line1: '77 Harbour Way', line2: null, city: 'Bristol', postalCode: 'BS1 5TY', countryCode: 'GB' };
const work = { name: 'Dana Ruiz', line1: '2 Quay St', line2: 'Unit 4', city: 'Bristol', postalCode: 'BS1 4DJ', countryCode: 'gb' };

async function book(token: string): Promise<AddressBookDto> {
  const response = await harness.call('GET', '/api/account/addresses', { token });
  expect(response.status).toBe(200);
  return response.body as AddressBookDto;
}

describe('the address book', () => {
  it('adds, edits, moves the default and deletes, for its owner only', async () => {
    expect((await book(buyer.token)).addresses).toEqual([]);
    const first = await harness.call('POST', '/api/account/addresses', { token: buyer.token, body: home });
    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({ ...home, isDefault: true });
    const second = await harness.call('POST', '/api/account/addresses', { token: buyer.token, body: { ...work, line1: '  2 Quay St  ' } });
    expect(second.body).toMatchObject({ line1: '2 Quay St', countryCode: 'GB', line2: 'Unit 4', isDefault: false });
    const [homeId, workId] = [first.body.id as string, second.body.id as string];

    const edited = await harness.call('PATCH', `/api/account/addresses/${workId}`, { token: buyer.token, body: { line2: '', isDefault: true } });
    expect(edited.status).toBe(200);
    expect(edited.body).toMatchObject({ line1: '2 Quay St', line2: null, isDefault: true });
    expect((await book(buyer.token)).addresses.map((address: AddressDto) => [address.id, address.isDefault])).toEqual([[workId, true], [homeId, false]]);

    // Another buyer neither sees nor touches them.
    expect((await book(other.token)).addresses).toEqual([]);
    expect((await harness.call('PATCH', `/api/account/addresses/${workId}`, { token: other.token, body: { city: 'Bath' } })).body.error.code).toBe('unknown_address');
    expect((await harness.call('DELETE', `/api/account/addresses/${workId}`, { token: other.token })).status).toBe(404);

    expect((await harness.call('DELETE', `/api/account/addresses/${workId}`, { token: buyer.token })).status).toBe(204);
    expect((await book(buyer.token)).addresses).toMatchObject([{ id: homeId, isDefault: true }]);
    expect((await harness.call('DELETE', `/api/account/addresses/${workId}`, { token: buyer.token })).status).toBe(404);
  });

  it('refuses bad addresses with 400 invalid_address naming the field, and sellers with 403', async () => {
    const bad: [Record<string, unknown>, string][] = [
      [{ ...home, name: '' }, 'name'],
      [{ ...home, name: ' '.repeat(5) }, 'name'],
      [{ ...home, line1: 'x'.repeat(121) }, 'line1'],
      [{ ...home, city: 'Bris\u0000tol' }, 'city'],
      [{ ...home, postalCode: 'BS1<5TY' }, 'postalCode'],
      [{ ...home, countryCode: 'GBR' }, 'countryCode'],
      [{ ...home, countryCode: 12 }, 'countryCode'],
      [{ ...home, nickname: 'hq' }, 'nickname'],
      [{ name: 'Dana' }, 'line1'],
    ];
    for (const [body, fieldName] of bad) {
      const response = await harness.call('POST', '/api/account/addresses', { token: other.token, body });
      expect(response.status, JSON.stringify(body)).toBe(400);
      expect(response.body.error.code).toBe('invalid_address');
      expect(response.body.error.message).toContain(fieldName);
    }
    expect((await harness.call('POST', '/api/account/addresses', { token: other.token, body: { ...home, isDefault: 'yes' } })).body.error.code).toBe('invalid_request');
    expect((await harness.call('POST', '/api/account/addresses', { token: seller.token, body: home })).status).toBe(403);
    expect((await harness.call('GET', '/api/account/addresses')).status).toBe(401);
    expect((await book(other.token)).addresses).toEqual([]);
  });

  it('holds at most its bound of addresses', async () => {
    const max = (await book(other.token)).max;
    for (let index = 0; index < max; index += 1) {
      expect((await harness.call('POST', '/api/account/addresses', { token: other.token, body: { ...home, line1: `${index} Main St` } })).status).toBe(201);
    }
    const full = await harness.call('POST', '/api/account/addresses', { token: other.token, body: home });
    expect(full.status).toBe(409);
    expect(full.body.error.code).toBe('address_book_full');
  });

  it('refuses a cookie write from another site, a form body, and keeps same-site writes working', async () => {
    const cookie = `access_token=${buyer.token}`;
    const body = JSON.stringify(home);
    const foreign = await rawRequest(harness.base, 'POST', '/api/account/addresses', { 'content-type': 'application/json', origin: 'https://evil.example', cookie }, body);
    expect([foreign.status, foreign.json?.error?.code]).toEqual([403, 'cross_site_request']);
    const form = await rawRequest(harness.base, 'POST', '/api/account/addresses', { 'content-type': 'text/plain', origin: harness.base, cookie }, body);
    expect(form.status).toBe(415);
    const removal = await rawRequest(harness.base, 'DELETE', '/api/account/addresses/nope', { origin: 'https://evil.example', cookie });
    expect(removal.status).toBe(403);
    const sameSite = await rawRequest(harness.base, 'POST', '/api/account/addresses', { 'content-type': 'application/json', origin: harness.base, cookie }, body);
    expect(sameSite.status).toBe(201);
  });
});

describe('checkout with a ship-to address', () => {
  it('puts the address on the order for the buyer and the seller, and refuses a bad one with 400', async () => {
    const created = await harness.call('POST', '/api/products', { token: seller.token, body: { commandId: randomUUID(), title: 'Kettle', description: 'Copper', priceMinor: 2_500, stock: 5, category: 'home' } });
    const productId = created.body.id as string;
    await productVisible(harness, productId);
    expect((await harness.call('POST', '/api/wallet/deposit', { token: buyer.token, body: { commandId: 'addr-dep', amountMinor: 10_000 } })).status).toBe(200);

    const items = [{ productId, qty: 1 }];
    const refused = await harness.call('POST', '/api/checkout', { token: buyer.token, body: { checkoutId: randomUUID(), items, shipTo: { ...home, countryCode: 'Britain' } } });
    expect([refused.status, refused.body.error.code]).toEqual([400, 'invalid_address']);

    const placed = await harness.call('POST', '/api/checkout', { token: buyer.token, body: { checkoutId: randomUUID(), items, shipTo: work } });
    expect(placed.status).toBe(201);
    const orderId = placed.body.orderIds[0] as string;
    const shipTo = { ...work, countryCode: 'GB' };
    const mine = await eventually(async () => {
      const response = await harness.call('GET', `/api/orders/${orderId}`, { token: buyer.token });
      return response.status === 200 ? (response.body as OrderDto) : null;
    }, 60_000);
    expect(mine.shipTo).toEqual(shipTo);
    const desk = await eventually(async () => {
      const response = await harness.call('GET', '/api/seller/orders', { token: seller.token });
      const page = response.body as Page<OrderDto>;
      return page.items?.some((order) => order.id === orderId) === true ? page : null;
    }, 60_000);
    expect(desk.items.find((order) => order.id === orderId)?.shipTo).toEqual(shipTo);

    // A checkout without an address still works, and its order says it has none.
    const bare = await harness.call('POST', '/api/checkout', { token: buyer.token, body: { checkoutId: randomUUID(), items } });
    expect(bare.status).toBe(201);
    const bareOrder = await eventually(async () => {
      const response = await harness.call('GET', `/api/orders/${bare.body.orderIds[0]}`, { token: buyer.token });
      return response.status === 200 ? (response.body as OrderDto) : null;
    }, 60_000);
    expect(bareOrder.shipTo).toBeNull();
  });
});
