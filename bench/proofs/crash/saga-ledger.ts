/**
 * The saga crash test's view of a data dir: every actor's state replayed from the journal alone
 * (no runtime, so reading wakes no saga), and the checks that must hold after any crash or once
 * every saga has had time to finish. The worker's finish mode uses `unsettledSagas` to know
 * when to stop waiting; the test runs every check.
 *
 * Each check returns a list of problems, each naming its actor, so a failure says what broke.
 */
import { evolve as evolveCheckout, initialState as initialCheckout } from '../../../actors/checkout/checkout.ts';
import type { CheckoutEvent, CheckoutState } from '../../../actors/checkout/checkout-messages.ts';
import { evolve as evolveOrder, initialState as initialOrder } from '../../../actors/order/order.ts';
import type { OrderEvent, OrderState } from '../../../actors/order/order-messages.ts';
import { evolve as evolveSeller, initialState as initialSeller } from '../../../actors/seller/seller.ts';
import type { SellerEvent, SellerState } from '../../../actors/seller/seller-messages.ts';
import { walletDecider, type WalletEvent, type WalletState } from '../../../actors/wallet/wallet.ts';
import type { Journal, JournalEntry } from '../../../persistence/adapters/journal.ts';
import { checkoutKey, orderKey, sellerKey, walletKey } from '../../../actors/keys.ts';

export interface World {
  /** Every stream, by key, in seq order. */
  readonly entries: ReadonlyMap<string, readonly JournalEntry[]>;
  readonly wallets: ReadonlyMap<string, WalletState>;
  readonly orders: ReadonlyMap<string, OrderState>;
  readonly checkouts: ReadonlyMap<string, CheckoutState>;
  readonly sellers: ReadonlyMap<string, SellerState>;
  /** `${sellerId}/${productId}` → the stock the product was created with. */
  readonly createdStock: ReadonlyMap<string, number>;
}

const pageSize = 5_000;

export async function readEntries(journal: Journal): Promise<Map<string, JournalEntry[]>> {
  const byKey = new Map<string, JournalEntry[]>();
  let after: JournalEntry | undefined;
  for (;;) {
    const page = await journal.readAll(after === undefined ? null : { key: after.key, seq: after.seq }, pageSize);
    for (const entry of page) {
      const list = byKey.get(entry.key) ?? [];
      list.push(entry);
      byKey.set(entry.key, list);
    }
    after = page.at(-1) ?? after;
    if (page.length < pageSize) return byKey;
  }
}

function replayEach<S, E>(entries: readonly JournalEntry[], initial: S, evolve: (state: S, event: E) => S): S {
  return entries.reduce((state, entry) => (entry.events as readonly E[]).reduce(evolve, state), initial);
}

export async function readWorld(journal: Journal): Promise<World> {
  const entries = await readEntries(journal);
  const wallets = new Map<string, WalletState>();
  const orders = new Map<string, OrderState>();
  const checkouts = new Map<string, CheckoutState>();
  const sellers = new Map<string, SellerState>();
  const createdStock = new Map<string, number>();
  for (const [key, list] of entries) {
    const separator = key.indexOf(':');
    const kind = key.slice(0, separator);
    const id = key.slice(separator + 1);
    if (kind === 'wallet') wallets.set(id, replayEach<WalletState, WalletEvent>(list, walletDecider.initialState, walletDecider.evolve));
    else if (kind === 'order') orders.set(id, replayEach<OrderState, OrderEvent>(list, initialOrder, evolveOrder));
    else if (kind === 'checkout') checkouts.set(id, replayEach<CheckoutState, CheckoutEvent>(list, initialCheckout, evolveCheckout));
    else if (kind === 'seller') {
      sellers.set(id, replayEach<SellerState, SellerEvent>(list, initialSeller, evolveSeller));
      for (const event of list.flatMap((entry) => entry.events as readonly SellerEvent[])) {
        if (event.type === 'ProductCreated') createdStock.set(`${id}/${event.productId}`, event.fields.stock);
      }
    }
  }
  return { entries, wallets, orders, checkouts, sellers, createdStock };
}

// ---------------------------------------------------------------------------------------------
// Sagas: finished, or why not

export function isTerminal(order: OrderState): boolean {
  return order.status === 'COMPLETED' || order.status === 'CANCELLED' || order.status === 'FAILED';
}

function pendingSteps(steps: Readonly<Record<string, { readonly status: string }>>): string[] {
  return Object.entries(steps)
    .filter(([, step]) => step.status === 'PENDING')
    .map(([stepId]) => stepId);
}

function failedSteps(steps: Readonly<Record<string, { readonly status: string }>>): string[] {
  return Object.entries(steps)
    .filter(([, step]) => step.status === 'FAILED')
    .map(([stepId]) => stepId);
}

/**
 * An order that waits for a person, not for the system: paid or shipped with its ship-by or
 * release timer still due after `nowMs`, no step pending. Only such an order may be unfinished
 * after the finish phase (with the test's short windows, none should be).
 */
export function isWaitingOnPerson(order: OrderState, nowMs: number): boolean {
  if (order.saga !== null || pendingSteps(order.steps).length > 0) return false;
  if (order.status !== 'PAID' && order.status !== 'SHIPPED') return false;
  return Object.entries(order.timers).some(([timerId, timer]) => (timerId === 'ship-by' || timerId === 'release-escrow') && timer.dueAt > nowMs);
}

/** Sagas not finished: checkouts neither COMPLETED nor FAILED, orders not terminal, or any step pending. */
export function unsettledSagas(world: World, nowMs: number): string[] {
  const problems: string[] = [];
  for (const [id, checkout] of world.checkouts) {
    const pending = pendingSteps(checkout.steps);
    if ((checkout.status !== 'COMPLETED' && checkout.status !== 'FAILED') || pending.length > 0) {
      problems.push(`${checkoutKey(id)} is ${checkout.status} with steps pending [${pending.join(', ')}]`);
    }
  }
  for (const [id, order] of world.orders) {
    const pending = pendingSteps(order.steps);
    if ((isTerminal(order) && pending.length === 0) || isWaitingOnPerson(order, nowMs)) continue;
    const failed = failedSteps(order.steps);
    problems.push(
      `${orderKey(id)} is ${order.status} (saga ${order.saga ?? 'none'}) with steps pending [${pending.join(', ')}]` +
        `${failed.length > 0 ? ` failed [${failed.join(', ')}]` : ''}, timers [${Object.keys(order.timers).join(', ')}]`,
    );
  }
  return problems;
}

/** A stream's entries, one line each, for diagnosing a stuck saga. */
export function describeStream(entries: readonly JournalEntry[]): string {
  return entries
    .map((entry) => {
      const events = (entry.events as readonly { type?: unknown; stepId?: unknown; timerId?: unknown; code?: unknown }[]).map((event) => {
        const detail = [event.stepId, event.timerId, event.code].filter((part) => typeof part === 'string').join(' ');
        return `${String(event.type)}${detail === '' ? '' : `(${detail})`}`;
      });
      return `  #${entry.seq} @${entry.at} ${entry.commandId}: ${events.join(', ')}`;
    })
    .join('\n');
}

// ---------------------------------------------------------------------------------------------
// Money per order: the wallets agree with the order's own status

/** What the buyer, the seller and the platform hold of one order, checked against its status. */
export function checkOrderMoney(world: World): string[] {
  const problems: string[] = [];
  const platform = world.wallets.get('platform');
  for (const [orderId, order] of world.orders) {
    if (order.saga !== null || order.status === 'NEW' || order.status === 'PLACED') continue;
    const purchase = world.wallets.get(order.buyerId)?.purchases[orderId];
    const sale = world.wallets.get(order.sellerId)?.sales[orderId];
    const fee = platform?.fees[orderId];
    const debited = purchase?.debitedMinor ?? 0;
    const refunded = purchase?.refundedMinor ?? 0;
    const where = `${orderKey(orderId)} ${order.status} (total ${order.totalMinor}, fee ${order.feeMinor})`;
    const expect = (fact: boolean, what: string) => {
      if (!fact) problems.push(`${where}: ${what}; buyer ${JSON.stringify(purchase)}, seller ${JSON.stringify(sale)}, platform fee ${fee}`);
    };
    if (order.status === 'FAILED') {
      expect(debited === refunded, 'a failed order keeps none of the buyer\'s money');
      expect(sale === undefined || sale.status === 'VOIDED', 'a failed order leaves the seller nothing pending');
      expect(fee === undefined, 'a failed order pays no fee');
      continue;
    }
    expect(debited === order.totalMinor, 'a paid order debited its buyer its total once');
    if (order.status === 'CANCELLED') {
      expect(refunded === debited, 'a cancelled order refunded its buyer in full');
      expect(sale?.status === 'VOIDED', 'a cancelled order voided the seller\'s pending funds');
      expect(fee === undefined, 'a cancelled order pays no fee');
    } else if (order.status === 'COMPLETED') {
      expect(refunded === 0, 'a completed order refunded nothing');
      expect(sale?.status === 'RELEASED' && sale.amountMinor === order.totalMinor, 'a completed order released the seller\'s funds');
      expect(sale?.feeMinor === order.feeMinor && fee === order.feeMinor, 'a completed order paid its fee to the platform once');
    } else {
      expect(refunded === 0 && sale?.status === 'LOCKED' && sale.amountMinor === order.totalMinor, 'a live order holds its funds in escrow');
    }
  }
  return problems;
}

// ---------------------------------------------------------------------------------------------
// Checkouts: all or nothing

export function checkCheckouts(world: World): string[] {
  const problems: string[] = [];
  for (const [checkoutId, checkout] of world.checkouts) {
    for (const planned of checkout.orders) {
      const order = world.orders.get(planned.orderId);
      const where = `${checkoutKey(checkoutId)} ${checkout.status}, ${orderKey(planned.orderId)}`;
      if (order === undefined) {
        // An order the checkout planned has no stream only while its placement is on its way
        // (pending) or after the order refused it (failed); one it accepted must exist.
        const place = checkout.steps[`place:${planned.orderId}`];
        if (place === undefined || place.status === 'DONE') problems.push(`${where}: the order accepted its placement, yet it has no journal`);
        continue;
      }
      if (order.checkoutId !== checkoutId) problems.push(`${where}: the order belongs to checkout ${order.checkoutId}`);
      if (checkout.status === 'COMPLETED' && (order.paidAt === null || order.cancelReason === 'checkout_failed')) {
        problems.push(`${where}: a completed checkout's order is ${order.status} (${order.cancelReason ?? 'paid'}), not paid`);
      }
      // A failed checkout has every paid order cancelled, or at least being cancelled.
      if (checkout.status === 'FAILED' && order.status !== 'FAILED' && order.status !== 'CANCELLED' && order.saga !== 'cancelling') {
        problems.push(`${where}: a failed checkout left its order ${order.status} (saga ${order.saga ?? 'none'})`);
      }
    }
  }
  return problems;
}

// ---------------------------------------------------------------------------------------------
// Stock: never negative, and what is missing is exactly what live reservations hold

export function checkStock(world: World, final: boolean): string[] {
  const problems: string[] = [];
  for (const [sellerId, seller] of world.sellers) {
    const reservedQty = new Map<string, number>();
    for (const [orderId, reservation] of Object.entries(seller.reservations)) {
      problems.push(...checkReservation(world, sellerId, orderId, reservation.status, final));
      if (reservation.status !== 'RESERVED') continue;
      for (const item of reservation.items) reservedQty.set(item.productId, (reservedQty.get(item.productId) ?? 0) + item.qty);
    }
    for (const [productId, product] of Object.entries(seller.products)) {
      const created = world.createdStock.get(`${sellerId}/${productId}`);
      const reserved = reservedQty.get(productId) ?? 0;
      if (product.stock < 0) problems.push(`${sellerKey(sellerId)} ${productId}: stock ${product.stock} < 0`);
      if (created === undefined || product.stock !== created - reserved) {
        problems.push(`${sellerKey(sellerId)} ${productId}: stock ${product.stock}, created with ${created}, reserved by live orders ${reserved}`);
      }
    }
  }
  return problems;
}

/**
 * A reservation still held belongs to an order that is paid (or being placed), or whose goods
 * shipped; one given back belongs to an order that undid it. `final` adds that a given-back
 * reservation of an order whose saga has finished means the order FAILED or was CANCELLED
 * before shipping (an order still mid-saga is for `unsettledSagas` to report).
 */
function checkReservation(world: World, sellerId: string, orderId: string, status: 'RESERVED' | 'RELEASED', final: boolean): string[] {
  const order = world.orders.get(orderId);
  const where = `${sellerKey(sellerId)} reservation of ${orderKey(orderId)} (${status})`;
  if (order === undefined || order.sellerId !== sellerId || !Object.hasOwn(order.steps, 'reserve_stock')) {
    return [`${where}: no order of this seller asked for it`];
  }
  const givenBackByOrder = order.status === 'FAILED' || (order.status === 'CANCELLED' && !order.shipped);
  if (status === 'RESERVED' && givenBackByOrder) return [`${where}: the order is ${order.status} and unshipped, yet its stock is still held`];
  if (status === 'RELEASED' && !Object.hasOwn(order.steps, 'release_stock')) return [`${where}: the order never gave its stock back`];
  const settled = order.saga === null && pendingSteps(order.steps).length === 0;
  if (status === 'RELEASED' && final && settled && !givenBackByOrder) return [`${where}: the order is ${order.status}, yet its stock was given back`];
  return [];
}

/** No balance or locked balance below zero, in the replayed wallets. */
export function checkWallets(world: World): string[] {
  const problems: string[] = [];
  for (const [walletId, wallet] of world.wallets) {
    if (wallet.balanceMinor < 0) problems.push(`${walletKey(walletId)}: balance ${wallet.balanceMinor} < 0`);
    if (wallet.lockedMinor < 0) problems.push(`${walletKey(walletId)}: locked ${wallet.lockedMinor} < 0`);
  }
  return problems;
}

/**
 * Every saga's wake-up timer is first armed STEP_RETRY_AFTER after the decision that armed it
 * (later re-arms of a saga that stays stuck back off, saga-retry-timer.ts): a saga cut short by
 * a crash is resumed that soon, not at some built-in default.
 */
export function checkRetryTimers(world: World, stepRetryMs: number): string[] {
  const problems: string[] = [];
  for (const [key, entries] of world.entries) {
    if (!key.startsWith('order:') && !key.startsWith('checkout:')) continue;
    for (const entry of entries) {
      for (const event of entry.events as readonly { type?: unknown; timerId?: unknown; dueAt?: unknown }[]) {
        if (event.type !== 'TimerScheduled' || typeof event.timerId !== 'string' || !/^retry-\d+$/.test(event.timerId)) continue;
        const delayMs = Number(event.dueAt) - entry.at;
        if (delayMs !== stepRetryMs) problems.push(`${key}#${entry.seq}: ${event.timerId} is due ${delayMs} ms after it was armed, not ${stepRetryMs}`);
      }
    }
  }
  return problems;
}
