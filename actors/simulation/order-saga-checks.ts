/**
 * The invariants the order-saga simulation (order-saga.test.ts) checks after every message and
 * once every saga is idle: money conserved, nothing done twice, stock, and the final states.
 */
import { isConfirmed } from '../checkout/checkout.ts';
import type { CheckoutState } from '../checkout/checkout-messages.ts';
import { checkoutKey, sellerKey, walletKey } from '../keys.ts';
import type { SellerEvent, SellerState } from '../seller/seller-messages.ts';
import { type WalletState } from '../wallet/wallet.ts';
import type { OrderEvent, OrderState } from '../order/order-messages.ts';
import { type Coverage, type SimActor, type World } from './order-saga-world.ts';

// ---------------------------------------------------------------------------------------------
// Invariants

/** Σ (balance + locked) + money in flight = deposits − withdrawals; nothing negative; nothing twice. */
export function checkMoney(world: World, idle: boolean): void {
  const wallets = world.ofKind<WalletState>('wallet');
  let holdings = 0;
  let netDeposits = 0;
  const inFlight = new Map<string, number>();
  const add = (orderId: string, amountMinor: number) => inFlight.set(orderId, (inFlight.get(orderId) ?? 0) + amountMinor);
  for (const { key, state } of wallets) {
    world.that(state.balanceMinor >= 0, () => `${key} balance is ${state.balanceMinor}`);
    world.that(state.lockedMinor >= 0, () => `${key} locked is ${state.lockedMinor}`);
    holdings += state.balanceMinor + state.lockedMinor;
    netDeposits += state.depositedMinor - state.withdrawnMinor;
    for (const [orderId, purchase] of Object.entries(state.purchases)) add(orderId, purchase.debitedMinor - purchase.refundedMinor);
    for (const [orderId, sale] of Object.entries(state.sales)) {
      // Credited pending takes the amount out of flight; a void puts it back (until the refund),
      // a release puts the fee back (until the platform is credited).
      add(orderId, -sale.amountMinor + (sale.status === 'VOIDED' ? sale.amountMinor : 0) + (sale.status === 'RELEASED' ? sale.feeMinor : 0));
    }
    for (const [orderId, feeMinor] of Object.entries(state.fees)) add(orderId, -feeMinor);
  }
  let totalInFlight = 0;
  for (const [orderId, amountMinor] of inFlight) {
    world.that(amountMinor >= 0, () => `order ${orderId} has ${amountMinor} cents in flight`);
    if (idle) world.that(amountMinor === 0, () => `order ${orderId} still has ${amountMinor} cents in flight though idle`);
    totalInFlight += amountMinor;
  }
  world.that(holdings + totalInFlight === netDeposits, () => `wallets hold ${holdings} + ${totalInFlight} in flight, deposits − withdrawals are ${netDeposits}`);
  checkOnce(world, wallets);
}

export function checkOnce(world: World, wallets: SimActor[]): void {
  const facts = new Map<string, number>();
  for (const wallet of wallets) {
    for (const event of wallet.events as Array<{ type: string; orderId?: string }>) {
      if (event.orderId === undefined) continue;
      const fact = `${event.orderId}:${event.type}`;
      facts.set(fact, (facts.get(fact) ?? 0) + 1);
      world.that(facts.get(fact) === 1, () => `${event.type} happened twice for order ${event.orderId}`);
    }
  }
  for (const fact of facts.keys()) {
    const orderId = fact.slice(0, fact.lastIndexOf(':'));
    const has = (type: string) => facts.has(`${orderId}:${type}`);
    world.that(!(has('PendingReleased') && has('OrderRefunded')), () => `order ${orderId} was released and refunded`);
    world.that(!(has('PendingReleased') && has('PendingVoided')), () => `order ${orderId} was released and voided`);
  }
}

export function checkStock(world: World, initialStock: Map<string, number>): void {
  for (const { key, state } of world.ofKind<SellerState>('seller')) {
    for (const product of Object.values(state.products)) {
      const reservedQty = Object.values(state.reservations)
        .filter((reservation) => reservation.status === 'RESERVED')
        .flatMap((reservation) => reservation.items)
        .filter((item) => item.productId === product.productId)
        .reduce((sum, item) => sum + item.qty, 0);
      world.that(product.stock >= 0, () => `${key} ${product.productId} stock is ${product.stock}`);
      const initial = initialStock.get(product.productId);
      world.that(product.stock + reservedQty === initial, () => `${product.productId}: ${product.stock} + ${reservedQty} reserved ≠ ${initial}`);
    }
  }
}

/** Once idle: every order and checkout finished, and each one's money and stock where it belongs. */
export function checkFinal(world: World, coverage: Coverage): void {
  const wallet = (userId: string) => world.actor(walletKey(userId)).state as WalletState;
  for (const { key, state, events } of world.ofKind<OrderState>('order')) {
    const { orderId, status } = state;
    coverage.outcomes.set(status, (coverage.outcomes.get(status) ?? 0) + 1);
    world.that(['COMPLETED', 'CANCELLED', 'FAILED'].includes(status) && state.saga === null, () => `${key} ended ${status}, saga ${state.saga}`);
    world.that(Object.keys(state.timers).length === 0, () => `${key} still has timers ${Object.keys(state.timers).join(', ')}`);
    const purchase = wallet(state.buyerId).purchases[orderId];
    const sale = wallet(state.sellerId).sales[orderId];
    const reservation = (world.actor(sellerKey(state.sellerId)).state as SellerState).reservations[orderId];
    if (status === 'COMPLETED') {
      world.that(purchase?.debitedMinor === state.totalMinor && purchase.refundedMinor === 0, () => `${key} completed but the buyer paid ${JSON.stringify(purchase)}`);
      world.that(sale?.status === 'RELEASED' && sale.feeMinor === state.feeMinor, () => `${key} completed but the sale is ${JSON.stringify(sale)}`);
      world.that(wallet('platform').fees[orderId] === state.feeMinor, () => `${key} completed without its fee`);
      world.that(reservation?.status === 'RESERVED', () => `${key} completed but its stock was given back`);
    } else if (status === 'CANCELLED') {
      world.that(purchase?.refundedMinor === state.totalMinor, () => `${key} cancelled but the buyer got ${JSON.stringify(purchase)}`);
      world.that(sale?.status === 'VOIDED', () => `${key} cancelled but the sale is ${JSON.stringify(sale)}`);
      world.that(reservation?.status === (state.shipped ? 'RESERVED' : 'RELEASED'), () => `${key} cancelled with stock ${reservation?.status}`);
    } else {
      world.that(purchase === undefined || purchase.refundedMinor === purchase.debitedMinor, () => `${key} failed but kept the buyer's money`);
      world.that(reservation === undefined || reservation.status === 'RELEASED', () => `${key} failed but kept its stock`);
    }
    for (const event of events as OrderEvent[]) {
      if (event.type === 'OrderCompleted' || event.type === 'OrderCancelled') {
        coverage.outcomes.set(event.reason, (coverage.outcomes.get(event.reason) ?? 0) + 1);
      }
    }
    checkGate(world, coverage, key, state, events as OrderEvent[]);
    checkNoStatSteps(world, coverage, key, state, events as OrderEvent[]);
  }
  for (const { key, events } of world.ofKind<SellerState>('seller')) {
    const recorded = (events as SellerEvent[]).filter((event) => event.type === 'OrderOutcomeRecorded');
    world.that(recorded.length === 0, () => `${key} recorded order outcomes ${JSON.stringify(recorded)}; the seller's stats are the orders read model's`);
  }
  for (const { key, state } of world.ofKind<CheckoutState>('checkout')) {
    coverage.outcomes.set(`checkout ${state.status}`, (coverage.outcomes.get(`checkout ${state.status}`) ?? 0) + 1);
    world.that(state.status === 'COMPLETED' || state.status === 'FAILED', () => `${key} ended ${state.status}`);
    world.that(Object.keys(state.timers).length === 0, () => `${key} still has timers ${Object.keys(state.timers).join(', ')}`);
    if (state.status === 'COMPLETED') {
      world.that(Object.values(state.settled).every((settled) => settled.outcome === 'PAID'), () => `${key} completed with a failed order`);
      world.that(isConfirmed(state), () => `${key} completed without confirming every order`);
    }
  }
  for (const actor of world.actors.values()) {
    world.that((actor.decider.process?.effects(actor.state) ?? []).length === 0, () => `${actor.key} still has pending steps`);
  }
}

/**
 * The seller's stats come from the orders read model: no order starts a stat step any more. Its
 * report to the checkout ends DONE once the order is paid, whether its own answer or its
 * checkout's confirmation (which the checkout sends only after taking the report) finished it.
 * The answer to the report that completed the checkout lifts the order's gate by itself.
 */
export function checkNoStatSteps(world: World, coverage: Coverage, key: string, state: OrderState, events: readonly OrderEvent[]): void {
  const statSteps = events.filter((event) => event.type === 'StepStarted' && event.stepId.startsWith('stat_'));
  world.that(statSteps.length === 0, () => `${key} started stat steps ${JSON.stringify(statSteps)}`);
  if (state.paidAt !== null) {
    world.that(state.steps['notify_checkout']?.status === 'DONE', () => `${key} was paid but its report to the checkout is ${state.steps['notify_checkout']?.status}`);
  }
  const confirmation = (world.actor(key).journal.get('checkout-confirmed') ?? []) as readonly OrderEvent[];
  if (confirmation.some((event) => event.type === 'StepSucceeded' && event.stepId === 'notify_checkout')) coverage.reportsFinishedByConfirmation += 1;
  const answer = (world.actor(key).journal.get('step:notify_checkout') ?? []) as readonly OrderEvent[];
  if (answer.some((event) => event.type === 'CheckoutConfirmed')) coverage.gatesLiftedByAnswer += 1;
}

/**
 * The checkout gate: an order ships, is disputed, is released or is cancelled by its buyer or
 * seller only after its checkout confirmed it, so an order of a failed checkout ends cancelled
 * (refunded) or failed, never shipped or completed; and every order of a completed checkout is
 * confirmed, unless it was cancelled first (by an admin or the ship-by timer), which makes the
 * confirmation a no-op.
 */
export function checkGate(world: World, coverage: Coverage, key: string, state: OrderState, events: readonly OrderEvent[]): void {
  const confirmedAt = events.findIndex((event) => event.type === 'CheckoutConfirmed');
  const pastGateAt = events.findIndex(
    (event) =>
      event.type === 'OrderShipped' ||
      event.type === 'DisputeOpened' ||
      event.type === 'ReleaseStarted' ||
      (event.type === 'CancellationStarted' && (event.reason === 'buyer_cancelled' || event.reason === 'seller_cancelled')),
  );
  world.that(pastGateAt === -1 || (confirmedAt !== -1 && confirmedAt < pastGateAt), () => `${key} went past the gate before its checkout confirmed it`);
  const checkout = world.actor(checkoutKey(state.checkoutId)).state as CheckoutState;
  if (checkout.status === 'FAILED') {
    world.that(confirmedAt === -1 && pastGateAt === -1, () => `${key} was confirmed, shipped or disputed though its checkout failed`);
    world.that(state.status === 'CANCELLED' || state.status === 'FAILED', () => `${key} ended ${state.status} though its checkout failed`);
  }
  if (checkout.status === 'COMPLETED' && !state.checkoutConfirmed) {
    const cancelledFirst = state.status === 'CANCELLED' && events.some((event) => event.type === 'CancellationStarted');
    world.that(cancelledFirst, () => `${key} ended ${state.status}, not confirmed, though its checkout completed`);
    coverage.cancelledBeforeConfirmation += 1;
  }
}
