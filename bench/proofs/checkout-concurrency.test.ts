/**
 * Checkout under contention, through the real runtime (nact actors, sagas, PGlite journal, the
 * virtual clock): many checkouts racing for one buyer's money or one seller's last items must
 * end with exactly as many paid orders as there was money or stock for, every other checkout
 * refused with one clear reason, every compensation done, and a ledger that balances.
 *
 * The tests share one marketplace (opening PGlite costs seconds) and never share an actor: each
 * uses its own buyers, sellers and products. The audit reads the whole journal, so each test
 * also proves that the ones before it left the ledger clean.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CartLine } from '../../actors/checkout/checkout-messages.ts';
import type { SellerEvent, SellerState } from '../../actors/seller/seller-messages.ts';
import { sellerDecider } from '../../actors/seller/seller.ts';
import type { WalletEvent } from '../../actors/wallet/wallet.ts';
import type { Failure } from '../../runtime/ask.ts';
import { checkout, type CheckoutSucceeded } from '../../gateway/app/commerce.ts';
import { openMarketplace, type Marketplace } from '../../gateway/testing/marketplace.ts';
import {
  auditJournal,
  auditProblems,
  checkoutState,
  moneyByOrder,
  orderState,
  readStream,
  repeatedMoneySteps,
  sellerState,
  settleFully,
  tally,
  walletState,
} from './proof-kit.ts';
import { sellerKey, walletKey } from '../../actors/keys.ts';

/**
 * Why the limits are raised: 500 checkouts at once put about a thousand messages in the mailboxes
 * of one wallet and one seller (reserve, debit, the undo steps, stats). With the default
 * `mailboxMax` of 1,000 some asks are answered `mailbox_full`, and with the default 5 s
 * `askTimeoutMs` the tail of a queue that one actor works through one journal append at a time
 * (on a busy 2-core machine) times out. Both are transient answers that the saga retries, but
 * after `sagaEffectAttemptsMax` attempts it waits for its 30 s retry timer, which the frozen
 * virtual clock never fires. Measured with the defaults: 137 paid, 310 refused and 53 sagas
 * stalled until a clock jump. That is the designed behaviour (late, never lost), but it would make
 * this test measure the harness instead of the money. Overflow and timeouts have their own tests
 * (runtime.test.ts, saga.test.ts).
 */
const contentionLimits = { mailboxMax: 20_000, askTimeoutMs: 120_000 };
/** How long a caller waits for one checkout saga to finish. */
const checkoutWaitMs = 150_000;
const proofTimeoutMs = 240_000;

let market: Marketplace;
beforeAll(async () => {
  market = await openMarketplace({ limits: contentionLimits, embedded: 'worker' });
}, 60_000);
afterAll(async () => market?.close());

type CheckoutResult = CheckoutSucceeded | Failure;

function buy(checkoutId: string, buyerId: string, lines: CartLine[]): Promise<CheckoutResult> {
  return checkout(market.system, { checkoutId, buyerId, lines }, checkoutWaitMs);
}

function outcomes(results: readonly CheckoutResult[]): string {
  return tally(results.map((result) => (result.ok ? 'ok' : result.code)));
}

async function deposit(userId: string, amountMinor: number, commandId: string): Promise<void> {
  const result = await market.system.wallets.ask(userId, { type: 'Deposit', commandId, amountMinor });
  if (!result.ok) throw new Error(`deposit to ${userId} failed: ${result.code}`);
}

async function expectCleanAudit(what: string): Promise<void> {
  const audit = await auditJournal(market);
  expect(auditProblems(audit, { quiet: true }), `${what}: ledger audit`).toEqual([]);
  const repeated = repeatedMoneySteps(await moneyByOrder(market.system.stores.journal));
  expect(repeated, `${what}: money steps repeated in the wallet journals`).toEqual([]);
}

/** Replays a seller's journal and returns every (seq, product, stock) that went below zero. */
async function negativeStockHistory(sellerId: string): Promise<string[]> {
  const entries = await readStream<SellerEvent>(market.system.stores.journal, sellerKey(sellerId));
  const problems: string[] = [];
  let state: SellerState = sellerDecider.initialState;
  for (const entry of entries) {
    state = entry.events.reduce(sellerDecider.evolve, state);
    for (const product of Object.values(state.products)) {
      if (product.stock < 0) problems.push(`seq ${entry.seq}: ${product.productId} stock ${product.stock}`);
    }
  }
  return problems;
}

async function walletEvents(userId: string): Promise<WalletEvent[]> {
  const entries = await readStream<WalletEvent>(market.system.stores.journal, walletKey(userId));
  return entries.flatMap((entry) => entry.events);
}

describe('500 concurrent checkouts by one buyer who can afford N of them', () => {
  const attempts = 500;
  const affordable = 137;
  const priceMinor = 1_250;

  it('pays exactly N orders, refuses the rest for insufficient funds, and leaves the buyer at 0', async () => {
    await market.seller('funds-seller', { widget: { priceMinor, stock: 10_000 } });
    await deposit('funds-buyer', affordable * priceMinor, 'funds-deposit');
    const line = { sellerId: 'funds-seller', productId: 'widget', qty: 1 };
    const results = await Promise.all(Array.from({ length: attempts }, (_, index) => buy(`funds-${index}`, 'funds-buyer', [line])));
    await settleFully(market, 'funds race');

    const paid = results.filter((result) => result.ok);
    const refused = results.filter((result): result is Failure => !result.ok);
    expect(paid.length, `paid checkouts (outcomes: ${outcomes(results)})`).toBe(affordable);
    expect(refused.map((result) => result.code), 'every refusal is insufficient_funds').toEqual(Array(attempts - affordable).fill('insufficient_funds'));

    const orderIds = results.map((_, index) => `funds-${index}-1`);
    const orders = await Promise.all(orderIds.map((orderId) => orderState(market, orderId)));
    expect(tally(orders.map((order) => order.status)), 'order statuses').toBe(`FAILED=${attempts - affordable} PAID=${affordable}`);
    for (const [index, order] of orders.entries()) {
      expect(order.saga, `order ${orderIds[index]} has no saga running`).toBeNull();
      expect(order.status === 'PAID', `order ${orderIds[index]} is PAID exactly when its checkout succeeded`).toBe(results[index]?.ok);
    }

    expect(await walletState(market, 'funds-buyer'), 'buyer wallet').toMatchObject({ balanceMinor: 0, lockedMinor: 0 });
    expect(await walletState(market, 'funds-seller'), 'seller wallet').toMatchObject({ balanceMinor: 0, lockedMinor: affordable * priceMinor });
    const seller = await sellerState(market, 'funds-seller');
    expect(seller.products['widget']?.stock, 'stock taken by the paid orders only').toBe(10_000 - affordable);
    const debits = (await walletEvents('funds-buyer')).filter((event) => event.type === 'DebitedForOrder');
    expect(debits.length, 'one debit per paid order').toBe(affordable);
    await expectCleanAudit('funds race');
  }, proofTimeoutMs);

  it('places one set of orders and debits once when the same checkoutId arrives 50 times at once', async () => {
    await market.seller('twin-seller-a', { mug: { priceMinor: 700, stock: 100 } });
    await market.seller('twin-seller-b', { pot: { priceMinor: 1_900, stock: 100 } });
    await deposit('twin-buyer', 10_000, 'twin-deposit');
    const lines = [
      { sellerId: 'twin-seller-b', productId: 'pot', qty: 1 },
      { sellerId: 'twin-seller-a', productId: 'mug', qty: 2 },
    ];
    const results = await Promise.all(Array.from({ length: 50 }, () => buy('twin', 'twin-buyer', lines)));
    await settleFully(market, 'same checkoutId');

    expect(outcomes(results), 'every caller gets the one outcome').toBe('ok=50');
    for (const result of results) expect(result, 'the same orders for every caller').toEqual({ ok: true, checkoutId: 'twin', orderIds: ['twin-1', 'twin-2'] });
    const state = await checkoutState(market, 'twin');
    expect(state.orders.map((order) => order.orderId), 'one set of orders').toEqual(['twin-1', 'twin-2']);
    const starts = (await readStream<{ type: string }>(market.system.stores.journal, 'checkout:twin')).filter((entry) =>
      entry.events.some((event) => event.type === 'CheckoutStarted'),
    );
    expect(starts.length, 'the checkout started once').toBe(1);

    const debits = (await walletEvents('twin-buyer')).filter((event) => event.type === 'DebitedForOrder');
    expect(debits, 'one debit per order').toEqual([
      expect.objectContaining({ orderId: expect.stringMatching(/^twin-[12]$/) }),
      expect.objectContaining({ orderId: expect.stringMatching(/^twin-[12]$/) }),
    ]);
    expect(new Set(debits.map((event) => (event.type === 'DebitedForOrder' ? event.orderId : ''))).size, 'debits of distinct orders').toBe(2);
    expect(await walletState(market, 'twin-buyer'), 'charged once').toMatchObject({ balanceMinor: 10_000 - 2 * 700 - 1_900, lockedMinor: 0 });
    expect((await sellerState(market, 'twin-seller-a')).products['mug']?.stock, 'reserved once').toBe(98);
    await expectCleanAudit('same checkoutId');
  }, proofTimeoutMs);

  it('refuses another cart, or another buyer, under a checkoutId already used', async () => {
    await market.seller('reuse-seller', { cup: { priceMinor: 500, stock: 100 } });
    await deposit('reuse-buyer', 10_000, 'reuse-deposit');
    await deposit('reuse-other', 10_000, 'reuse-deposit');
    const first = await buy('reuse', 'reuse-buyer', [{ sellerId: 'reuse-seller', productId: 'cup', qty: 1 }]);
    expect(first, 'the first checkout').toMatchObject({ ok: true, orderIds: ['reuse-1'] });
    const otherCart = await buy('reuse', 'reuse-buyer', [{ sellerId: 'reuse-seller', productId: 'cup', qty: 3 }]);
    const otherBuyer = await buy('reuse', 'reuse-other', [{ sellerId: 'reuse-seller', productId: 'cup', qty: 1 }]);
    await settleFully(market, 'reused checkoutId');
    // Neither caller may be told that its cart was bought: only the first cart was.
    expect(otherCart, 'another cart under the same checkoutId').toMatchObject({ ok: false, code: 'checkout_exists' });
    expect(otherBuyer, 'another buyer under the same checkoutId').toMatchObject({ ok: false, code: 'checkout_exists' });
    expect(await walletState(market, 'reuse-buyer'), 'charged for the first cart only').toMatchObject({ balanceMinor: 9_500 });
    expect(await walletState(market, 'reuse-other'), 'never charged').toMatchObject({ balanceMinor: 10_000 });
  }, proofTimeoutMs);
});

describe('many buyers racing for the last K items', () => {
  const buyers = 100;
  const lastItems = 7;
  const priceMinor = 4_999;
  const depositMinor = 50_000;

  it('sells exactly K, refuses the rest as out_of_stock, and never lets stock go negative', async () => {
    await market.seller('stock-seller', { lamp: { priceMinor, stock: lastItems } });
    const buyerIds = Array.from({ length: buyers }, (_, index) => `stock-buyer-${index}`);
    await Promise.all(buyerIds.map((buyerId) => deposit(buyerId, depositMinor, 'stock-deposit')));
    const line = { sellerId: 'stock-seller', productId: 'lamp', qty: 1 };
    const results = await Promise.all(buyerIds.map((buyerId, index) => buy(`stock-${index}`, buyerId, [line])));
    await settleFully(market, 'stock race');

    expect(results.filter((result) => result.ok).length, `checkouts that got an item (outcomes: ${outcomes(results)})`).toBe(lastItems);
    const refusedCodes = results.flatMap((result) => (result.ok ? [] : [result.code]));
    expect(refusedCodes, 'every refusal is out_of_stock').toEqual(Array(buyers - lastItems).fill('out_of_stock'));

    const seller = await sellerState(market, 'stock-seller');
    expect(seller.products['lamp']?.stock, 'stock ends at 0').toBe(0);
    expect(await negativeStockHistory('stock-seller'), 'stock after every journal entry').toEqual([]);
    const reserved = Object.values(seller.reservations).filter((reservation) => reservation.status === 'RESERVED');
    expect(reserved.length, 'reservations held').toBe(lastItems);

    const wallets = await Promise.all(buyerIds.map((buyerId) => walletState(market, buyerId)));
    for (const [index, wallet] of wallets.entries()) {
      const expected = results[index]?.ok ? depositMinor - priceMinor : depositMinor;
      expect(wallet, `${buyerIds[index]} after a ${results[index]?.ok ? 'successful' : 'refused'} checkout`).toMatchObject({
        balanceMinor: expected,
        lockedMinor: 0,
      });
    }
    expect(await walletState(market, 'stock-seller'), 'seller wallet').toMatchObject({ balanceMinor: 0, lockedMinor: lastItems * priceMinor });
    await expectCleanAudit('stock race');
  }, proofTimeoutMs);
});

describe('a multi-seller cart the buyer can afford only in part', () => {
  it('fails with one clear rejection, refunds the paid order and restores stock at both sellers', async () => {
    // The cheap order alone is affordable and the dear one never is, whichever debit lands
    // first, so the outcome does not depend on the order the two sagas reach the wallet in.
    await market.seller('split-a', { book: { priceMinor: 3_000, stock: 5 } });
    await market.seller('split-b', { desk: { priceMinor: 8_000, stock: 5 } });
    await deposit('split-buyer', 6_000, 'split-deposit');
    const result = await buy('split', 'split-buyer', [
      { sellerId: 'split-a', productId: 'book', qty: 1 },
      { sellerId: 'split-b', productId: 'desk', qty: 1 },
    ]);
    await settleFully(market, 'split cart');

    // The refusal names the checkout's orders (issue #14 item 9), which were all compensated.
    expect(result, 'one clear rejection').toEqual({ ok: false, code: 'insufficient_funds', message: expect.any(String), orderIds: ['split-1', 'split-2'] });
    const checkoutNow = await checkoutState(market, 'split');
    expect(checkoutNow, 'the checkout').toMatchObject({ status: 'FAILED', failure: { code: 'insufficient_funds' } });
    const [first, second] = await Promise.all([orderState(market, 'split-1'), orderState(market, 'split-2')]);
    expect(first, 'the affordable order, paid then compensated').toMatchObject({
      sellerId: 'split-a',
      status: 'CANCELLED',
      cancelReason: 'checkout_failed',
      saga: null,
      totalMinor: 3_000,
    });
    expect(second, 'the unaffordable order').toMatchObject({ sellerId: 'split-b', status: 'FAILED', saga: null, failure: { code: 'insufficient_funds' } });

    expect(await walletState(market, 'split-buyer'), 'buyer refunded in full').toMatchObject({ balanceMinor: 6_000, lockedMinor: 0 });
    expect(await walletState(market, 'split-a'), 'first seller: pending credit voided').toMatchObject({ balanceMinor: 0, lockedMinor: 0 });
    expect(await walletState(market, 'split-b'), 'second seller: never credited').toMatchObject({ balanceMinor: 0, lockedMinor: 0 });
    expect((await sellerState(market, 'split-a')).products['book']?.stock, 'stock restored at the first seller').toBe(5);
    expect((await sellerState(market, 'split-b')).products['desk']?.stock, 'stock restored at the second seller').toBe(5);
    const money = await moneyByOrder(market.system.stores.journal);
    expect(money.get('split-1'), 'the first order: debited, credited, voided and refunded once each').toMatchObject({
      debited: 1, credited: 1, voided: 1, refunded: 1, released: 0, refundedMinor: 3_000,
    });
    expect(money.get('split-2')?.debited ?? 0, 'the second order was never debited').toBe(0);
    await expectCleanAudit('split cart');
  }, proofTimeoutMs);
});

describe('a failed checkout whose first order a person acted on at once', () => {
  it('leaves no order of the failed checkout standing (all or nothing, DESIGN.md §3)', async () => {
    await market.seller('eager-a', { book: { priceMinor: 3_000, stock: 5 } });
    await market.seller('eager-b', { desk: { priceMinor: 8_000, stock: 1_000 } });
    await deposit('eager-buyer', 6_000, 'eager-deposit');
    await deposit('eager-crowd', 10_000_000, 'eager-deposit');
    // Other buyers keep the second seller busy, so the cart's second order is placed (and
    // fails: 8,000 > 6,000) only after the first one is paid and its seller and buyer have tried
    // to ship and confirm it. Without the checkout gate both were accepted and the first order
    // completed, charging the buyer for half of a failed checkout (measured before the gate).
    const crowd = Array.from({ length: 200 }, (_, index) =>
      buy(`eager-crowd-${index}`, 'eager-crowd', [{ sellerId: 'eager-b', productId: 'desk', qty: 1 }]),
    );
    const cart = buy('eager', 'eager-buyer', [
      { sellerId: 'eager-a', productId: 'book', qty: 1 },
      { sellerId: 'eager-b', productId: 'desk', qty: 1 },
    ]);
    const paid = await market.system.orders.waitFor('eager-1', (order) => order.status === 'PAID', checkoutWaitMs);
    expect(paid.ok, 'the first order is paid while the second is still queued').toBe(true);
    // The seller sees a paid order and ships it; the buyer confirms. Whether the runtime accepts
    // these while the checkout is still running is its choice; the outcome below is not.
    await market.system.orders.ask('eager-1', { type: 'ShipOrder', commandId: 'ship', by: { role: 'SELLER', userId: 'eager-a' } });
    await market.system.orders.ask('eager-1', { type: 'ConfirmDelivery', commandId: 'confirm', by: { role: 'BUYER', userId: 'eager-buyer' } });
    const result = await cart;
    await Promise.all(crowd);
    await settleFully(market, 'eager follow-up');

    expect(result, 'the checkout fails as a whole').toMatchObject({ ok: false, code: 'insufficient_funds' });
    const first = await orderState(market, 'eager-1');
    expect({ status: first.status, releaseReason: first.releaseReason }, 'the first order is undone with its checkout').toMatchObject({ status: 'CANCELLED' });
    expect(await walletState(market, 'eager-buyer'), 'a failed checkout charges nothing').toMatchObject({ balanceMinor: 6_000, lockedMinor: 0 });
    await expectCleanAudit('eager follow-up');
  }, proofTimeoutMs);
});
