/**
 * Test fixtures for the order decider: one order written out by hand, so the tests compare the
 * decider's events with events built independently of it. Used by order.test.ts.
 */
import type { OrderOutcome, PricedItem, RequestedItem } from '../seller/seller-messages.ts';
import { deciderSpecification } from '../testing/decider-spec.ts';
import { createOrderDecider } from './order.ts';
import type { Actor, OrderCommand, OrderEvent, OrderPolicy, LegacyStepName, StepName } from './order-messages.ts';

export const day = 86_400_000;
export const t0 = Date.UTC(2026, 0, 1);
/** When the seller ships (or cancels) in most tests: a day after placement. */
export const t1 = t0 + day;
export const retryMs = 30_000;

export const policy: OrderPolicy = { platformFeeBps: 250, releaseAfterMs: 7 * day, shipByMs: 3 * day, stepRetryMs: retryMs };
export const decider = createOrderDecider(policy);

export const requested: RequestedItem[] = [
  { productId: 'mug', qty: 2 },
  { productId: 'tea', qty: 4 },
];
export const pricedItems: PricedItem[] = [
  { productId: 'mug', title: 'Mug', qty: 2, unitPriceMinor: 1_003 },
  { productId: 'tea', title: 'Tea', qty: 4, unitPriceMinor: 250 },
];
/** 2 × 1003 + 4 × 250; the fee is 2.5 % of it, rounded down from 75.15. */
export const totalMinor = 3_006;
export const feeMinor = 75;

export const people = {
  buyer: { role: 'BUYER', userId: 'b1' },
  otherBuyer: { role: 'BUYER', userId: 'b2' },
  seller: { role: 'SELLER', userId: 's1' },
  otherSeller: { role: 'SELLER', userId: 's2' },
  admin: { role: 'ADMIN', userId: 'a1' },
  system: { role: 'SYSTEM' },
} satisfies Record<string, Actor>;

type MoneyStep = Exclude<StepName, 'notify_checkout'>;

/** Each step's target and exact command, written out by hand. */
export const sends: Record<MoneyStep, { target: string; command: unknown }> = {
  reserve_stock: { target: 'seller:s1', command: { type: 'ReserveStock', orderId: 'o1', items: requested } },
  debit_buyer: { target: 'wallet:b1', command: { type: 'DebitForOrder', orderId: 'o1', amountMinor: totalMinor } },
  credit_seller: { target: 'wallet:s1', command: { type: 'CreditPending', orderId: 'o1', amountMinor: totalMinor } },
  release_funds: { target: 'wallet:s1', command: { type: 'ReleasePending', orderId: 'o1', feeMinor } },
  credit_fee: { target: 'wallet:platform', command: { type: 'CreditFee', orderId: 'o1', amountMinor: feeMinor } },
  void_pending: { target: 'wallet:s1', command: { type: 'VoidPending', orderId: 'o1' } },
  refund_buyer: { target: 'wallet:b1', command: { type: 'RefundOrder', orderId: 'o1', amountMinor: totalMinor } },
  release_stock: { target: 'seller:s1', command: { type: 'ReleaseStock', orderId: 'o1' } },
};

export const ev = {
  placed: (at = t0): OrderEvent => ({
    type: 'OrderPlaced',
    orderId: 'o1',
    checkoutId: 'c1',
    buyerId: 'b1',
    sellerId: 's1',
    items: requested,
    platformFeeBps: 250,
    at,
  }),
  started: (stepId: MoneyStep, at = t0): OrderEvent => ({ type: 'StepStarted', stepId, ...sends[stepId], at }),
  notifying: (outcome: 'PAID' | 'FAILED', code: string | null = null, message: string | null = null, at = t0): OrderEvent => ({
    type: 'StepStarted',
    stepId: 'notify_checkout',
    target: 'checkout:c1',
    command: { type: 'OrderSettled', orderId: 'o1', outcome, code, message },
    at,
  }),
  /** A step to the seller's stats, as orders journaled before the stats moved to the read model started it. */
  legacyStat: (outcome: OrderOutcome, at = t0): OrderEvent => ({
    type: 'StepStarted',
    stepId: `stat_${outcome}`,
    target: 'seller:s1',
    command: { type: 'RecordOrderOutcome', orderId: 'o1', outcome, atMs: at },
    at,
  }),
  succeeded: (stepId: StepName | LegacyStepName, at = t0): OrderEvent => ({ type: 'StepSucceeded', stepId, at }),
  failed: (stepId: StepName | LegacyStepName, code: string, message: string, at = t0): OrderEvent => ({ type: 'StepFailed', stepId, code, message, at }),
  priced: (at = t0): OrderEvent => ({ type: 'OrderPriced', items: pricedItems, totalMinor, feeMinor, at }),
  retry: (n: number, at = t0): OrderEvent => ({
    type: 'TimerScheduled',
    timerId: `retry-${n}`,
    dueAt: at + retryMs,
    command: { type: 'RetrySteps', timerId: `retry-${n}` },
  }),
  /** The retry timer re-armed by a RetrySteps without progress, its delay doubled per re-arm up to 64 ×. */
  rearmed: (n: number, rearms: number, at: number): OrderEvent => ({
    type: 'TimerScheduled',
    timerId: `retry-${n}.${rearms}`,
    dueAt: at + retryMs * 2 ** Math.min(rearms, 6),
    command: { type: 'RetrySteps', timerId: `retry-${n}.${rearms}` },
  }),
  shipBy: (at = t0): OrderEvent => ({
    type: 'TimerScheduled',
    timerId: 'ship-by',
    dueAt: at + 3 * day,
    command: { type: 'ExpireShipBy', timerId: 'ship-by' },
  }),
  releaseTimer: (at = t1): OrderEvent => ({
    type: 'TimerScheduled',
    timerId: 'release-escrow',
    dueAt: at + 7 * day,
    command: { type: 'ReleaseEscrow', timerId: 'release-escrow' },
  }),
  timerCancelled: (timerId: string): OrderEvent => ({ type: 'TimerCancelled', timerId }),
};

/** The StockReserved event the seller answers reserve_stock with. */
export const stockReserved = { type: 'StockReserved', orderId: 'o1', items: pricedItems, at: t0 };

/** The fences an undo step is answered with when the step it undoes never took effect there. */
export const fences = {
  release_stock: { type: 'ReservationFenced', orderId: 'o1' },
  refund_buyer: { type: 'OrderFenced', orderId: 'o1', side: 'buyer' },
  void_pending: { type: 'OrderFenced', orderId: 'o1', side: 'seller' },
} as const;

export const cmd = {
  place: (change: Partial<Extract<OrderCommand, { type: 'PlaceOrder' }>> = {}): OrderCommand => ({
    type: 'PlaceOrder',
    orderId: 'o1',
    checkoutId: 'c1',
    buyerId: 'b1',
    sellerId: 's1',
    items: requested,
    ...change,
  }),
  ok: (stepId: string, events: readonly unknown[] = []): OrderCommand => ({ type: 'StepCompleted', stepId, outcome: { ok: true, events } }),
  fail: (stepId: string, code: string, message: string): OrderCommand => ({
    type: 'StepCompleted',
    stepId,
    outcome: { ok: false, code, message },
  }),
  ship: (by: Actor = people.seller): OrderCommand => ({ type: 'ShipOrder', commandId: 'ship-1', by }),
  confirm: (by: Actor = people.buyer): OrderCommand => ({ type: 'ConfirmDelivery', commandId: 'confirm-1', by }),
  cancel: (by: Actor = people.seller, reason: Extract<OrderCommand, { type: 'CancelOrder' }>['reason'] = 'seller_cancelled'): OrderCommand => ({
    type: 'CancelOrder',
    commandId: 'cancel-1',
    by,
    reason,
  }),
  dispute: (by: Actor = people.buyer): OrderCommand => ({ type: 'OpenDispute', commandId: 'dispute-1', by, reason: 'broken on arrival' }),
  confirmCheckout: (checkoutId = 'c1'): OrderCommand => ({ type: 'ConfirmCheckout', checkoutId }),
  resolve: (resolution: 'refund' | 'release', by: Actor = people.admin): OrderCommand => ({
    type: 'ResolveDispute',
    commandId: 'resolve-1',
    by,
    resolution,
  }),
  releaseEscrow: (): OrderCommand => ({ type: 'ReleaseEscrow', timerId: 'release-escrow' }),
  expireShipBy: (): OrderCommand => ({ type: 'ExpireShipBy', timerId: 'ship-by' }),
  retrySteps: (n: number | string): OrderCommand => ({ type: 'RetrySteps', timerId: `retry-${n}` }),
};

// ---------------------------------------------------------------------------------------------
// Histories, each continuing the one before. Everything up to PAID happens at t0, so the first
// retry timer (due t0 + 30 s) stays pending throughout placing.

export const placing: OrderEvent[] = [ev.placed(), ev.started('reserve_stock'), ev.retry(1)];
export const reserved: OrderEvent[] = [...placing, ev.succeeded('reserve_stock'), ev.priced(), ev.started('debit_buyer')];
export const debited: OrderEvent[] = [...reserved, ev.succeeded('debit_buyer'), ev.started('credit_seller')];
export const paidEvents: OrderEvent[] = [ev.succeeded('credit_seller'), { type: 'OrderPaid', at: t0 }, ev.shipBy(), ev.notifying('PAID')];
export const paidReporting: OrderEvent[] = [...debited, ...paidEvents];
/** Paid, with its report to the checkout done: 4 steps done, so the saga's progress count is 8. */
export const paid: OrderEvent[] = [...paidReporting, ev.succeeded('notify_checkout'), ev.timerCancelled('retry-1')];
/**
 * Paid as orders journaled before the seller's stats moved to the read model were: a legacy
 * `stat_placed` step beside the report, still pending here.
 */
export const legacyPaidReporting: OrderEvent[] = [...paidReporting, ev.legacyStat('placed')];
/** The same, with both steps done: 5 steps done, so the saga's progress count is 10. */
export const legacyPaid: OrderEvent[] = [
  ...legacyPaidReporting,
  ev.succeeded('notify_checkout'),
  ev.succeeded('stat_placed'),
  ev.timerCancelled('retry-1'),
];
export const checkoutConfirmed: OrderEvent = { type: 'CheckoutConfirmed', at: t0 };
/** Paid, and its checkout completed: past the checkout gate, so it may ship or be disputed. */
export const paidConfirmed: OrderEvent[] = [...paid, checkoutConfirmed];
export const shippedEvents: OrderEvent[] = [
  { type: 'OrderShipped', at: t1, releaseDueAt: t1 + 7 * day },
  ev.timerCancelled('ship-by'),
  ev.releaseTimer(),
];
export const shipped: OrderEvent[] = [...paidConfirmed, ...shippedEvents];

// ---------------------------------------------------------------------------------------------
// Given (events) / When (command) / Then (events or rejection)

export const { given, stateOf } = deciderSpecification(decider, { now: t0 });

/** Later times, rejection messages and histories the lifecycle test files share. */
export const t2 = t1 + 2 * day;

export const t3 = t2 + day;

export const outOfStock = 'Product mug ("Mug") has 1 in stock, not 2.';

export const noFunds = 'The wallet has 100 cents available, not enough to pay order o1 (3006 cents).';

export const shippedFact = (at: number): OrderEvent => ({ type: 'OrderShipped', at, releaseDueAt: at + 7 * day });

export function sendsItems() {
  return [
    { productId: 'mug', qty: 2 },
    { productId: 'tea', qty: 4 },
  ];
}

export const notPaid = 'This wallet never paid for order o1, so there is nothing to refund.';

export const closed = 'Order o1 was refunded before it was paid here, so it is closed.';

/** An order whose reservation was refused: it undoes the reservation anyway (a fence), then fails. */

export function failedForStock(): OrderEvent[] {
  const undoing = given(...placing)
    .when(cmd.fail('reserve_stock', 'out_of_stock', outOfStock))
    .then(ev.failed('reserve_stock', 'out_of_stock', outOfStock), ev.started('release_stock'));
  return given(...undoing)
    .when(cmd.ok('release_stock', [fences.release_stock]))
    .then(
      ev.succeeded('release_stock'),
      { type: 'OrderFailed', code: 'out_of_stock', message: outOfStock, at: t0 },
      ev.notifying('FAILED', 'out_of_stock', outOfStock),
    );
}

/** The buyer confirms a shipped order at t2; `retry` is the saga's progress count then, plus one. */
export function confirmed(history: OrderEvent[] = shipped, retry = 9): OrderEvent[] {
  return given(...history)
    .when(cmd.confirm(), t2)
    .then(
      { type: 'DeliveryConfirmed', at: t2 },
      ev.timerCancelled('release-escrow'),
      { type: 'ReleaseStarted', reason: 'buyer_confirmed', at: t2 },
      ev.started('release_funds', t2),
      ev.retry(retry, t2),
    );
}

/** The release confirmed() started runs to COMPLETED at t2, and its retry timer goes with the last step. */
export function completedByBuyer(releasing: OrderEvent[], retry = 9): OrderEvent[] {
  const fee = given(...releasing).when(cmd.ok('release_funds'), t2).then(ev.succeeded('release_funds', t2), ev.started('credit_fee', t2));
  return given(...fee)
    .when(cmd.ok('credit_fee'), t2)
    .then(
      ev.succeeded('credit_fee', t2),
      { type: 'OrderCompleted', reason: 'buyer_confirmed', releasedMinor: totalMinor, feeMinor, at: t2 },
      ev.timerCancelled(`retry-${retry}`),
    );
}

/** The seller cancels a paid order its checkout confirmed (before that, it is `awaiting_checkout`). */
export function sellerCancelling(): OrderEvent[] {
  return given(...paidConfirmed)
    .when(cmd.cancel(), t1)
    .then(
      { type: 'CancellationStarted', reason: 'seller_cancelled', at: t1 },
      ev.timerCancelled('ship-by'),
      ev.started('void_pending', t1),
      ev.retry(9, t1),
    );
}

/** An admin cancels a paid order in the checkout's window, before its checkout confirmed it. */
export function adminCancellingUnconfirmed(): OrderEvent[] {
  return given(...paid)
    .when(cmd.cancel(people.admin, 'admin_cancelled'), t1)
    .then(
      { type: 'CancellationStarted', reason: 'admin_cancelled', at: t1 },
      ev.timerCancelled('ship-by'),
      ev.started('void_pending', t1),
      ev.retry(9, t1),
    );
}

export function cancelledBySeller(): OrderEvent[] {
  const refunding = given(...sellerCancelling()).when(cmd.ok('void_pending'), t1).then(ev.succeeded('void_pending', t1), ev.started('refund_buyer', t1));
  const releasing = given(...refunding).when(cmd.ok('refund_buyer'), t1).then(ev.succeeded('refund_buyer', t1), ev.started('release_stock', t1));
  return given(...releasing)
    .when(cmd.ok('release_stock'), t1)
    .then(
      ev.succeeded('release_stock', t1),
      { type: 'OrderCancelled', reason: 'seller_cancelled', refundedMinor: totalMinor, at: t1 },
      ev.timerCancelled('retry-9'),
    );
}

export function adminCancellingShipped(): OrderEvent[] {
  return given(...shipped)
    .when(cmd.cancel(people.admin, 'admin_cancelled'), t2)
    .then(
      { type: 'CancellationStarted', reason: 'admin_cancelled', at: t2 },
      ev.timerCancelled('release-escrow'),
      ev.started('void_pending', t2),
      ev.retry(9, t2),
    );
}

/**
 * A paid order disputed before it shipped. Disputes now need a shipment (order.ts openDispute),
 * but histories journaled under the old rule must still replay and resolve, so this one is
 * written as the events the old rules produced, legacy stat steps included: 6 steps done, so the
 * saga's progress count is 12.
 */
export function disputedPaid(): OrderEvent[] {
  const opened: OrderEvent[] = [
    ...legacyPaid,
    checkoutConfirmed,
    { type: 'DisputeOpened', reason: 'broken on arrival', at: t1 },
    ev.timerCancelled('ship-by'),
    ev.legacyStat('disputed', t1),
    ev.retry(11, t1),
  ];
  return given(...opened).when(cmd.ok('stat_disputed'), t1).then(ev.succeeded('stat_disputed', t1), ev.timerCancelled('retry-11'));
}

export function disputedShipped(): OrderEvent[] {
  return given(...shipped).when(cmd.dispute(), t2).then({ type: 'DisputeOpened', reason: 'broken on arrival', at: t2 }, ev.timerCancelled('release-escrow'));
}
