/**
 * One order's story in the read-model fixtures' market (readmodels.fixtures.ts): the entries its
 * saga would journal on the order, the seller and both wallets, step by step, to the fate drawn
 * for it (paid, shipped, completed, cancelled, disputed, or stuck part-way).
 */
import type { CancelReason, OrderEvent, ReleaseReason } from '../../../actors/order/order-messages.ts';
import type { PricedItem } from '../../../actors/seller/seller-messages.ts';
import { sellerKey, walletKey } from '../../../actors/keys.ts';
import { dayMs, releaseAfterMs, type OrderFate, type Simulation } from './market-simulation.fixtures.ts';

/** The facts one order's steps need, fixed when it is priced. */
interface Story {
  readonly sim: Simulation;
  readonly orderId: string;
  readonly buyerId: string;
  readonly sellerId: string;
  readonly items: readonly PricedItem[];
  readonly totalMinor: number;
  readonly feeMinor: number;
  /** Timers scheduled and not yet cancelled. */
  readonly timers: Set<string>;
  shipped: boolean;
}

export function* orderStory(sim: Simulation, orderId: string, buyerId: string, sellerId: string, fate: OrderFate): Generator<void> {
  const requested = chooseItems(sim, sellerId);
  const platformFeeBps = sim.random() < 0.15 ? 0 : 250;
  sim.order(orderId, 'place', (at) => [
    { type: 'OrderPlaced', orderId, checkoutId: `c-${orderId}`, buyerId, sellerId, items: requested.map(({ productId, qty }) => ({ productId, qty })), platformFeeBps, at },
    { type: 'StepStarted', stepId: 'reserve_stock', target: sellerKey(sellerId), command: { type: 'ReserveStock', orderId, items: requested }, at },
    { type: 'TimerScheduled', timerId: 'retry-1', dueAt: at + 30_000, command: { type: 'RetrySteps', timerId: 'retry-1' } },
  ]);
  yield;
  const items = reserve(sim, sellerId, requested);
  if (items === null) {
    // The refused reservation is undone all the same, which fences the order at the seller.
    sim.order(orderId, 'step:reserve_stock', (at) => [
      { type: 'StepFailed', stepId: 'reserve_stock', code: 'out_of_stock', message: 'Not enough stock.', at },
      { type: 'StepStarted', stepId: 'release_stock', target: sellerKey(sellerId), command: { type: 'ReleaseStock', orderId }, at },
    ]);
    yield;
    sim.seller(sellerId, `release-stock:${orderId}`, () => [{ type: 'ReservationFenced', orderId }]);
    yield;
    sim.order(orderId, 'step:release_stock', (at) => [
      { type: 'StepSucceeded', stepId: 'release_stock', at },
      { type: 'OrderFailed', code: 'out_of_stock', message: 'Not enough stock.', at },
      { type: 'TimerCancelled', timerId: 'retry-1' },
    ]);
    return sim.count('failed_out_of_stock');
  }
  sim.seller(sellerId, `reserve:${orderId}`, (at) => [{ type: 'StockReserved', orderId, items, at }]);
  yield;
  const totalMinor = items.reduce((total, item) => total + item.qty * item.unitPriceMinor, 0);
  const story: Story = { sim, orderId, buyerId, sellerId, items, totalMinor, feeMinor: Math.floor((totalMinor * platformFeeBps) / 10_000), timers: new Set(['retry-1']), shipped: false };
  sim.order(orderId, 'step:reserve_stock', (at) => [
    { type: 'StepSucceeded', stepId: 'reserve_stock', at },
    { type: 'OrderPriced', items, totalMinor, feeMinor: story.feeMinor, at },
    { type: 'StepStarted', stepId: 'debit_buyer', target: walletKey(buyerId), command: { type: 'DebitForOrder', orderId, amountMinor: totalMinor }, at },
  ]);
  yield;
  if ((sim.balances.get(buyerId) ?? 0) < totalMinor) return yield* failUnpaid(story);
  yield* payAndCredit(story, fate);
  if (fate === 'stuck_after_debit') return sim.count(fate);
  yield* finishStory(story, fate);
  sim.count(fate);
}

function* finishStory(story: Story, fate: OrderFate): Generator<void> {
  switch (fate) {
    case 'paid':
    case 'stuck_after_debit':
      return;
    case 'shipped':
      return yield* ship(story);
    case 'completed_confirmed':
      yield* ship(story);
      return yield* release(story, 'buyer_confirmed', true);
    case 'completed_auto':
      yield* ship(story);
      return yield* release(story, 'auto_release', true);
    case 'stuck_releasing':
      yield* ship(story);
      return yield* release(story, 'auto_release', false);
    case 'cancelled_unshipped':
      return yield* cancel(story, 'seller_cancelled');
    case 'cancelled_ship_by':
      return yield* cancel(story, 'ship_by_expired');
    case 'dispute_open':
      return yield* dispute(story);
    case 'dispute_refund':
      yield* dispute(story);
      return yield* cancel(story, 'dispute_refunded');
    case 'dispute_release':
      yield* dispute(story);
      return yield* release(story, 'dispute_released', true);
    default:
      throw new Error(`unknown fate ${JSON.stringify(fate satisfies never)}`);
  }
}

function chooseItems(sim: Simulation, sellerId: string): PricedItem[] {
  const live = (sim.products.get(sellerId) ?? []).slice(0, -1);
  const lines = new Map<string, PricedItem>();
  for (let line = sim.integer(1, 3); line > 0; line -= 1) {
    const product = sim.pick(live);
    lines.set(product.productId, { productId: product.productId, title: product.title, qty: sim.integer(1, 3), unitPriceMinor: 0 });
  }
  return [...lines.values()];
}

/** Takes the stock and prices the lines at the seller's current prices, or null when short. */
function reserve(sim: Simulation, sellerId: string, requested: readonly PricedItem[]): PricedItem[] | null {
  const products = sim.products.get(sellerId) ?? [];
  const find = (productId: string) => products.find((product) => product.productId === productId);
  if (requested.some((item) => (find(item.productId)?.stock ?? 0) < item.qty)) return null;
  return requested.map((item) => {
    const product = find(item.productId);
    if (product === undefined) throw new Error(`simulation bug: no product ${item.productId}`);
    product.stock -= item.qty;
    return { ...item, title: product.title, unitPriceMinor: product.priceMinor };
  });
}

function giveBackStock(story: Story): void {
  for (const item of story.items) {
    const product = story.sim.products.get(story.sellerId)?.find((candidate) => candidate.productId === item.productId);
    if (product !== undefined) product.stock += item.qty;
  }
}

/** The refused debit is undone all the same (fencing the order at the buyer), then the stock is given back. */
function* failUnpaid(story: Story): Generator<void> {
  const { sim, orderId, buyerId, totalMinor } = story;
  sim.order(orderId, 'step:debit_buyer', (at) => [
    { type: 'StepFailed', stepId: 'debit_buyer', code: 'insufficient_funds', message: 'Not enough money.', at },
    { type: 'StepStarted', stepId: 'refund_buyer', target: walletKey(buyerId), command: { type: 'RefundOrder', orderId, amountMinor: totalMinor }, at },
  ]);
  yield;
  sim.wallet(buyerId, `refund:${orderId}`, { type: 'OrderFenced', orderId, side: 'buyer' });
  yield;
  yield* refundedThenStockBack(story, (at) => [
    { type: 'OrderFailed', code: 'insufficient_funds', message: 'Not enough money.', at },
    { type: 'TimerCancelled', timerId: 'retry-1' },
  ]);
  sim.count('failed_insufficient_funds');
}

/** The refund's success starts release_stock; the seller gives the stock back; that step's success ends the order with `ending`. */
function* refundedThenStockBack(story: Story, ending: (at: number) => OrderEvent[]): Generator<void> {
  const { sim, orderId, sellerId } = story;
  sim.order(orderId, 'step:refund_buyer', (at) => [
    { type: 'StepSucceeded', stepId: 'refund_buyer', at },
    { type: 'StepStarted', stepId: 'release_stock', target: sellerKey(sellerId), command: { type: 'ReleaseStock', orderId }, at },
  ]);
  yield;
  giveBackStock(story);
  sim.seller(sellerId, `release-stock:${orderId}`, (at) => [{ type: 'StockReleased', orderId, items: story.items, at }]);
  yield;
  sim.order(orderId, 'step:release_stock', (at) => [{ type: 'StepSucceeded', stepId: 'release_stock', at }, ...ending(at)]);
}

function* payAndCredit(story: Story, fate: OrderFate): Generator<void> {
  const { sim, orderId, buyerId, sellerId, totalMinor } = story;
  sim.wallet(buyerId, `debit:${orderId}`, { type: 'DebitedForOrder', orderId, amountMinor: totalMinor });
  yield;
  sim.order(orderId, 'step:debit_buyer', (at) => [
    { type: 'StepSucceeded', stepId: 'debit_buyer', at },
    { type: 'StepStarted', stepId: 'credit_seller', target: walletKey(sellerId), command: { type: 'CreditPending', orderId, amountMinor: totalMinor }, at },
  ]);
  yield;
  if (fate === 'stuck_after_debit') return;
  sim.wallet(sellerId, `credit-pending:${orderId}`, { type: 'PendingCredited', orderId, amountMinor: totalMinor });
  yield;
  story.timers.add('ship-by');
  sim.order(orderId, 'step:credit_seller', (at) => [
    { type: 'StepSucceeded', stepId: 'credit_seller', at },
    { type: 'OrderPaid', at },
    { type: 'TimerScheduled', timerId: 'ship-by', dueAt: at + 3 * dayMs, command: { type: 'ExpireShipBy', timerId: 'ship-by' } },
    { type: 'StepStarted', stepId: 'notify_checkout', target: `checkout:c-${orderId}`, command: { type: 'OrderSettled', orderId, outcome: 'PAID', code: null, message: null }, at },
  ]);
  yield;
  // The report was the last step pending, so its success cancels the retry timer. The seller
  // hears nothing: its stats are the orders read model's (actors/seller/seller-messages.ts).
  sim.order(orderId, 'step:notify_checkout', (at) => [{ type: 'StepSucceeded', stepId: 'notify_checkout', at }, { type: 'TimerCancelled', timerId: 'retry-1' }]);
  story.timers.delete('retry-1');
  yield;
}

function* ship(story: Story): Generator<void> {
  const { sim, orderId } = story;
  story.shipped = true;
  story.timers.delete('ship-by');
  story.timers.add('release-escrow');
  sim.order(
    orderId,
    'ship-1',
    (at) => [
      { type: 'OrderShipped', at, releaseDueAt: at + releaseAfterMs },
      { type: 'TimerCancelled', timerId: 'ship-by' },
      { type: 'TimerScheduled', timerId: 'release-escrow', dueAt: at + releaseAfterMs, command: { type: 'ReleaseEscrow', timerId: 'release-escrow' } },
    ],
    sim.integer(0, 2) * dayMs,
  );
  yield;
}

function cancelPendingTimers(story: Story): OrderEvent[] {
  const cancelled = [...story.timers].filter((timerId) => timerId !== 'retry-1');
  for (const timerId of cancelled) story.timers.delete(timerId);
  return cancelled.map((timerId) => ({ type: 'TimerCancelled', timerId }));
}

function resolved(resolution: 'refund' | 'release', at: number): OrderEvent {
  return { type: 'DisputeResolved', resolution, adminId: 'admin-1', at };
}

/** A dispute, on a paid order or (half the time) after it shipped. */
function* dispute(story: Story): Generator<void> {
  const { sim, orderId } = story;
  if (sim.random() < 0.5) yield* ship(story);
  sim.order(orderId, 'dispute-1', (at) => [{ type: 'DisputeOpened', reason: 'not as described', at }], dayMs);
  yield;
}

/** Releases the escrow: the seller's pending funds, then the platform fee (unless `finish` is false). */
function* release(story: Story, reason: ReleaseReason, finish: boolean): Generator<void> {
  const { sim, orderId, sellerId, totalMinor, feeMinor } = story;
  const first = (at: number): OrderEvent[] => [
    ...(reason === 'buyer_confirmed' ? [{ type: 'DeliveryConfirmed', at } as const] : []),
    ...(reason === 'dispute_released' ? [resolved('release', at)] : []),
    ...cancelPendingTimers(story),
    { type: 'ReleaseStarted', reason, at },
    { type: 'StepStarted', stepId: 'release_funds', target: walletKey(sellerId), command: { type: 'ReleasePending', orderId, feeMinor }, at },
  ];
  sim.order(orderId, reason === 'buyer_confirmed' ? 'confirm-1' : reason === 'auto_release' ? 'timer:release-escrow' : 'resolve-1', first, reason === 'auto_release' ? releaseAfterMs : dayMs);
  yield;
  sim.wallet(sellerId, `release:${orderId}`, { type: 'PendingReleased', orderId, amountMinor: totalMinor, feeMinor });
  yield;
  sim.order(orderId, 'step:release_funds', (at) => [
    { type: 'StepSucceeded', stepId: 'release_funds', at },
    { type: 'StepStarted', stepId: 'credit_fee', target: 'wallet:platform', command: { type: 'CreditFee', orderId, amountMinor: feeMinor }, at },
  ]);
  yield;
  if (!finish) return;
  sim.wallet('platform', `fee:${orderId}`, { type: 'FeeCredited', orderId, amountMinor: feeMinor });
  yield;
  sim.order(orderId, 'step:credit_fee', (at) => [
    { type: 'StepSucceeded', stepId: 'credit_fee', at },
    { type: 'OrderCompleted', reason, releasedMinor: totalMinor, feeMinor, at },
  ]);
  yield;
}

/** Cancels a paid order: voids the seller's pending funds, refunds the buyer, returns unshipped stock. */
function* cancel(story: Story, reason: CancelReason): Generator<void> {
  const { sim, orderId, buyerId, sellerId, totalMinor } = story;
  const commandId = reason === 'ship_by_expired' ? 'timer:ship-by' : reason === 'dispute_refunded' ? 'resolve-1' : 'cancel-1';
  sim.order(
    orderId,
    commandId,
    (at) => [
      ...(reason === 'dispute_refunded' ? [resolved('refund', at)] : []),
      { type: 'CancellationStarted', reason, at },
      ...cancelPendingTimers(story),
      { type: 'StepStarted', stepId: 'void_pending', target: walletKey(sellerId), command: { type: 'VoidPending', orderId }, at },
    ],
    reason === 'ship_by_expired' ? 3 * dayMs : 0,
  );
  yield;
  sim.wallet(sellerId, `void:${orderId}`, { type: 'PendingVoided', orderId, amountMinor: totalMinor });
  yield;
  sim.order(orderId, 'step:void_pending', (at) => [
    { type: 'StepSucceeded', stepId: 'void_pending', at },
    { type: 'StepStarted', stepId: 'refund_buyer', target: walletKey(buyerId), command: { type: 'RefundOrder', orderId, amountMinor: totalMinor }, at },
  ]);
  yield;
  sim.wallet(buyerId, `refund:${orderId}`, { type: 'OrderRefunded', orderId, amountMinor: totalMinor });
  yield;
  const refunded = (at: number): OrderEvent[] => [{ type: 'OrderCancelled', reason, refundedMinor: totalMinor, at }];
  if (story.shipped) {
    sim.order(orderId, 'step:refund_buyer', (at) => [{ type: 'StepSucceeded', stepId: 'refund_buyer', at }, ...refunded(at)]);
  } else {
    yield* refundedThenStockBack(story, refunded);
  }
  yield;
}
