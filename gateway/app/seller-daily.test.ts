/**
 * The daily seller analytics through the real system on a virtual clock: orders placed, shipped,
 * cancelled and disputed on different days, the midnight runs on the durable scheduler, and a
 * restart across midnight after three days of downtime.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { analyticsActorId } from '../../actors/analytics/analytics.ts';
import { analyticsKey } from '../../actors/keys.ts';
import { VirtualClock } from '../../runtime/clock.ts';
import { openMarketplace, type Marketplace } from '../testing/marketplace.ts';
import { aggregateSellerDays, sellerDailyRows } from '../../persistence/projections/analytics/seller-daily.ts';

const hour = 3_600_000;
const dataDir = mkdtempSync(join(tmpdir(), 'bazaary-analytics-'));
const clock = new VirtualClock(Date.UTC(2026, 0, 1, 10));
// Long enough that no unshipped order of the test expires (and is cancelled) during the downtime.
const env = { SHIP_BY_WINDOW: '10d' };
let market: Marketplace;

afterAll(async () => {
  await market?.system.stop().catch(() => undefined);
  rmSync(dataDir, { recursive: true, force: true });
});

async function buy(checkoutId: string, sellerId: string, qty: number): Promise<string> {
  const result = await market.buy(checkoutId, 'b1', [{ sellerId, productId: 'lamp', qty }]);
  if (!result.ok) throw new Error(`${result.code}: ${result.message}`);
  await market.settle();
  return result.orderIds[0] ?? '';
}

async function command(orderId: string, body: Record<string, unknown>): Promise<void> {
  const result = await market.system.orders.ask(orderId, { commandId: `${body['type']}-${orderId}`, ...body } as never);
  if (!result.ok) throw new Error(`${String(body['type'])} ${orderId}: ${result.code} ${result.message}`);
  await market.settle();
}

const ship = (orderId: string, sellerId: string) => command(orderId, { type: 'ShipOrder', by: { role: 'SELLER', userId: sellerId } });

/** Moves the virtual clock to `iso` and fires whatever came due (the analytics timer included). */
async function until(iso: string): Promise<void> {
  await market.advance(Date.parse(iso) - clock.now());
}

async function rows() {
  return [...(await sellerDailyRows(market.system.stores.db, 's1', '2026-01-01', '2026-12-31')), ...(await sellerDailyRows(market.system.stores.db, 's2', '2026-01-01', '2026-12-31'))]
    .map(({ computedAt: _computedAt, ...row }) => row);
}

async function analyticsRequests(): Promise<unknown[]> {
  const entries = await market.system.stores.journal.read(analyticsKey(analyticsActorId), 0, 1_000);
  return entries.flatMap((entry) => entry.events).filter((event) => (event as { type: string }).type === 'AggregationRequested')
    .map((event) => {
      const { fromDay, toDay } = event as { fromDay: number; toDay: number };
      return [new Date(fromDay * 86_400_000).toISOString().slice(0, 10), new Date(toDay * 86_400_000).toISOString().slice(0, 10)];
    });
}

const zero = { orders: 0, salesMinor: 0, shipped: 0, returnedDisputed: 0, avgFulfilmentMs: null };

describe('daily seller analytics on a virtual clock', () => {
  it('aggregates each day at midnight, catches up after downtime exactly once, and runs again the next midnight', async () => {
    market = await openMarketplace({ clock, dataDir, env });
    await market.seller('s1', { lamp: { priceMinor: 2_500, stock: 50 } });
    await market.seller('s2', { lamp: { priceMinor: 1_000, stock: 50 } });
    await market.fund('b1', 100_000);

    // Day 1 (Jan 1): s1 sells two orders; one ships after 2 h, the other is cancelled by the seller.
    const o1 = await buy('c1', 's1', 2);
    const o2 = await buy('c2', 's1', 1);
    await until('2026-01-01T12:00:00Z');
    await ship(o1, 's1');
    await until('2026-01-01T20:00:00Z');
    await command(o2, { type: 'CancelOrder', by: { role: 'SELLER', userId: 's1' }, reason: 'seller_cancelled' });
    expect(await rows()).toEqual([]);

    await until('2026-01-02T00:00:00Z');
    expect(await rows()).toEqual([
      { sellerId: 's1', day: '2026-01-01', orders: 2, salesMinor: 7_500, shipped: 1, returnedDisputed: 1, avgFulfilmentMs: 2 * hour },
      { sellerId: 's2', day: '2026-01-01', ...zero },
    ]);

    // Day 2: s1 ships within 30 min; s2 ships after 3 h and the buyer disputes it.
    await until('2026-01-02T09:00:00Z');
    const o3 = await buy('c3', 's2', 1);
    const o4 = await buy('c4', 's1', 1);
    await until('2026-01-02T09:30:00Z');
    await ship(o4, 's1');
    await until('2026-01-02T12:00:00Z');
    await ship(o3, 's2');
    await until('2026-01-02T13:00:00Z');
    await command(o3, { type: 'OpenDispute', by: { role: 'BUYER', userId: 'b1' }, reason: 'broken' });
    await until('2026-01-03T00:00:00Z');
    const twoDays = [
      { sellerId: 's1', day: '2026-01-01', orders: 2, salesMinor: 7_500, shipped: 1, returnedDisputed: 1, avgFulfilmentMs: 2 * hour },
      { sellerId: 's1', day: '2026-01-02', orders: 1, salesMinor: 2_500, shipped: 1, returnedDisputed: 0, avgFulfilmentMs: hour / 2 },
      { sellerId: 's2', day: '2026-01-01', ...zero },
      { sellerId: 's2', day: '2026-01-02', orders: 1, salesMinor: 1_000, shipped: 1, returnedDisputed: 1, avgFulfilmentMs: 3 * hour },
    ];
    expect(await rows()).toEqual(twoDays);

    // Day 3: one order, then the process stops before midnight and stays down for three days.
    await until('2026-01-03T10:00:00Z');
    await buy('c5', 's1', 3);
    await until('2026-01-03T23:00:00Z');
    await market.system.stop();
    clock.advance(3 * 24 * hour);
    market = await openMarketplace({ clock, dataDir, env });
    await market.advance(0);
    const caughtUp = [
      ...twoDays.slice(0, 2),
      { sellerId: 's1', day: '2026-01-03', orders: 1, salesMinor: 7_500, shipped: 0, returnedDisputed: 0, avgFulfilmentMs: null },
      { sellerId: 's1', day: '2026-01-04', ...zero },
      { sellerId: 's1', day: '2026-01-05', ...zero },
      ...twoDays.slice(2),
      { sellerId: 's2', day: '2026-01-03', ...zero },
      { sellerId: 's2', day: '2026-01-04', ...zero },
      { sellerId: 's2', day: '2026-01-05', ...zero },
    ];
    expect(await rows()).toEqual(caughtUp);
    // Exactly once: one request per run, the missed days in one of them, never a day twice.
    expect(await analyticsRequests()).toEqual([['2026-01-01', '2026-01-01'], ['2026-01-02', '2026-01-02'], ['2026-01-03', '2026-01-05']]);

    // A second start on the same data changes nothing, and the next midnight runs as scheduled.
    market = await market.restart();
    await market.advance(0);
    expect(await analyticsRequests()).toHaveLength(3);
    await until('2026-01-07T00:00:00Z');
    expect(await analyticsRequests()).toEqual([['2026-01-01', '2026-01-01'], ['2026-01-02', '2026-01-02'], ['2026-01-03', '2026-01-05'], ['2026-01-06', '2026-01-06']]);
    expect((await rows()).filter((row) => row.day === '2026-01-06')).toEqual([
      { sellerId: 's1', day: '2026-01-06', ...zero },
      { sellerId: 's2', day: '2026-01-06', ...zero },
    ]);
    const pending = await market.system.timers.pending(analyticsKey(analyticsActorId));
    expect(pending.map((timer) => new Date(timer.dueAt).toISOString())).toEqual(['2026-01-08T00:00:00.000Z']);

    // Rerunning days (a repeated batch) rewrites the same rows with the same values.
    const before = await rows();
    const jan1 = Date.UTC(2026, 0, 1) / 86_400_000;
    await aggregateSellerDays(market.system.stores.db, jan1, jan1 + 5, clock.now());
    expect(await rows()).toEqual(before);
  }, 120_000);
});
