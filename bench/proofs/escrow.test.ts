import { afterEach, describe, expect, it } from 'vitest';
import type { OrderState } from '../../actors/order/order-messages.ts';
import type { WalletState } from '../../actors/wallet/wallet.ts';
import { openMarketplace, type Marketplace } from '../../gateway/testing/marketplace.ts';
import { orderKey } from '../../actors/keys.ts';

const day = 86_400_000;
let market: Marketplace;
afterEach(async () => market?.close());

async function orderState(id: string): Promise<OrderState> {
  const result = await market.system.orders.inspect(id);
  if (!result.ok) throw new Error(result.message);
  return result.state;
}
async function wallet(id: string): Promise<WalletState> {
  const result = await market.system.wallets.inspect(id);
  if (!result.ok) throw new Error(result.message);
  return result.state;
}

async function paidOrder(): Promise<string> {
  await market.seller('s1', { lamp: { priceMinor: 2_500, stock: 3 } });
  await market.fund('b1', 10_000);
  const result = await market.buy('co1', 'b1', [{ sellerId: 's1', productId: 'lamp', qty: 2 }]);
  if (!result.ok) throw new Error(`${result.code}: ${result.message}`);
  const orderId = result.orderIds[0] ?? '';
  expect((await orderState(orderId)).status).toBe('PAID');
  return orderId;
}

async function ship(orderId: string): Promise<void> {
  const shipped = await market.system.orders.ask(orderId, { type: 'ShipOrder', commandId: 'ship', by: { role: 'SELLER', userId: 's1' } });
  expect(shipped.ok).toBe(true);
  await market.settle();
}

describe('escrow through the real runtime', () => {
  it('debits the buyer and locks the funds for the seller at checkout', async () => {
    market = await openMarketplace({ embedded: 'worker' });
    const orderId = await paidOrder();
    expect(await wallet('b1')).toMatchObject({ balanceMinor: 5_000, lockedMinor: 0 });
    expect(await wallet('s1')).toMatchObject({ balanceMinor: 0, lockedMinor: 5_000 });
    expect((await orderState(orderId)).totalMinor).toBe(5_000);
  });

  it('releases the funds 7 days after shipping, and not a moment before', async () => {
    market = await openMarketplace({ embedded: 'worker' });
    const orderId = await paidOrder();
    await ship(orderId);
    await market.advance(7 * day - 1);
    expect((await orderState(orderId)).status).toBe('SHIPPED');
    expect(await wallet('s1')).toMatchObject({ lockedMinor: 5_000 });
    await market.advance(1);
    expect((await orderState(orderId)).status).toBe('COMPLETED');
    expect(await wallet('s1')).toMatchObject({ balanceMinor: 5_000, lockedMinor: 0 });
  });

  it('survives a restart between scheduling and firing', async () => {
    market = await openMarketplace({ embedded: 'worker' });
    const orderId = await paidOrder();
    await ship(orderId);
    await market.advance(3 * day);
    market = await market.restart();
    expect(market.system.runtime.isResident(orderKey(orderId))).toBe(false);
    await market.advance(4 * day);
    expect((await orderState(orderId)).status).toBe('COMPLETED');
    expect(await wallet('s1')).toMatchObject({ balanceMinor: 5_000, lockedMinor: 0 });
  });

  it('takes effect once when the timer is delivered twice', async () => {
    market = await openMarketplace({ embedded: 'worker' });
    const orderId = await paidOrder();
    await ship(orderId);
    const release = { type: 'ReleaseEscrow', timerId: 'release-escrow' } as const;
    await market.advance(7 * day);
    const again = await market.system.orders.ask(orderId, release);
    const third = await market.system.runtime.ask(orderKey(orderId), release);
    expect(again.ok && third.ok).toBe(true);
    await market.settle();
    const entries = await market.system.stores.journal.read(`wallet:s1`, 0, 100);
    const releases = entries.flatMap((entry) => entry.events).filter((event) => (event as { type: string }).type === 'PendingReleased');
    expect(releases).toHaveLength(1);
    expect(await wallet('s1')).toMatchObject({ balanceMinor: 5_000, lockedMinor: 0 });
  });

  it('does not fire after the buyer confirmed (released once, by the buyer)', async () => {
    market = await openMarketplace({ embedded: 'worker' });
    const orderId = await paidOrder();
    await ship(orderId);
    const confirmed = await market.system.orders.ask(orderId, { type: 'ConfirmDelivery', commandId: 'confirm', by: { role: 'BUYER', userId: 'b1' } });
    expect(confirmed.ok).toBe(true);
    await market.settle();
    expect(await orderState(orderId)).toMatchObject({ status: 'COMPLETED', releaseReason: 'buyer_confirmed' });
    await market.advance(8 * day);
    expect(await orderState(orderId)).toMatchObject({ status: 'COMPLETED', releaseReason: 'buyer_confirmed' });
    expect(await wallet('s1')).toMatchObject({ balanceMinor: 5_000, lockedMinor: 0 });
    expect(await market.system.timers.pending(orderKey(orderId))).toEqual([]);
  });

  it('does not fire while disputed; an admin refund then returns the money to the buyer', async () => {
    market = await openMarketplace({ embedded: 'worker' });
    const orderId = await paidOrder();
    await ship(orderId);
    const disputed = await market.system.orders.ask(orderId, { type: 'OpenDispute', commandId: 'dispute', by: { role: 'BUYER', userId: 'b1' }, reason: 'broken' });
    expect(disputed.ok).toBe(true);
    await market.advance(10 * day);
    expect((await orderState(orderId)).status).toBe('DISPUTED');
    expect(await wallet('s1')).toMatchObject({ balanceMinor: 0, lockedMinor: 5_000 });
    const resolved = await market.system.orders.ask(orderId, { type: 'ResolveDispute', commandId: 'resolve', by: { role: 'ADMIN', userId: 'admin' }, resolution: 'refund' });
    expect(resolved.ok).toBe(true);
    await market.settle();
    expect((await orderState(orderId)).status).toBe('CANCELLED');
    expect(await wallet('b1')).toMatchObject({ balanceMinor: 10_000 });
    expect(await wallet('s1')).toMatchObject({ balanceMinor: 0, lockedMinor: 0 });
  });

  it('cancels and refunds an order not shipped within the ship-by window', async () => {
    market = await openMarketplace({ embedded: 'worker' });
    const orderId = await paidOrder();
    await market.advance(3 * day);
    expect(await orderState(orderId)).toMatchObject({ status: 'CANCELLED', cancelReason: 'ship_by_expired' });
    expect(await wallet('b1')).toMatchObject({ balanceMinor: 10_000 });
    expect(await wallet('s1')).toMatchObject({ lockedMinor: 0 });
  });
});
