/**
 * GET /api/seller/stats serves the daily analytics series next to the live counts: the rows of
 * `seller_stats_daily` in the requested range, oldest first, with rates from exact counts.
 * (The job that writes them is tested on a virtual clock in persistence/projections/readmodels/.)
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { epochDay, isoDay } from '../../actors/analytics/analytics.ts';
import { aggregateSellerDays } from '../../persistence/projections/analytics/seller-daily.ts';
import type { AuthDto, SellerStatsDto } from '../api-types.ts';
import { eventually, productVisible, startTestGateway, type TestGateway } from '../testing/gateway-harness.ts';

let harness: TestGateway;
let buyer: AuthDto;
let seller: AuthDto;

beforeAll(async () => {
  harness = await startTestGateway();
  buyer = await harness.register('daily-buyer@example.test', 'BUYER');
  seller = await harness.register('daily-seller@example.test', 'SELLER');
}, 60_000);

afterAll(async () => {
  await harness?.close();
});

async function order(productId: string): Promise<string> {
  const placed = await harness.call('POST', '/api/checkout', { token: buyer.token, body: { checkoutId: randomUUID(), items: [{ productId, qty: 1 }] } });
  expect(placed.status).toBe(201);
  return (placed.body.orderIds as string[])[0] as string;
}

describe('the daily series of GET /api/seller/stats', () => {
  it('returns the aggregated days in range with their rates, none before the seller registered', async () => {
    expect((await harness.call('POST', '/api/wallet/deposit', { token: buyer.token, body: { commandId: 'dep', amountMinor: 10_000 } })).status).toBe(200);
    const product = await harness.call('POST', '/api/products', { token: seller.token, body: { commandId: randomUUID(), title: 'Mug', description: 'Blue', priceMinor: 1_500, stock: 9, category: 'home' } });
    await productVisible(harness, product.body.id);
    const shippedId = await order(product.body.id);
    await order(product.body.id);
    expect((await harness.call('POST', `/api/orders/${shippedId}/ship`, { token: seller.token })).status).toBe(200);
    const db = harness.gateway.system.stores.db;
    const shipped = await eventually(async () => {
      const rows = await db.query('SELECT paid_at, shipped_at FROM orders WHERE id = $1 AND shipped_at IS NOT NULL', [shippedId]);
      return rows[0] ?? null;
    });
    const day = epochDay(Number(shipped['paid_at']));
    await aggregateSellerDays(db, day - 1, day, Date.now());

    const response = await harness.call('GET', `/api/seller/stats?from=${isoDay(day - 1)}&to=${isoDay(day)}`, { token: seller.token });
    expect(response.status).toBe(200);
    const stats = response.body as SellerStatsDto;
    // The seller registered today: the day before has no row, as they were no seller then.
    expect(stats.daily).toEqual([
      { day: isoDay(day), orders: 2, salesMinor: 3_000, fulfilmentRate: 0.5, returnDisputeRate: 0, avgFulfilmentMs: Number(shipped['shipped_at']) - Number(shipped['paid_at']) },
    ]);
    expect(stats.ordersPlaced).toBe(2);

    const later = await harness.call('GET', `/api/seller/stats?from=${isoDay(day + 1)}&to=${isoDay(day + 2)}`, { token: seller.token });
    expect((later.body as SellerStatsDto).daily).toEqual([]);
    const backwards = await harness.call('GET', `/api/seller/stats?from=${isoDay(day)}&to=${isoDay(day - 1)}`, { token: seller.token });
    expect(backwards.status).toBe(400);
  });
});
